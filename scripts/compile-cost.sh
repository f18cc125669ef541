#!/usr/bin/env bash
# Compile cost of N log statements: llt_log! against tracing::info!,
# log::info! and llt's logger.log(format!(..)) (docs/benchmarks.md,
# "Compile cost").
#
# Generates one crate per logger with N statements, and one with none
# (scripts/compile_cost_gen.py), under target/compile-cost/. Builds the
# dependencies first (through the crates with no statements), then times
# each N-statement crate alone: `cargo check`, a debug build and a release
# build, each after touching only that crate's main.rs. Incremental
# compilation is off, so every timed build compiles the whole crate.
# Prints times, binary sizes, the release binary's growth per statement
# ((size(N) - size(0)) / N) and ratios to tracing, all from this one run.
#
# The machine is shared: RUNS=k repeats every timing k times, interleaving
# the loggers, and keeps each one's fastest run.
#
# Usage: [RUNS=k] scripts/compile-cost.sh [N]   (default N=1000, RUNS=1)
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
n=${1:-1000}
runs=${RUNS:-1}
loggers=(llt tracing tracing_fmt log format)
ws="$repo/target/compile-cost/ws"
export CARGO_TARGET_DIR="$repo/target/compile-cost/target"
export CARGO_INCREMENTAL=0
python3 scripts/compile_cost_gen.py --out "$ws" --llt "$repo" --counts "0,$n" --lock "$repo/bench-peers/Cargo.lock"
cd "$ws"
# The peer comparison's lock file has tracing, tracing-subscriber and log:
# no network needed when they are in the local registry cache.
cargo fetch --offline -q 2>/dev/null || cargo fetch -q
net=--offline

# timed <cargo args...>: "wall cpu" seconds of one cargo command (cpu: user +
# system time of cargo and the compilers it ran).
timed() {
  local t
  t=$( { TIMEFORMAT='%R %U %S'; time cargo "$@" $net -q >/dev/null 2>"$ws/last.err"; } 2>&1 ) \
    || { cat "$ws/last.err" >&2; exit 1; }
  awk '{ printf "%.2f %.2f", $1, $2 + $3 }' <<<"$t"
}
# keep_min <array name> <key> <"wall cpu">: the smallest of the runs so far.
keep_min() {
  local -n wall=$1 cpu=${1}_cpu
  [ -n "$3" ] || exit 1 # the build failed (its errors are printed above)
  local w c
  read -r w c <<<"$3"
  if [ -z "${wall[$2]:-}" ] || awk -v a="$w" -v b="${wall[$2]}" 'BEGIN { exit !(a < b) }'; then wall[$2]=$w; fi
  if [ -z "${cpu[$2]:-}" ] || awk -v a="$c" -v b="${cpu[$2]}" 'BEGIN { exit !(a < b) }'; then cpu[$2]=$c; fi
}
size_of() { stat -c %s "$CARGO_TARGET_DIR/$1/$2"; }
packages() { local p=(); for l in "${loggers[@]}"; do p+=(-p "${l}_$1"); done; echo "${p[@]}"; }

declare -A check debug release check_cpu debug_cpu release_cpu dsize dsize0 rsize rsize0
echo "building dependencies..." >&2
# shellcheck disable=SC2046
{ cargo check $net -q $(packages 0) && cargo build $net -q $(packages 0) \
  && cargo build $net -q --release $(packages 0); } >&2
for l in "${loggers[@]}"; do
  dsize0[$l]=$(size_of debug "${l}_0")
  rsize0[$l]=$(size_of release "${l}_0")
done
for run in $(seq "$runs"); do
  for l in "${loggers[@]}"; do
    echo "timing $l ($n statements, run $run of $runs)..." >&2
    touch "${l}_$n/src/main.rs"; keep_min check "$l" "$(timed check -p "${l}_$n")"
    touch "${l}_$n/src/main.rs"; keep_min debug "$l" "$(timed build -p "${l}_$n")"
    touch "${l}_$n/src/main.rs"; keep_min release "$l" "$(timed build --release -p "${l}_$n")"
    dsize[$l]=$(size_of debug "${l}_$n")
    rsize[$l]=$(size_of release "${l}_$n")
  done
done

echo "# RUNS=$runs scripts/compile-cost.sh $n   ($(date -u +%Y-%m-%dT%H:%MZ), $(rustc --version), $(nproc) cores)"
echo "# llt-rs at $(git -C "$repo" rev-parse --short HEAD)$(git -C "$repo" diff --quiet HEAD -- llt-macros llt-runtime src || echo ' + uncommitted changes')"
echo
row() { # name, array name, unit: value (ratio to tracing) per logger
  local -n values=$2
  printf '| %s |' "$1"
  for l in "${loggers[@]}"; do
    awk -v v="${values[$l]}" -v t="${values[tracing]}" -v u="$3" \
      'BEGIN { if (u == "MB") printf " %.2f MB (%.2fx) |", v / 1e6, v / t;
               else if (u == "B") printf " %.0f B (%.2fx) |", v, v / t;
               else printf " %.2f s (%.2fx) |", v, v / t }'
  done
  echo
}
printf '| %s statements |' "$n"; for l in "${loggers[@]}"; do printf ' %s |' "$l"; done; echo
printf '|---|'; for _ in "${loggers[@]}"; do printf -- '---:|'; done; echo
row '`cargo check`' check s
row '`cargo check`, CPU' check_cpu s
row 'debug build' debug s
row 'debug build, CPU' debug_cpu s
declare -A dgrowth rgrowth
for l in "${loggers[@]}"; do
  dgrowth[$l]=$(awk -v a="${dsize0[$l]}" -v b="${dsize[$l]}" -v n="$n" 'BEGIN { printf "%.0f", (b - a) / n }')
  rgrowth[$l]=$(awk -v a="${rsize0[$l]}" -v b="${rsize[$l]}" -v n="$n" 'BEGIN { printf "%.0f", (b - a) / n }')
done
row 'debug binary' dsize MB
row 'debug growth per statement' dgrowth B
row 'release build' release s
row 'release build, CPU' release_cpu s
row 'release binary' rsize MB
row 'release growth per statement' rgrowth B
echo
echo "llt: llt_log!(logger, ..); tracing: tracing::info!(..), no subscriber; tracing_fmt: the same with"
echo "tracing_subscriber::fmt::init(); log: log::info!(..), no logger; format: llt's logger.log(format!(..))."
echo "Ratios are to tracing. Times are for the crate alone (dependencies built first, CARGO_INCREMENTAL=0),"
echo "the fastest of $runs run(s): wall-clock, and CPU (user + system, all threads); growth = (size(N) - size(0)) / N,"
echo "0 statements being the same crate without them."
