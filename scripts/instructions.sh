#!/usr/bin/env bash
# Instructions per log call on the producer thread (docs/benchmarks.md, method 4).
# Runs benches/instructions.rs under callgrind with N and 2N calls and prints
# (Ir(2N) - Ir(N)) / N for the main thread. Deterministic: no timing involved.
#
# Usage: scripts/instructions.sh [N] [case...]   (default N=20000, all cases)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-20000}
shift || true
cases=("$@")
[ ${#cases[@]} -gt 0 ] || cases=(llt_log log_str log_format format)
command -v valgrind >/dev/null || { echo "valgrind is not installed" >&2; exit 1; }
bin=$(cargo bench --bench instructions --no-run --message-format=json 2>/dev/null \
  | grep -o '"executable":"[^"]*instructions[^"]*"' | tail -1 | cut -d'"' -f4)
[ -x "$bin" ] || { echo "could not build benches/instructions.rs" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
main_thread_ir() { # case calls -> Ir of thread 1 (the main thread)
  valgrind --tool=callgrind --separate-threads=yes --toggle-collect="instructions::run_calls_$1" --callgrind-out-file="$tmp/cg.$1.$2" \
    "$bin" "$1" "$2" >/dev/null 2>&1
  grep -m1 '^summary:\|^totals:' "$tmp/cg.$1.$2-01" | awk '{print $2}'
}
printf '%-12s %s\n' case instructions/call
for case in "${cases[@]}"; do
  a=$(main_thread_ir "$case" "$n")
  b=$(main_thread_ir "$case" "$((2 * n))")
  awk -v a="$a" -v b="$b" -v n="$n" -v c="$case" 'BEGIN { printf "%-12s %.1f\n", c, (b - a) / n }'
done
