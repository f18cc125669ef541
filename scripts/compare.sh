#!/usr/bin/env bash
# Side-by-side comparison of llt with other Rust loggers (the bench-peers/
# package; methods in docs/benchmarks.md and bench-peers/src/lib.rs).
#
# Builds bench-peers in release, runs one bench binary per logger, one after
# the other (each prints one JSON line), and writes
#   bench-results/peers/<date>/results.md   tables
#   bench-results/peers/<date>/latency.svg  per-call percentiles, seed message
#   bench-results/peers/<date>/raw.jsonl    the JSON lines
#   bench-results/peers/<date>/run.log      the binaries' progress output
#
# Usage: scripts/compare.sh [--quick|--full] [--instructions] [--only MSG,..] [--peers NAME,..]
#   --quick         (default) 500 batch samples per thread, M = 200,000; about 6 minutes
#   --full          10,000 batch samples per thread (the method's count), M = 500,000; about 55 minutes
#   --instructions  also count instructions per call of every logger under callgrind (needs
#                   valgrind; about 1 minute more)
#   --only          only these messages (seed, staticString, singleInteger, twoIntegers,
#                   singleDouble, complexFormat, stringConcat)
#   --peers         only these loggers, in the order given (default: every logger of the PEERS
#                   table in bench-peers/src/peers.rs, llt first; the report names those left out)
#   --out DIR       write the results to DIR instead of bench-results/peers/<date> (a quick
#                   partial run then does not overwrite the day's full run)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
start=$(date +%s)

mode=--quick
instructions=0
only=()
peers=()
peers_opt=
out=
while [ $# -gt 0 ]; do
  case "$1" in
    --quick | --full) mode=$1 ;;
    --instructions) instructions=1 ;;
    --only) only=(--only "$2"); shift ;;
    --peers) IFS=, read -r -a peers <<<"$2"; peers_opt=" --peers $2"; shift ;;
    --out) out=$2; shift ;;
    -h | --help) sed -n '2,22p' "$0"; exit 0 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
  shift
done

manifest=bench-peers/Cargo.toml
[ -n "$out" ] || out="bench-results/peers/$(date +%Y-%m-%d)"
mkdir -p "$out"
: >"$out/raw.jsonl"
: >"$out/run.log"
rm -f "$out/instructions.tsv"

echo "== building bench-peers (release)" >&2
cargo build --release --manifest-path "$manifest" --bins
# The bench executables, as "name path" lines.
exes=$(cargo bench --manifest-path "$manifest" --no-run --message-format=json 2>/dev/null \
  | grep '"kind":\["bench"\]' | grep '"executable":"/' \
  | sed -E 's/.*"target":\{[^}]*"name":"([^"]+)".*"executable":"([^"]+)".*/\1 \2/')
target_dir=$(dirname "$(dirname "$(echo "$exes" | head -1 | cut -d' ' -f2)")")
# The loggers, from the one table of peers (the report checks the results against it).
[ ${#peers[@]} -gt 0 ] || read -r -a peers <<<"$("$target_dir/instr" --list)"
built=$(date +%s)

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
for peer in "${peers[@]}"; do
  exe=$(echo "$exes" | awk -v n="$peer" '$1 == n { print $2 }')
  if [ -z "$exe" ]; then
    echo "{\"logger\":\"$peer\",\"error\":\"no bench binary named $peer\"}" >>"$out/raw.jsonl"
    continue
  fi
  echo "== $peer" >&2
  t0=$(date +%s)
  if "$exe" "$mode" "${only[@]}" >>"$out/raw.jsonl" 2> >(tee -a "$out/run.log" >&2); then
    echo "   $peer: $(($(date +%s) - t0)) s" >&2
  else
    rc=$?
    echo "{\"logger\":\"$peer\",\"error\":\"exited with status $rc (see run.log)\"}" >>"$out/raw.jsonl"
  fi
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
ran=$(date +%s)

if [ "$instructions" = 1 ]; then
  if command -v valgrind >/dev/null; then
    n=20000
    tmp=$(mktemp -d)
    for peer in "${peers[@]}"; do
      echo "== instructions: $peer" >&2
      ir=()
      for calls in "$n" "$((2 * n))"; do
        # Exactly the function run_calls_<peer>: closures defined in it (quicklog's
        # deferred formatter, run later by flush!() on the same thread) stay out.
        if valgrind --tool=callgrind --separate-threads=yes --toggle-collect="*::run_calls_$peer" \
          --callgrind-out-file="$tmp/cg.$peer.$calls" "$target_dir/instr" "$peer" "$calls" \
          >/dev/null 2>"$tmp/err.$peer.$calls"; then
          ir+=("$(grep -m1 '^summary:\|^totals:' "$tmp/cg.$peer.$calls-01" | awk '{print $2}')")
        else
          ir+=("failed")
        fi
      done
      if [ "${ir[0]}" = failed ] || [ "${ir[1]}" = failed ]; then
        echo "$peer failed under valgrind: $(tail -1 "$tmp/err.$peer.$n" | tr '\t' ' ')" >>"$out/instructions.tsv"
      else
        printf '%s\t%s\t%s\t%s\n' "$peer" "$n" "${ir[0]}" "${ir[1]}" >>"$out/instructions.tsv"
      fi
    done
    rm -rf "$tmp"
  else
    echo "valgrind is not installed: no instruction counts" >&2
  fi
fi

end=$(date +%s)
{
  echo "date:        $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "command:     scripts/compare.sh $mode${only:+ ${only[*]}}$peers_opt$([ "$instructions" = 1 ] && echo ' --instructions')"
  echo "commit:      $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$root" diff --quiet 2>/dev/null || echo ' (work tree has changes)')"
  echo "rustc:       $(rustc --version)"
  echo "machine:     $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(uname -r)"
  echo "load:        $load_before before the runs, $load_after after (1/5/15 min)"
  echo "time:        $((end - start)) s in all: $((built - start)) s building, $((ran - built)) s running the benches$([ "$instructions" = 1 ] && echo ", $((end - ran)) s counting instructions")"
} >"$out/meta.txt"

"$target_dir/report" "$out"
echo "== done in $((end - start)) s: $out/results.md, $out/latency.svg" >&2
