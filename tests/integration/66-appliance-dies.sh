#!/usr/bin/env bash
# The hypervisor killed under a live mount: operations fail instead of
# hanging, the daemon ends the mount by itself and exits non-zero with the
# reason, and nothing is left.  Also kill -9 of imgmount itself, and of
# every process named imgmount: its hypervisor follows within 5 s and the
# dead mount can be cleared.  And Ctrl-C while the appliance boots, of a
# foreground mount and of a background one (whose daemon is in a session
# of its own).  After each, not even libguestfs's directories are left,
# which only its handle's close removes.
. "$(dirname "$0")/../lib/common.sh"

dirs_before=$(run_dirs)
dirs_are_back () { [ "$(run_dirs)" = "$dirs_before" ]; }
# dirs_back WHAT: the mount's directories are gone within 5 s.
dirs_back () {
  wait_until 50 dirs_are_back
  assert_eq "$1" "$dirs_before" "$(run_dirs)"
}

make_ext4 "$T/disk.img" 64M
M=$T/mnt
mkdir -p "$M"

"$IMGMOUNT" -f "$T/disk.img" "$M" 2> "$T/daemon.err" &
daemon=$!
wait_until 600 mounted "$M"
echo kept > "$M/kept" &&
  python3 -c 'import os, sys; fd = os.open(sys.argv[1], os.O_RDONLY); os.fsync(fd)' "$M/kept"
# A name made, then its directory fsync'd (not the file).
: > "$M/named" &&
  python3 -c 'import os, sys; fd = os.open(sys.argv[1], os.O_RDONLY); os.fsync(fd)' "$M"
kill -9 $(hypervisor_pids "$T/disk.img") 2>/dev/null
start=$(date +%s)
timeout 20 stat "$M/other" >/dev/null 2>&1
check "an operation after the kill does not hang" test $? -ne 124
wait_until 200 not mounted "$M"
check "the daemon ended the mount by itself" not mounted "$M"
wait "$daemon"; rc=$?
secs=$(( $(date +%s) - start ))
check "and exited non-zero (exit $rc, ${secs}s after the kill)" test "$rc" -ne 0
grep -q "exited unexpectedly" "$T/daemon.err" && ok "with the reason: $(cat "$T/daemon.err")" ||
  fail "no reason given: $(cat "$T/daemon.err")"
check "nothing left after the hypervisor died" nothing_left
dirs_back "no directory left after the hypervisor died"
# Mounting again replays the journal.
mount_img "$T/disk.img" "$M" || fail "mount after the hypervisor died"
assert_eq "fsync'd data survived" kept "$(cat "$M/kept" 2>&1)"
check "a name whose directory was fsync'd survived" test -e "$M/named"
unmount "$M" || fail "unmount"
check "e2fsck clean after journal replay" e2fsck -fn "$T/disk.img"

no_hypervisor () { [ -z "$(hypervisor_pids "$T/disk.img")" ]; }
# after_kill WHAT: once the daemon has been killed (by WHAT), its
# hypervisor exits within 5 s, the dead mount can be cleared, and nothing
# is left running (libguestfs's recovery process polls for its parent
# every second or two) and no directory.
after_kill () {
  wait_until 50 no_hypervisor
  check "the hypervisor exited within 5 s of $1" no_hypervisor
  fusermount3 -u "$M" 2>/dev/null || umount -l "$M"
  check "the dead mount is cleared after $1" not mounted "$M"
  wait_until 50 none_running "$T"
  assert_eq "nothing left running 5 s after $1" "" "$(pgrep -af -- "$T" | grep -v pgrep)"
  dirs_back "no directory left 5 s after $1"
}

# kill -9 of imgmount: the hypervisor must follow (libguestfs's recovery
# process, UML's parent-death signal).
mount_img "$T/disk.img" "$M" --pid-file "$T/pid" || { fail "remount"; finish; }
kill -9 "$(cat "$T/pid")"
after_kill "kill -9"

# killall -9 imgmount: it also kills libguestfs's recovery process, a fork
# of the daemon under the same name, so the hypervisor has to see for
# itself that imgmount has gone.
mount_img "$T/disk.img" "$M" --pid-file "$T/pid" || { fail "remount"; finish; }
daemon=$(cat "$T/pid")
kill -9 "$daemon" $(pgrep -x -P "$daemon" imgmount)
after_kill "killall -9 imgmount"

# interruptible ERR-FILE IMGMOUNT-ARGS...: imgmount in a session of its
# own, with SIGINT as a terminal's foreground job has it (a script's
# background job starts with SIGINT ignored), in the background.
interruptible () {
  local err=$1; shift
  setsid python3 -c 'import os, signal, sys
signal.signal(signal.SIGINT, signal.SIG_DFL)
os.execv(sys.argv[1], sys.argv[1:])' "$IMGMOUNT" "$@" 2> "$err" &
}
# The hypervisor's command line is qemu's, also when imgmount-hv runs UML.
booting () { pgrep -f -- " -kernel .*$T/disk.img" >/dev/null; }
wait_booting () {   # wait_booting WHAT
  wait_until 300 booting
  check "$1" booting
}

# Ctrl-C at a foreground mount while its appliance boots: the terminal's
# SIGINT reaches the whole process group, the hypervisor's too.
interruptible "$T/interrupted.err" -f "$T/disk.img" "$M"
daemon=$!
wait_booting "the appliance was booting"
kill -INT -- -"$daemon"
# Bounded: an imgmount that missed the signal would mount and stay.
wait_until 300 gone "$daemon"
ended=yes
gone "$daemon" || { ended=no; kill -9 "$daemon"; }
wait "$daemon"; rc=$?
check "imgmount ended (exit $rc) on Ctrl-C while booting" test "$ended" = yes
wait_until 50 none_running "$T"
check "nothing left running after Ctrl-C while booting" nothing_left
dirs_back "no directory left after Ctrl-C while booting"

# The same Ctrl-C at a background start: it ends imgmount waiting for the
# mount, and the daemon, in a session of its own, must not go on to mount
# an image nobody waits for any more.
interruptible "$T/interrupted-bg.err" "$T/disk.img" "$M"
waiting=$!
wait_booting "background start: the appliance was booting"
kill -INT -- -"$waiting"
wait "$waiting"; rc=$?
check "background start: imgmount ended on Ctrl-C (exit $rc)" test "$rc" -ne 0
# Bounded: a daemon that went on would have mounted by then.
wait_until 300 nothing_left
check "background start: no mount and nothing running after Ctrl-C" nothing_left
for pid in $(pgrep -f -- "$T"); do kill -9 "$pid" 2>/dev/null; done
mounted "$M" && umount -l "$M"
dirs_back "background start: no directory left after Ctrl-C"
finish
