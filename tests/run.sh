#!/usr/bin/env bash
# tests/run.sh: the whole suite.  Unit tests from both builds, the unit
# tests again under valgrind, the fuzz targets over their corpora and for a
# few seconds each (tests/run-fuzz.sh), then the integration tests (real
# mounts), and, run as root, the core ones again as an ordinary user.
# Prints one line per test and, last, "N passed, N failed, N skipped".
# Arguments, if any, name integration tests to run instead of all.
set -uo pipefail
cd "$(dirname "$0")/.."

. tests/lib/results.sh

for exe in build/tests/test-*; do
  # meson keeps object directories (test-foo.p/) beside the executables.
  [ -f "$exe" ] && [ -x "$exe" ] || continue
  name=$(basename "$exe")
  out=$("$exe" 2>&1); result "unit/$name" $?
  [ -n "$out" ] && [ "$out" != "" ] && echo "$out" | sed 's/^/    /' | head -20
  out=$(ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
        "build-asan/tests/$name" 2>&1); result "unit-asan/$name" $?
  [ -n "$out" ] && echo "$out" | sed 's/^/    /' | head -20
  out=$(valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
        "$exe" 2>&1); result "unit-valgrind/$name" $?
  [ -n "$out" ] && echo "$out" | sed 's/^/    /' | head -20
done

# The fuzz and integration runners print their own per-test lines and a
# count line.
runner_out=$(mktemp)
bash tests/run-fuzz.sh | tee "$runner_out"
add_counts fuzz "$runner_out"
bash tests/run-integration.sh "$@" | tee "$runner_out"
add_counts integration "$runner_out"
# The core tests again as an ordinary user (issue 27: imgmount needs no
# root), on both backends; the whole suite needs root for what it checks
# from outside (tracefs, bind mounts, other uids, allow_other).
if [ $# -eq 0 ] && [ "$(id -u)" -eq 0 ]; then
  IMGMOUNT_TEST_USER=imgmount-test bash tests/run-integration.sh \
    tests/integration/{40-readonly,60-lifecycle,74-full-and-readonly,76-concurrency}.sh |
    tee "$runner_out"
  add_counts integration-as-user "$runner_out"
fi
rm -f "$runner_out"

print_counts
[ "$failed" -eq 0 ]
