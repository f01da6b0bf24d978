#!/usr/bin/env bash
# 1 GB through the UML appliance's channel (imgmount-console, vhost-user
# virtio-console) in each direction, checked by checksum: in through the
# mount, out through a fresh mount (nothing cached), and from the image
# file itself.  qemu's virtio-serial needs no such test of ours: the TCG
# pass skips it to keep the suite's time down.
. "$(dirname "$0")/../lib/common.sh"
[ "${IMGMOUNT_BACKEND:-}" = uml ] || skip "exercises the UML channel only"

head -c 1G /dev/urandom > "$T/in.bin"
want=$(sha256sum < "$T/in.bin")
make_ext4 "$T/disk.img" 1200M
M=$T/mnt
mount_img "$T/disk.img" "$M" || { fail "mount"; finish; }
start=$SECONDS
check "1 GB in" cp "$T/in.bin" "$M/in.bin"
check "fsync" sync -f "$M/in.bin"
ok "in: $((SECONDS - start)) s"
unmount "$M" || fail "unmount"
rm -f "$T/in.bin"   # keep at most two copies on disk

mount_img "$T/disk.img" "$M" || { fail "remount"; finish; }
start=$SECONDS
check "1 GB out" cp "$M/in.bin" "$T/out.bin"
ok "out: $((SECONDS - start)) s"
assert_eq "what came out is what went in" "$want" "$(sha256sum < "$T/out.bin")"
unmount "$M" || fail "unmount"
rm -f "$T/out.bin"

debugfs -R "dump /in.bin $T/dumped.bin" "$T/disk.img" >/dev/null 2>&1
assert_eq "and it is in the image file" "$want" "$(sha256sum < "$T/dumped.bin")"
check "e2fsck clean" e2fsck -fn "$T/disk.img"
finish
