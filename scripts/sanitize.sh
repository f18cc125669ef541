#!/usr/bin/env bash
# Runs llt's concurrency stress tests under ThreadSanitizer and
# AddressSanitizer (nightly Rust), and the examples under valgrind memcheck.
#
#   scripts/sanitize.sh            # everything
#   scripts/sanitize.sh tsan       # only some of: tsan asan valgrind
#
# Environment:
#   LLT_STRESS_SCALE  size factor for tests/reliability_stress.rs
#                     (default here 0.25: the sanitizers slow code 5-15x)
#   KEEP_GOING=1      run every step even after a failure
#   CI=true           leave out the ring's model test (see TESTS below)
#
# Each part prints "skipped: <reason>" and counts as passed when its tool is
# missing (no nightly toolchain, no sanitizer runtime, no valgrind). The
# script exits non-zero if a test fails or a sanitizer reports an error.
#
# TSan and std: without the rust-src component, std cannot be rebuilt with
# the sanitizer (-Zbuild-std), so std's own code is not instrumented and
# TSan misses synchronisation done inside it (contended mutexes, condvars,
# Once, channels, Arc's acquire fence). Those false positives are
# suppressed by scripts/tsan-suppressions.txt, where each entry says why.
# With rust-src installed (`rustup component add rust-src --toolchain
# nightly`) the script rebuilds std instrumented and uses no suppressions.
#
# Valgrind and leaks: --leak-check=full with --errors-for-leak-kinds=definite.
# A logger that lives to the end of the process (the default logger, or one
# whose writer thread is still running at exit) is reachable from a static
# or a live thread: "still reachable" or "possibly lost", not an error. A
# block no pointer reaches any more ("definitely lost") is a real leak and
# fails the run.
set -uo pipefail
cd "$(dirname "$0")/.."

TARGET=x86_64-unknown-linux-gnu
export LLT_STRESS_SCALE="${LLT_STRESS_SCALE:-0.25}"
export CARGO_TERM_COLOR=never
LOG_DIR=target/sanitize
mkdir -p "$LOG_DIR"

parts=("$@")
[ ${#parts[@]} -eq 0 ] && parts=(tsan asan valgrind)

# The stress tests: package and test target.
TESTS=(
  "llt-runtime accounting"
  "llt-runtime shutdown"
  "llt-runtime ring"
  "llt-runtime ring_model"
  "llt-rs reliability_stress"
)
# In CI, the ring's randomised model test is left to the plain and loom
# runs (it takes 20-30 s under each sanitizer): the ring's unit tests and
# the stress tests still run sanitized.
if [ "${CI:-}" = true ]; then
  kept=()
  for entry in "${TESTS[@]}"; do
    [ "$entry" = "llt-runtime ring_model" ] || kept+=("$entry")
  done
  TESTS=("${kept[@]}")
fi

failures=()
skipped=0
summary=()
note() { summary+=("$*"); printf '%s\n' "$*"; }

# Runs one test binary under a sanitizer; $1 = tsan|asan, $2 = package,
# $3 = test target. Output goes to target/sanitize/<san>-<test>.log.
run_sanitized_test() {
  local san=$1 package=$2 test=$3 log="$LOG_DIR/$1-$3.log" start=$SECONDS
  local pattern
  case $san in
    tsan) pattern='WARNING: ThreadSanitizer' ;;
    asan) pattern='ERROR: (AddressSanitizer|LeakSanitizer)' ;;
  esac
  cargo +nightly test "${CARGO_ARGS[@]}" -p "$package" --test "$test" >"$log" 2>&1
  local status=$?
  local reports
  reports=$(grep -cE "$pattern" "$log")
  local passed
  passed=$(grep -E '^test result:' "$log" | tail -1)
  note "  $san $test: exit $status, $reports reports, $((SECONDS - start))s; ${passed:-no test result} (log: $log)"
  if [ "$status" -ne 0 ] || [ "$reports" -ne 0 ]; then
    failures+=("$san $test")
    grep -E -A12 "$pattern" "$log" | head -40
  fi
}

