#!/usr/bin/env bash
# tests/run-integration.sh: runs tests/integration/*.sh (or those named),
# each on its own, and checks that none leaves a mount or a process
# behind.  Prints PASS/FAIL/SKIP lines and "N passed, N failed, N skipped".
set -uo pipefail
cd "$(dirname "$0")/.."

tests=("$@")
[ ${#tests[@]} -eq 0 ] && tests=(tests/integration/*.sh)
passed=0 failed=0 skipped=0

leftovers () {
  { grep ' fuse.imgmount ' /proc/mounts; pgrep -a -f 'qemu-system|build(-asan)?/imgmount'; } 2>/dev/null |
    grep -v -e pgrep -e run-integration
}

for t in "${tests[@]}"; do
  name=$(basename "$t" .sh)
  start=$(date +%s)
  log=$(mktemp)
  timeout -k 10 900 bash "$t" > "$log" 2>&1
  rc=$?
  secs=$(( $(date +%s) - start ))
  left=$(leftovers)
  if [ -n "$left" ] && [ "$rc" -ne 77 ]; then
    echo "    left behind: $left" >> "$log"
    rc=1
    # Clean up so the next test starts from nothing.
    grep ' fuse.imgmount ' /proc/mounts | awk '{print $2}' | xargs -r -n1 umount -l
    pkill -9 -f 'qemu-system|build(-asan)?/imgmount'
  fi
  case $rc in
    0) echo "PASS $name (${secs}s)"; passed=$((passed + 1)) ;;
    77) echo "SKIP $name"; skipped=$((skipped + 1)) ;;
    *) echo "FAIL $name (${secs}s, exit $rc)"; sed 's/^/    /' "$log"; failed=$((failed + 1)) ;;
  esac
  [ -n "${VERBOSE:-}" ] && [ "$rc" -eq 0 ] && sed 's/^/    /' "$log"
  rm -f "$log"
done
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
