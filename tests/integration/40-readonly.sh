#!/usr/bin/env bash
# --ro: reads work, every change fails with EROFS, the image is untouched.
. "$(dirname "$0")/../lib/common.sh"

mkdir -p "$T/content/dir"
echo "read me" > "$T/content/dir/file"
make_ext4 "$T/disk.img" 64M "$T/content"
# The image on a read-only filesystem (for a user other than root, who
# cannot make one: a file and directory without write permission): a
# read-only mount must not even need write access, and a read-write one
# must say to use --ro.
mkdir -p "$T/ro"; mv "$T/disk.img" "$T/ro/"
if [ "$(id -u)" -eq 0 ]; then
  mount --bind "$T/ro" "$T/ro" && mount -o remount,bind,ro "$T/ro"
  release_ro () { umount "$T/ro"; }
else
  chmod a-w "$T/ro/disk.img" "$T/ro"
  release_ro () { chmod u+w "$T/ro"; }
fi
sum=$(sha256sum < "$T/ro/disk.img")
M=$T/mnt
mkdir -p "$M"

refuse "read-write mount of a read-only image names --ro" "$IMGMOUNT" "$T/ro/disk.img" "$M"
mount_img "$T/ro/disk.img" "$M" --ro || { fail "mount --ro"; finish; }
assert_eq "read" "read me" "$(cat "$M/dir/file")"
expect_errno "create" "Read-only file system" touch "$M/new"
expect_errno "write" "Read-only file system" sh -c "echo x >> '$M/dir/file'"
expect_errno "mkdir" "Read-only file system" mkdir "$M/d"
expect_errno "unlink" "Read-only file system" rm "$M/dir/file"
expect_errno "rename" "Read-only file system" mv "$M/dir/file" "$M/dir/moved"
expect_errno "chmod" "Read-only file system" chmod 777 "$M/dir/file"
expect_errno "setxattr" "Read-only file system" setfattr -n user.x -v 1 "$M/dir/file"
expect_errno "truncate" "Read-only file system" truncate -s 0 "$M/dir/file"
unmount "$M" || fail "unmount"
assert_eq "image byte-identical" "$sum" "$(sha256sum < "$T/ro/disk.img")"
release_ro
check "nothing left" nothing_left
finish
