#!/usr/bin/env bash
# The appliance skips its LVM, MD and LDM scans only when the host found
# no trace of them on the image (backend-select/metadata-probe.c): a bare
# filesystem and plain partitions boot without them, LVM and MD RAID images
# are scanned and mount, and an image that gains LVM metadata is scanned
# the next time.
. "$(dirname "$0")/../lib/common.sh"
M=$T/mnt

# scans_for WHAT IMAGE EXPECTED MOUNT-OPTIONS...: mounts with -v, checks
# the scans imgmount chose, and leaves it mounted.
scans_for () {
  local what=$1 img=$2 want=$3; shift 3
  if ! mount_img "$img" "$M" -v "$@" 2> "$T/err"; then
    fail "$what: mount: $(grep -v '^imgmount: [a-z ]*:' "$T/err" | head -3)"; return 1
  fi
  assert_eq "$what: scans" "$want" "$(sed -n 's/^imgmount: scans in the appliance: //p' "$T/err")"
}

mkdir -p "$T/content"
echo bare > "$T/content/hello"
make_ext4 "$T/bare.img" 64M "$T/content"
scans_for "bare filesystem" "$T/bare.img" none && assert_eq "bare: content" bare "$(cat "$M/hello")"
unmount "$M" || fail "unmount"

parts=$(fixture partitioned.img build_partitioned) || { fail "fixture"; finish; }
scans_for "plain partitions" "$parts" none -m /dev/sda1 &&
  check "partitions: mounted" test -d "$M/lost+found"
unmount "$M" || fail "unmount"

lvm=$(fixture lvm.img build_lvm) || { fail "fixture"; finish; }
scans_for "LVM" "$lvm" lvm -m /dev/vgtest/lvdata
assert_eq "LVM: content" "hello from lvm" "$(cat "$M/inside-lvm.txt" 2>&1)"
unmount "$M" || fail "unmount"

md=$(fixture md.img build_md) || { fail "fixture"; finish; }
scans_for "MD RAID" "$md" md
assert_eq "MD RAID: content" "hello from md" "$(cat "$M/inside-md.txt" 2>&1)"
unmount "$M" || fail "unmount"

# The partitioned image gains LVM metadata on its second partition.  Only
# on UML: the probe that must notice is the host's, whatever the backend,
# and on TCG guestfish's own boot and one more mount cost 35 s.
if [ "${IMGMOUNT_BACKEND:-tcg}" = tcg ]; then
  check "nothing left" nothing_left
  finish
fi
guestfish -a "$parts" run : pvcreate /dev/sda2 : vgcreate vgnew /dev/sda2 : \
  lvcreate lvnew vgnew 32 : mkfs ext4 /dev/vgnew/lvnew : mount /dev/vgnew/lvnew / : \
  write /gained.txt "gained lvm" 2>/dev/null || { fail "adding LVM with guestfish"; finish; }
scans_for "image that gained LVM" "$parts" lvm -m /dev/vgnew/lvnew
assert_eq "gained LVM: content" "gained lvm" "$(cat "$M/gained.txt" 2>&1)"
unmount "$M" || fail "unmount"
check "nothing left" nothing_left
finish
