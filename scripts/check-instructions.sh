#!/usr/bin/env bash
# What `cargo check` of N log statements costs rustc, in instructions
# (valgrind's callgrind): llt_log! against tracing::info! and log::info!
# (docs/benchmarks.md, "Compile cost").
#
# The times of scripts/compile-cost.sh move by 10 % or more from one run to
# the next on a shared machine; an instruction count does not, so a change
# to the macro's expansion can be judged from one run of this script.
# (Instructions are not time: on a quiet machine llt's `cargo check` took
# 1.04x tracing's time while rustc ran 1.26x its instructions.)
#
# Generates the same crates as compile-cost.sh (scripts/compile_cost_gen.py,
# N statements and none) under target/compile-cost/instructions/, checks
# the dependencies, then runs the rustc command of each crate's `cargo
# check` under callgrind and prints its instruction count and the count per
# statement ((count(N) - count(0)) / N), with ratios to tracing.
#
# Usage: scripts/check-instructions.sh [N]   (default N=200; a run takes
# about a minute per crate)
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
n=${1:-200}
loggers=(llt tracing log)
ws="$repo/target/compile-cost/instructions"
export CARGO_TARGET_DIR="$ws/target"
export CARGO_INCREMENTAL=0
command -v valgrind >/dev/null || { echo "check-instructions.sh: valgrind is not installed" >&2; exit 1; }
python3 scripts/compile_cost_gen.py --out "$ws" --llt "$repo" --counts "0,$n" --lock "$repo/bench-peers/Cargo.lock"
cd "$ws"
cargo fetch --offline -q 2>/dev/null || cargo fetch -q
packages=()
for l in "${loggers[@]}"; do packages+=(-p "${l}_0"); done
echo "checking dependencies..." >&2
cargo check --offline -q "${packages[@]}" >&2

# instructions <crate>: rustc's instruction count for `cargo check -p <crate>`.
instructions() {
  local crate=$1 cmd
  touch "$crate/src/main.rs"
  # The rustc command line cargo runs for this crate (env assignments first).
  cmd=$(cargo check --offline -v -p "$crate" 2>&1 | grep 'Running `' | grep -- "--crate-name $crate " \
    | sed -E 's/^ *Running `(.*)`$/\1/')
  [ -n "$cmd" ] || { echo "check-instructions.sh: no rustc command for $crate" >&2; exit 1; }
  touch "$crate/src/main.rs"
  eval "valgrind --tool=callgrind --callgrind-out-file=/dev/null $cmd" >"$ws/$crate.callgrind.log" 2>&1 \
    || { cat "$ws/$crate.callgrind.log" >&2; exit 1; }
  grep -m1 'refs:' "$ws/$crate.callgrind.log" | awk '{ gsub(",", "", $NF); print $NF }'
}

declare -A total per
for l in "${loggers[@]}"; do
  echo "counting $l..." >&2
  zero=$(instructions "${l}_0")
  total[$l]=$(instructions "${l}_$n")
  per[$l]=$(( (total[$l] - zero) / n ))
done

echo "# scripts/check-instructions.sh $n   ($(date -u +%Y-%m-%dT%H:%MZ), $(rustc --version))"
echo "# llt-rs at $(git -C "$repo" rev-parse --short HEAD)$(git -C "$repo" diff --quiet HEAD -- llt-macros llt-runtime src || echo ' + uncommitted changes')"
echo
printf '| `cargo check`, %s statements | instructions | per statement | ratio to tracing |\n' "$n"
echo '|---|---:|---:|---:|'
for l in "${loggers[@]}"; do
  awk -v name="$l" -v t="${total[$l]}" -v p="${per[$l]}" -v tp="${per[tracing]}" \
    'BEGIN { printf "| %s | %.0f M | %.2f M | %.2fx |\n", name, t / 1e6, p / 1e6, p / tp }'
done
