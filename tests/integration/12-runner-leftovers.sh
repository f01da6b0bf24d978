#!/usr/bin/env bash
# The runner's check for what a test leaves behind: a libguestfs socket
# directory that appears during a test is blamed on it, and removed, when
# no process holds a socket in it or when a process the test started
# does (a UML kernel and its console relay name no file of the test).
# One held by a program running beside the suite (a guestfish, a bench)
# must be neither blamed nor broken.
. "$(dirname "$0")/../lib/common.sh"
[ "${IMGMOUNT_BACKEND:-}" = uml ] && skip "the runner is tested in the tcg pass"

# The holders and the directories the inner tests make go, whatever happens.
stop_holders () {
  local f
  for f in "$T"/*.pid; do [ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null; done
}
trap 'stop_holders; xargs -r rm -rf < "$T/dirs"; cleanup' EXIT
: > "$T/dirs"

# bind.py PATH [READY]: binds a listening socket at PATH.  With READY it
# creates that file and keeps the socket; without, it exits at once,
# leaving the socket file behind as a killed process would.
cat > "$T/bind.py" <<'PYTHON'
import socket, sys, time
s = socket.socket(socket.AF_UNIX)
s.bind(sys.argv[1])
s.listen(1)
if len(sys.argv) > 2:
    open(sys.argv[2], "w").close()
    time.sleep(600)
PYTHON

# keep_socket NAME [ENV-ARGS]: an inner test that makes a socket directory
# and leaves a process holding a socket in it, whose command line names
# $T, not the inner suite's directory.
keep_socket () {
  cat > "$T/$1.sh" <<KEEP
d=\$(mktemp -d /tmp/libguestfsXXXXXX) && echo "\$d" >> "$T/dirs"
env ${2:-} setsid python3 "$T/bind.py" "\$d/guestfsd.sock" "$T/$1.ready" < /dev/null > /dev/null 2>&1 &
echo \$! > "$T/$1.pid"
. "$TOP/tests/lib/wait.sh"
wait_until 100 test -e "$T/$1.ready"
KEEP
}
# The inner tests.  in-use: the process is another program's, started
# with an environment of its own.  stale: the process is gone.  leaked:
# the process is the test's own, left running.
keep_socket in-use "-u IMGMOUNT_SUITE"
cat > "$T/stale.sh" <<STALE
d=\$(mktemp -d /tmp/libguestfsXXXXXX) && echo "\$d" >> "$T/dirs"
python3 "$T/bind.py" "\$d/guestfsd.sock"
STALE
keep_socket leaked

IMGMOUNT_TEST_BACKENDS=tcg TMPDIR=$T bash "$TOP/tests/run-integration.sh" \
  "$T/in-use.sh" "$T/stale.sh" "$T/leaked.sh" > "$T/out" 2>&1
sed 's/^/    /' "$T/out"
in_use=$(sed -n 1p "$T/dirs") stale=$(sed -n 2p "$T/dirs") leaked=$(sed -n 3p "$T/dirs")

check "a directory in use by another process is not blamed" grep -q "^PASS tcg/in-use" "$T/out"
check "nor removed" test -S "$in_use/guestfsd.sock"
check "a directory nobody uses is blamed" grep -q "^FAIL tcg/stale" "$T/out"
check "and named" grep -q "left behind: $stale" "$T/out"
check "and removed" test ! -e "$stale"
check "a process the test left is blamed" grep -q "^FAIL tcg/leaked" "$T/out"
# (Killed, it may stay a zombie for a moment, until init reaps it.)
dead () { [ ! -e "/proc/$1" ] || grep -q '^State:.*Z' "/proc/$1/status"; }
check "and stopped" wait_until 50 dead "$(cat "$T/leaked.pid")"
check "and its directory removed" test ! -e "$leaked"
finish
