#!/usr/bin/env bash
# tests/run.sh: the whole suite.  Unit tests from both builds, the unit
# tests again under valgrind, then the integration tests (real mounts).
# Prints one line per test and, last, "N passed, N failed, N skipped".
# Arguments, if any, name integration tests to run instead of all.
set -uo pipefail
cd "$(dirname "$0")/.."

passed=0 failed=0 skipped=0
result () {   # result NAME STATUS
  case $2 in
    0) echo "PASS $1"; passed=$((passed + 1)) ;;
    77) echo "SKIP $1"; skipped=$((skipped + 1)) ;;
    *) echo "FAIL $1"; failed=$((failed + 1)) ;;
  esac
}

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

# The integration runner prints its own per-test lines and a count line.
integration_out=$(mktemp)
bash tests/run-integration.sh "$@" | tee "$integration_out"
counts=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$integration_out" | tail -1)
rm -f "$integration_out"
if [ -n "$counts" ]; then
  read -r ip _ if_ _ is_ _ <<< "$(echo "$counts" | tr -d ',')"
  passed=$((passed + ip)) failed=$((failed + if_)) skipped=$((skipped + ${is_:-0}))
else
  echo "FAIL integration (the runner printed no count)"
  failed=$((failed + 1))
fi

echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
