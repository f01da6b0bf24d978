#!/usr/bin/env bash
# What gets mounted: partitioned disks, LVM, xfs, an installed OS, and
# --list.
. "$(dirname "$0")/../lib/common.sh"

part=$(fixture partitioned.img build_partitioned) || { fail "fixture"; finish; }
M=$T/mnt

out=$("$IMGMOUNT" --list "$part") || fail "--list"
assert_eq "--list: two ext4 partitions with labels and sizes" \
  "/dev/sda1 ext4 small 41943040
/dev/sda2 ext4 large 83886080" "$(echo "$out" | tr '\t' ' ')"

err=$(mount_img "$part" "$M" 2>&1) || fail "default mount of a partitioned disk"
case $err in *"mounted the largest, /dev/sda2"*"-m DEV"*) ok "says which it chose and how to choose ($err)" ;;
  *) fail "no note on stderr: $err" ;; esac
check "the largest is mounted" test "$(( $(stat -f -c '%b*%S' "$M") / 1048576 ))" -gt 60
unmount "$M" || fail "unmount"

mount_img "$part" "$M" -m /dev/sda1 || fail "-m /dev/sda1"
check "-m mounts that one" sh -c "df -P '$M' | awk 'NR==2 {exit !(\$2 < 45000)}'"
unmount "$M" || fail "unmount"

# A whole-disk ext4 in which UML's kernel sees a phantom Acorn partition:
# the disk is mounted, not the phantom.
adfs=$(fixture adfs-lookalike.img build_adfs_lookalike) || { fail "fixture"; finish; }
if mount_img "$adfs" "$M"; then
  echo "not ADFS" > "$M/a"
  assert_eq "... all of it ($(df -P "$M" | awk 'NR==2 {print $2}') KiB)" yes \
    "$(df -P "$M" | awk 'NR==2 {print ($2 > 200000) ? "yes" : "no"}')"
  unmount "$M" || fail "unmount"
  assert_eq "... and written" "not ADFS" "$(debugfs -R 'cat /a' "$adfs" 2>/dev/null)"
else
  fail "mount a whole-disk ext4 that looks partitioned to UML's kernel"
fi

os=$(fixture os-disk.img build_os_disk) || { fail "fixture"; finish; }
mount_img "$os" "$M" || fail "mount an OS disk"
assert_eq "inspection mounts root" 12.0 "$(cat "$M/etc/debian_version" 2>&1)"
assert_eq "and /boot from its fstab" "the guest's kernel would be here" "$(cat "$M/boot/vmlinuz-test" 2>&1)"
unmount "$M" || fail "unmount"

xfs=$(fixture xfs.img build_xfs) || { fail "fixture"; finish; }
mount_img "$xfs" "$M" || fail "mount xfs"
echo "on xfs" > "$M/x" 2>/dev/null
assert_eq "xfs read/write" "on xfs" "$(cat "$M/x" 2>&1)"
unmount "$M" || fail "unmount"

lvm=$(fixture lvm.img build_lvm) || { fail "fixture"; finish; }
mount_img "$lvm" "$M" -m /dev/vgtest/lvdata || fail "-m an LVM volume"
assert_eq "LVM volume content" "hello from lvm" "$(cat "$M/inside-lvm.txt" 2>&1)"
unmount "$M" || fail "unmount"
# Without -m: the agent's device list names the volume /dev/VG/LV.
err=$(mount_img "$lvm" "$M" --ro --trace 2>&1) || fail "an LVM image without -m: $err"
assert_eq "LVM volume found without -m" "hello from lvm" "$(cat "$M/inside-lvm.txt" 2>&1)"
case $err in
  *'trace: mount_options "ro" "/dev/vgtest/lvdata" "/"'*) ok "mounted as /dev/vgtest/lvdata" ;;
  *) fail "the volume was not mounted by its LVM name: $(grep mount_options <<< "$err")" ;; esac
case $err in *"trace: lvs"*) fail "the volumes were listed by guestfsd's lvs" ;;
  *) ok "the volumes listed by the agent" ;; esac
unmount "$M" || fail "unmount"
check "nothing left" nothing_left
finish
