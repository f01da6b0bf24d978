#!/usr/bin/env bash
# The host filesystem holding the image fills up under a write: the writer
# gets an error (on write, fsync or close), as over a loop device, instead
# of hanging while the appliance waits for space; the mount goes on
# answering, and imgmount -u ends it and says the data did not all reach
# the image.  Nothing is left running.
. "$(dirname "$0")/../lib/common.sh"

mkdir -p "$T/small" "$T/mnt"
mount -t tmpfs -o size=24m tmpfs "$T/small" || skip "cannot mount a tmpfs here"
M=$T/mnt
mkdir -p "$T/content" && echo kept > "$T/content/kept"
make_ext4 "$T/small/disk.img" 96M "$T/content"

# A hang must show as one, not as the watchdog's EIO two minutes later.
export IMGMOUNT_CALL_TIMEOUT=600
mount_img "$T/small/disk.img" "$M" || { fail "mount"; finish; }
timeout 120 dd if=/dev/zero of="$M/big" bs=1M count=60 conv=fsync 2> "$T/dd.err"; rc=$?
check "the writer got an error, not a hang (exit $rc: $(tail -n 1 "$T/dd.err"))" \
  test "$rc" -ne 0 -a "$rc" -ne 124
assert_eq "the mount still answers, with what was there" kept "$(timeout 60 cat "$M/kept" 2>&1)"
timeout 120 "$IMGMOUNT" -u "$M" 2> "$T/unmount.err"; rc=$?
check "imgmount -u ended the mount" not mounted "$M"
check "... and failed, saying why (exit $rc: $(cat "$T/unmount.err"))" \
  eval '[ "$rc" -ne 0 ] && grep -q "refused writes (No space left on device" "$T/unmount.err"'
wait_until 50 none_running "$T"
umount "$T/small"
check "nothing left" nothing_left
finish
