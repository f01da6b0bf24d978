#!/usr/bin/env bash
# The appliance is built once and reused; another or a changed libguestfs
# (a copy named by LIBGUESTFS_PATH, then one file of its supermin.d
# touched) gets a new appliance, built once, and the superseded ones,
# unused, are removed, as is the unnamed one of imgmount versions that
# kept a single appliance.
. "$(dirname "$0")/../lib/common.sh"
# The cache logic is the same for both kernels; UML's builds and boots are
# the quick ones (the host kernel's build is exercised by every TCG test).
[ "${IMGMOUNT_BACKEND:-}" = uml ] || skip "run in the UML pass only"
export IMGMOUNT_CACHE_DIR=$T/cache
make_ext4 "$T/disk.img" 64M

# builds: how many times imgmount --list -v said it built the appliance.
list_builds () {
  "$IMGMOUNT" --list -v "$T/disk.img" 2>&1 >/dev/null | grep -c "building the appliance"
}
appliances () { find "$IMGMOUNT_CACHE_DIR" -maxdepth 1 -type d -name '*appliance-*' | wc -l; }

assert_eq "first use builds the appliance" 1 "$(list_builds)"
assert_eq "the next use does not" 0 "$(list_builds)"

# A mount holds its appliance (so that it is not removed under it); another
# use of the same appliance goes ahead meanwhile, not after the unmount.
make_ext4 "$T/other.img" 64M
if mount_img "$T/other.img" "$T/mnt"; then
  check "another use while the appliance is in use" timeout 120 "$IMGMOUNT" --list "$T/disk.img"
  unmount "$T/mnt"
else
  fail "mounting $T/other.img"
fi

cp -a /usr/lib/x86_64-linux-gnu/guestfs "$T/libguestfs"
export LIBGUESTFS_PATH=$T/libguestfs
assert_eq "another libguestfs: built" 1 "$(list_builds)"
assert_eq "once" 0 "$(list_builds)"
touch -d '2001-01-01' "$T/libguestfs/supermin.d/packages"
assert_eq "a changed libguestfs: built again" 1 "$(list_builds)"
assert_eq "once" 0 "$(list_builds)"
assert_eq "the superseded appliance was removed" 1 "$(appliances)"
mkdir "$IMGMOUNT_CACHE_DIR/uml-appliance"
touch "$IMGMOUNT_CACHE_DIR/uml-appliance/"{kernel,initrd,root,README.fixed} \
  "$IMGMOUNT_CACHE_DIR/uml-appliance.lock"
assert_eq "not built again" 0 "$(list_builds)"
check "an older version's appliance was removed" \
  test ! -e "$IMGMOUNT_CACHE_DIR/uml-appliance" -a ! -e "$IMGMOUNT_CACHE_DIR/uml-appliance.lock"
check "nothing left" nothing_left
finish
