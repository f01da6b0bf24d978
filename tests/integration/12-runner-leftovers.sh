#!/usr/bin/env bash
# The runner's check for what a test leaves behind: a libguestfs socket
# directory that appears during a test is blamed on it, and removed, only
# when no process holds a socket in it.  One in use belongs to a program
# running beside the suite (a guestfish, a bench), which must be neither
# blamed nor broken.
. "$(dirname "$0")/../lib/common.sh"
[ "${IMGMOUNT_BACKEND:-}" = uml ] && skip "the runner is tested in the tcg pass"

# The holder and the directories the inner tests make go, whatever happens.
kill_holder () { [ -f "$T/holder.pid" ] && kill "$(cat "$T/holder.pid")" 2>/dev/null; }
trap 'kill_holder; xargs -r rm -rf < "$T/dirs"; cleanup' EXIT
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

# Inner test 1: a directory that a process outside the suite keeps using
# (its command line names $T, not the inner suite's directory).
cat > "$T/in-use.sh" <<INUSE
d=\$(mktemp -d /tmp/libguestfsXXXXXX) && echo "\$d" >> "$T/dirs"
setsid python3 "$T/bind.py" "\$d/guestfsd.sock" "$T/ready" < /dev/null > /dev/null 2>&1 &
echo \$! > "$T/holder.pid"
for _ in \$(seq 100); do [ -e "$T/ready" ] && exit 0; sleep 0.1; done
exit 1
INUSE
# Inner test 2: a directory whose process is gone.
cat > "$T/stale.sh" <<STALE
d=\$(mktemp -d /tmp/libguestfsXXXXXX) && echo "\$d" >> "$T/dirs"
python3 "$T/bind.py" "\$d/guestfsd.sock"
STALE

IMGMOUNT_TEST_BACKENDS=tcg TMPDIR=$T bash "$TOP/tests/run-integration.sh" \
  "$T/in-use.sh" "$T/stale.sh" > "$T/out" 2>&1
sed 's/^/    /' "$T/out"
in_use=$(sed -n 1p "$T/dirs") stale=$(sed -n 2p "$T/dirs")

check "a directory in use by another process is not blamed" grep -q "^PASS tcg/in-use" "$T/out"
check "nor removed" test -S "$in_use/guestfsd.sock"
check "a directory nobody uses is blamed" grep -q "^FAIL tcg/stale" "$T/out"
check "and named" grep -q "left behind: $stale" "$T/out"
check "and removed" test ! -e "$stale"
finish
