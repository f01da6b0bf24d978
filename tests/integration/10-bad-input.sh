#!/usr/bin/env bash
# Bad input: each refusal is one line on stderr, a non-zero exit, nothing
# left running or mounted, and the image unchanged byte for byte.
. "$(dirname "$0")/../lib/common.sh"

make_ext4 "$T/good.img" 32M
mkdir -p "$T/mnt" "$T/dir" "$T/full"; touch "$T/full/x" "$T/file"
: > "$T/empty.img"
head -c 8M /dev/urandom > "$T/random.img"
truncate -s 16M "$T/zeros.img"
sums=$(sha256sum "$T"/*.img)

refuse "missing image" "$IMGMOUNT" "$T/missing.img" "$T/mnt"
refuse "directory as image" "$IMGMOUNT" "$T/dir" "$T/mnt"
refuse "empty image" "$IMGMOUNT" "$T/empty.img" "$T/mnt"
refuse "missing mountpoint" "$IMGMOUNT" "$T/good.img" "$T/nowhere"
refuse "file as mountpoint" "$IMGMOUNT" "$T/good.img" "$T/file"
refuse "non-empty mountpoint" "$IMGMOUNT" "$T/good.img" "$T/full"
refuse "unknown option" "$IMGMOUNT" --frobnicate "$T/good.img" "$T/mnt"
refuse "unknown format" "$IMGMOUNT" --format=exe "$T/good.img" "$T/mnt"
refuse "bad -m syntax" "$IMGMOUNT" -m sda1 "$T/good.img" "$T/mnt"
refuse "-u on a plain directory" "$IMGMOUNT" -u "$T/mnt"
refuse "TMPDIR missing" env TMPDIR="$T/no-such-dir" "$IMGMOUNT" "$T/good.img" "$T/mnt"

# No /dev/fuse: a private mount namespace with an empty /dev.  (This once
# bind-mounted /dev/null over /dev/fuse and chmod'ed it, which changed the
# host's /dev/null to mode 000: the namespace is private, the inode is not.)
null_mode=$(stat -c %a /dev/null)
if unshare -m true 2>/dev/null; then
  refuse "no /dev/fuse" unshare -m bash -c "mount -t tmpfs none /dev && exec \"$IMGMOUNT\" \"$T/good.img\" \"$T/mnt\""
fi
assert_eq "the host's /dev/null untouched" "$null_mode" "$(stat -c %a /dev/null)"

# These need the appliance to find out.
refuse "random bytes" "$IMGMOUNT" "$T/random.img" "$T/mnt"
refuse "no filesystem" "$IMGMOUNT" "$T/zeros.img" "$T/mnt"
refuse "bogus -m device" "$IMGMOUNT" -m /dev/sdz9 "$T/good.img" "$T/mnt"

# A second mount of a mounted image.
if mount_img "$T/good.img" "$T/mnt"; then
  mkdir -p "$T/mnt2"
  refuse "second read-write mount" "$IMGMOUNT" "$T/good.img" "$T/mnt2"
  refuse "second read-only mount while mounted read-write" "$IMGMOUNT" --ro "$T/good.img" "$T/mnt2"
  unmount "$T/mnt" || fail "unmount"
else
  fail "mounting the good image"
fi
# The mount above was read-write: put the image back before comparing.
make_ext4 "$T/good.img" 32M
sums_now=$(sha256sum "$T"/*.img | grep -v good.img)
assert_eq "images unchanged" "$(echo "$sums" | grep -v good.img)" "$sums_now"
check "nothing left running or mounted" nothing_left
finish
