# tests/lib/wait.sh: waiting for a condition, sourced by common.sh (every
# integration test) and by the test runner, which does not source
# common.sh (that makes a test directory and sets a trap).

# wait_until TENTHS COMMAND...: runs COMMAND every tenth of a second until
# it succeeds (returns 0) or has failed TENTHS times (returns 1).
wait_until () {
  local tenths=$1; shift
  for _ in $(seq "$tenths"); do "$@" && return 0; sleep 0.1; done
  return 1
}

# not COMMAND...: succeeds when COMMAND fails (for wait_until and check).
not () { ! "$@"; }
