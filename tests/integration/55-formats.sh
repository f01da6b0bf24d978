#!/usr/bin/env bash
# qcow2 images: read-write round trip, read-only never writes the file, and
# a qcow2 whose header names a backing file on the host is refused without
# that file being opened (read-write or read-only; 56-hostile-formats and
# 57-backing-allowed cover every format and --backing).  UML takes raw
# images only, and says so.
. "$(dirname "$0")/../lib/common.sh"
command -v inotifywait >/dev/null || skip "inotifywait (inotify-tools) is not installed"
M=$T/mnt
mkdir -p "$M" "$T/content"
echo "inside qcow2" > "$T/content/hello"
make_ext4 "$T/base.raw" 64M "$T/content"
qemu-img convert -q -f raw -O qcow2 "$T/base.raw" "$T/disk.qcow2"

if [ "${IMGMOUNT_BACKEND:-}" = uml ]; then
  refuse "uml: qcow2 is refused with the alternative" "$IMGMOUNT" --format=qcow2 "$T/disk.qcow2" "$M"
  check "nothing left" nothing_left
  finish
fi

mount_img "$T/disk.qcow2" "$M" --format=qcow2 || { fail "qcow2 mount"; finish; }
assert_eq "read from qcow2" "inside qcow2" "$(cat "$M/hello")"
echo written > "$M/new"
unmount "$M" || fail "unmount"
mount_img "$T/disk.qcow2" "$M" --format=qcow2 --ro || { fail "qcow2 --ro mount"; finish; }
assert_eq "write kept in the qcow2" written "$(cat "$M/new")"
sum=$(sha256sum < "$T/disk.qcow2")
expect_errno "read-only qcow2 refuses writes" "Read-only file system" touch "$M/x"
unmount "$M" || fail "unmount --ro"
assert_eq "read-only mount left the qcow2 byte-identical" "$sum" "$(sha256sum < "$T/disk.qcow2")"

# A hostile image: its header names a host file as backing store.
make_ext4 "$T/secret.raw" 64M
qemu-img create -q -f qcow2 -b "$T/secret.raw" -F raw "$T/hostile.qcow2" 64M
inotifywait -q -m -e open,access --format '%e %w' "$T/secret.raw" > "$T/touched" 2>/dev/null &
watcher=$!
sleep 0.5
for mode in --rw --ro; do
  refuse "$mode: the hostile qcow2 is refused (its backing is not read)" \
    "$IMGMOUNT" "$mode" --format=qcow2 "$T/hostile.qcow2" "$M"
done
sleep 0.5
kill "$watcher"; wait "$watcher" 2>/dev/null
assert_eq "the backing file named in the image was never opened" "" "$(cat "$T/touched")"
check "nothing left" nothing_left
finish
