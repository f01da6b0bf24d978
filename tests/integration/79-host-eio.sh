#!/usr/bin/env bash
# The host filesystem holding the image starts failing like a disk
# (tests/failing-fs) while data written through the mount is not yet in
# the image: fsync of that data fails with EIO instead of returning
# success, and imgmount -u fails, saying some data did not reach the
# image.  Two ways: every write and fsync of the image fails, or only
# fsync (what the host page cache took cannot be written back).  Nothing
# is left running.
. "$(dirname "$0")/../lib/common.sh"
FAILING_FS=${FAILING_FS:-$TOP/build/tests/failing-fs}
[ -x "$FAILING_FS" ] || { fail "no $FAILING_FS (built with imgmount)"; finish; }
M=$T/mnt
mkdir -p "$M" "$T/disk" "$T/host"
# A failing disk must show as an error, not as the watchdog's EIO.
export IMGMOUNT_CALL_TIMEOUT=600

# fails_after SIGNAL WHAT: an image on failing-fs, 8 MB written through
# the mount, then SIGNAL to failing-fs, then fsync and imgmount -u.
fails_after () {
  local signal=$1 what=$2 fs rc
  make_ext4 "$T/disk/disk.img" 64M
  "$FAILING_FS" "$T/disk" "$T/host" 2> "$T/failing-fs.err" &
  fs=$!
  wait_until 100 mounted "$T/host" || { fail "$what: failing-fs did not mount"; return; }
  mount_img "$T/host/disk.img" "$M" || { fail "$what: mount"; return; }
  head -c 8M /dev/urandom > "$M/data" || fail "$what: write through the mount"
  kill -"$signal" "$fs"
  expect_errno "$what: fsync of data the disk refused" "Input/output error" \
    timeout 300 python3 -c 'import os, sys; os.fsync(os.open(sys.argv[1], os.O_RDONLY))' "$M/data"
  timeout 120 "$IMGMOUNT" -u "$M" 2> "$T/unmount.err"; rc=$?
  check "$what: imgmount -u ended the mount" not mounted "$M"
  check "$what: ... and failed, saying why (exit $rc: $(cat "$T/unmount.err"))" \
    eval '[ "$rc" -ne 0 ] && grep -q "Input/output error" "$T/unmount.err"'
  wait_until 50 none_running "$T/host/disk.img"
  fusermount3 -u "$T/host" || fail "$what: unmount failing-fs"
  wait_gone "$fs"
  rm -f "$T/disk/disk.img"
}

fails_after USR1 "writes and syncs fail"
fails_after USR2 "syncs fail"
check "nothing left" nothing_left
finish