sanitizer() {
  local san=$1 flag
  case $san in
    tsan) flag=thread ;;
    asan) flag=address ;;
  esac
  echo
  echo "== $san: -Zsanitizer=$flag =="
  if ! cargo +nightly --version >/dev/null 2>&1; then
    note "$san skipped: no nightly toolchain (cargo +nightly)"
    skipped=$((skipped + 1))
    return
  fi
  local sysroot
  sysroot=$(rustc +nightly --print sysroot)
  if ! ls "$sysroot/lib/rustlib/$TARGET/lib/"*"_rt.$san.a" >/dev/null 2>&1; then
    note "$san skipped: the nightly toolchain has no $san runtime for $TARGET"
    skipped=$((skipped + 1))
    return
  fi
  export CARGO_TARGET_DIR="target/$san"
  CARGO_ARGS=(--target "$TARGET")
  local rustflags="-Zsanitizer=$flag"
  if [ -d "$sysroot/lib/rustlib/src/rust/library" ]; then
    # std rebuilt with the sanitizer: everything instrumented.
    CARGO_ARGS+=(-Zbuild-std)
    note "$san: std rebuilt with the sanitizer (-Zbuild-std)"
  else
    # Prebuilt std, not instrumented (the flag allows mixing the two).
    rustflags+=" -Cunsafe-allow-abi-mismatch=sanitizer"
    if [ "$san" = tsan ]; then
      export TSAN_OPTIONS="suppressions=$PWD/scripts/tsan-suppressions.txt ${TSAN_OPTIONS:-}"
      note "$san: std not instrumented (no rust-src); suppressions: scripts/tsan-suppressions.txt"
    fi
  fi
  # --target keeps RUSTFLAGS off build scripts and proc macros (llt-macros).
  export RUSTFLAGS="$rustflags"
  if [ "$san" = asan ]; then
    # Leak checking on (LeakSanitizer): statics and live threads' stacks
    # are roots, so long-lived loggers are not reported.
    export ASAN_OPTIONS="detect_leaks=1 ${ASAN_OPTIONS:-}"
  fi
  local start=$SECONDS
  local build_log="$LOG_DIR/$san-build.log"
  local test_args=()
  for entry in "${TESTS[@]}"; do
    read -r package test <<<"$entry"
    test_args+=(-p "$package" --test "$test")
  done
  # `-p a --test x -p b --test y` builds the union; build once, run one by one.
  if ! cargo +nightly test "${CARGO_ARGS[@]}" "${test_args[@]}" --no-run >"$build_log" 2>&1; then
    note "  $san build FAILED (log: $build_log)"
    tail -20 "$build_log"
    failures+=("$san build")
    unset RUSTFLAGS CARGO_TARGET_DIR
    return
  fi
  note "  $san build: $((SECONDS - start))s"
  for entry in "${TESTS[@]}"; do
    read -r package test <<<"$entry"
    run_sanitized_test "$san" "$package" "$test"
    if [ ${#failures[@]} -ne 0 ] && [ "${KEEP_GOING:-0}" != 1 ]; then break; fi
  done
  unset RUSTFLAGS CARGO_TARGET_DIR TSAN_OPTIONS
}

valgrind_examples() {
  echo
  echo "== valgrind memcheck: examples seed, hot_loop, sensor_loop =="
  if ! command -v valgrind >/dev/null 2>&1; then
    note "valgrind skipped: valgrind is not installed"
    skipped=$((skipped + 1))
    return
  fi
  local start=$SECONDS
  if ! cargo build -q --example seed --example hot_loop --example sensor_loop \
    >"$LOG_DIR/valgrind-build.log" 2>&1; then
    note "  valgrind build FAILED (log: $LOG_DIR/valgrind-build.log)"
    failures+=("valgrind build")
    return
  fi
  local example
  for example in seed hot_loop sensor_loop; do
    local log="$LOG_DIR/valgrind-$example.log" out="$LOG_DIR/valgrind-$example.out"
    local t0=$SECONDS
    valgrind --tool=memcheck --error-exitcode=1 \
      --leak-check=full --show-leak-kinds=definite --errors-for-leak-kinds=definite \
      --log-file="$log" "target/debug/examples/$example" >"$out" 2>&1
    local status=$?
    local errors
    errors=$(grep -E 'ERROR SUMMARY' "$log" | tail -1 | sed 's/^==[0-9]*== //')
    local lines
    lines=$(grep -c '' "$out")
    note "  valgrind $example: exit $status, ${errors:-no summary}, $lines output lines, $((SECONDS - t0))s (log: $log)"
    if [ "$status" -ne 0 ]; then
      failures+=("valgrind $example")
      grep -E -B2 -A15 'Invalid|uninitialised|definitely lost' "$log" | head -60
    fi
  done
  # The seed prints 101 log lines through llt; under valgrind too.
  local seed_lines
  seed_lines=$(grep -c '\[SENSOR\]\|\[SYSTEM\]' "$LOG_DIR/valgrind-seed.out")
  note "  valgrind seed: $seed_lines of 101 log lines"
  [ "$seed_lines" -eq 101 ] || failures+=("valgrind seed: $seed_lines lines")
  note "  valgrind total: $((SECONDS - start))s"
}

started=$SECONDS
for part in "${parts[@]}"; do
  case $part in
    tsan | asan) sanitizer "$part" ;;
    valgrind) valgrind_examples ;;
    *) echo "unknown part '$part' (expected tsan, asan, valgrind)"; exit 2 ;;
  esac
  if [ ${#failures[@]} -ne 0 ] && [ "${KEEP_GOING:-0}" != 1 ]; then break; fi
done

echo
echo "== summary ($((SECONDS - started))s, LLT_STRESS_SCALE=$LLT_STRESS_SCALE) =="
printf '%s\n' "${summary[@]}"
if [ ${#failures[@]} -ne 0 ]; then
  printf 'FAILED: %s\n' "${failures[@]}"
  exit 1
fi
if [ "$skipped" -gt 0 ]; then
  echo "passed; $skipped of ${#parts[@]} parts skipped (see above)"
else
  echo "all sanitizer runs passed"
fi
