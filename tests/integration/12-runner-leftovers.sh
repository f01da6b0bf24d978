#!/usr/bin/env bash
# The runner's check for what a test leaves behind: a libguestfs socket
# directory that one of the test's processes made is blamed on it, and
# removed, whether or not a socket is bound in it, and so is a process
# the test left running (a UML kernel and its console relay name no file
# of the test).  One made by a program running beside the suite (a
# guestfish, a guestmount, a bench), during a test or not, bound or not
# yet, must be neither blamed nor broken.
. "$(dirname "$0")/../lib/common.sh"
[ "${IMGMOUNT_BACKEND:-}" = uml ] && skip "the runner is tested in the tcg pass"

# The holders and the directories the inner tests make go, whatever happens.
stop_holders () {
  local f
  for f in "$T"/*.pid; do [ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null; done
}
trap 'stop_holders; xargs -r rm -rf < "$T/dirs"; cleanup' EXIT
: > "$T/dirs"

# bind.py READY|- [nobind]: makes a libguestfs-like socket directory in
# /tmp, as libguestfs does, names it in $T/dirs, and binds a listening
# socket in it (not with "nobind": a libguestfs between making its
# directory and binding in it).  With READY it then creates that file and
# keeps running; with -, it stays a moment and exits, leaving the socket
# file behind as a killed process would.
cat > "$T/bind.py" <<PYTHON
import os, random, socket, string, sys, time
while True:
    d = "/tmp/libguestfs" + "".join(random.choice(string.ascii_letters) for _ in range(6))
    try:
        os.mkdir(d, 0o700)
        break
    except FileExistsError:
        pass
with open("$T/dirs", "a") as f:
    f.write(d + "\n")
if sys.argv[2:] != ["nobind"]:
    s = socket.socket(socket.AF_UNIX)
    s.bind(d + "/guestfsd.sock")
    s.listen(1)
if sys.argv[1] == "-":
    time.sleep(0.5)
    sys.exit(0)
open(sys.argv[1], "w").close()
time.sleep(600)
PYTHON

# keep_running NAME [ENV-ARGS] [nobind]: an inner test whose process makes
# a socket directory and keeps running, its command line naming $T, not
# the inner suite's directory.
keep_running () {
  cat > "$T/$1.sh" <<KEEP
env ${2:-} setsid python3 "$T/bind.py" "$T/$1.ready" ${3:-} < /dev/null > /dev/null 2>&1 &
echo \$! > "$T/$1.pid"
. "$TOP/tests/lib/wait.sh"
wait_until 100 test -e "$T/$1.ready"
KEEP
}
# The inner tests.  in-use: the process is another program's, started
# with an environment of its own.  stale: the test's process is gone.
# leaked: the process is the test's own, left running.  unbound: another
# program's process made its directory during the test and has bound
# nothing in it yet.
keep_running in-use "-u IMGMOUNT_SUITE"
echo "python3 '$T/bind.py' -" > "$T/stale.sh"
keep_running leaked
keep_running unbound "-u IMGMOUNT_SUITE" nobind

IMGMOUNT_TEST_BACKENDS=tcg TMPDIR=$T bash "$TOP/tests/run-integration.sh" \
  "$T/in-use.sh" "$T/stale.sh" "$T/leaked.sh" "$T/unbound.sh" > "$T/out" 2>&1
sed 's/^/    /' "$T/out"
in_use=$(sed -n 1p "$T/dirs") stale=$(sed -n 2p "$T/dirs") leaked=$(sed -n 3p "$T/dirs")
unbound=$(sed -n 4p "$T/dirs")

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
check "a directory another program made during a test is not blamed" \
  grep -q "^PASS tcg/unbound" "$T/out"
check "nor removed" test -d "$unbound"
finish
