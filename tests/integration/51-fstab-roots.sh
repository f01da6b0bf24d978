#!/usr/bin/env bash
# Mounting an operating system without -m: its root found by /etc/fstab
# and os-release, and what the fstab names resolved by label, UUID,
# PARTUUID, the guest's own device names and btrfs subvolumes; two roots;
# a root without fstab.
. "$(dirname "$0")/../lib/common.sh"
M=$T/mnt

# GPT: 1 /boot ext2 BOOT; 2 root ext4 ROOTFS; 3 ext4 of a known UUID;
# 4 ext4 in a partition of a known PARTUUID; 5 ext4 labelled with a space
# and a non-ASCII letter (blkid prints them escaped).  The fstab has comments, odd
# spacing, an octal escape and lines that must not be mounted.
build_fstab_os () {
  local f=$1 d
  d=$(mktemp -d)
  mkdir -p "$d/root/etc" "$d/root/usr/lib" "$d/root/boot" "$d/root/srv/data" \
    "$d/root/mnt/my space" "$d/root/net" "$d/root/tmp" "$d/boot" "$d/data" "$d/space" \
    "$d/root/srv/two" "$d/two"
  cat > "$d/root/etc/fstab" <<'FSTAB'
# /etc/fstab: static file system information.
#
# <file system> <mount point>   <type>  <options>       <dump>  <pass>
LABEL=ROOTFS	/	ext4	errors=remount-ro	0	1
   LABEL=BOOT   /boot    ext2  defaults   0   2
UUID=0B2AD1A4-4C5E-4F3A-9D2B-1C2D3E4F5A6B /srv/data ext4 defaults 0 2
PARTUUID=6f2c7e3a-1111-4222-8333-944455556666 /mnt/my\040space ext4 defaults,nofail 0 2
LABEL=two\040wörds /srv/two ext4 defaults 0 2

/dev/vdb1 none swap sw 0 0
LABEL=NOPE /missing ext4 defaults 0 2
server:/export /net nfs defaults 0 0
tmpfs /tmp tmpfs defaults 0 0
/dev/vda4 /mnt/later ext4 noauto 0 0
FSTAB
  printf 'NAME="Debian GNU/Linux"\nID=debian\n' > "$d/root/usr/lib/os-release"
  ln -s ../usr/lib/os-release "$d/root/etc/os-release"
  echo fstab-host > "$d/root/etc/hostname"
  echo "kernel here" > "$d/boot/vmlinuz-test"
  echo "data by uuid" > "$d/data/data.txt"
  echo "by partuuid" > "$d/space/space.txt"
  echo "by a label with a space" > "$d/two/two.txt"
  rm -f "$f"; truncate -s 146M "$f"
  printf 'label: gpt\nstart=2048, size=20M\nsize=60M\nsize=20M\nsize=20M, uuid=6F2C7E3A-1111-4222-8333-944455556666\nsize=20M\n' |
    sfdisk -q "$f"
  mke2fs -q -t ext2 -L BOOT -d "$d/boot" -E offset=$((2048 * 512)) "$f" 20M
  mke2fs -q -t ext4 -L ROOTFS -d "$d/root" -E offset=$((43008 * 512)) "$f" 60M
  mke2fs -q -t ext4 -U 0b2ad1a4-4c5e-4f3a-9d2b-1c2d3e4f5a6b -d "$d/data" \
    -E offset=$((165888 * 512)) "$f" 20M
  mke2fs -q -t ext4 -L "my data" -d "$d/space" -E offset=$((206848 * 512)) "$f" 20M
  mke2fs -q -t ext4 -L "two wörds" -d "$d/two" -E offset=$((247808 * 512)) "$f" 20M
  rm -rf "$d"
}

# Two partitions, each a root whose fstab names itself.
build_two_roots () {
  local f=$1 d n
  d=$(mktemp -d)
  for n in first second; do
    mkdir -p "$d/$n/etc"
    echo "LABEL=$n / ext4 defaults 0 1" > "$d/$n/etc/fstab"
    echo "ID=debian" > "$d/$n/etc/os-release"
    echo "$n" > "$d/$n/etc/hostname"
  done
  rm -f "$f"; truncate -s 100M "$f"
  printf 'label: dos\nstart=2048, size=40M\nsize=40M\n' | sfdisk -q "$f"
  mke2fs -q -t ext4 -L first -d "$d/first" -E offset=$((2048 * 512)) "$f" 40M
  mke2fs -q -t ext4 -L second -d "$d/second" -E offset=$((83968 * 512)) "$f" 40M
  rm -rf "$d"
}

# btrfs: the root in subvolume @ (by label), /home in @home by the guest's
# virtio name, and a snapshot of @ that is no second system.
build_btrfs_os () {
  rm -f "$1"; truncate -s 300M "$1"
  guestfish -a "$1" run : part-disk /dev/sda gpt : mkfs btrfs /dev/sda1 label:BTR : \
    mount /dev/sda1 / : btrfs-subvolume-create /@ : btrfs-subvolume-create /@home : \
    umount / : mount-options subvol=@ /dev/sda1 / : mkdir /etc : mkdir /home : \
    write /etc/fstab "LABEL=BTR / btrfs subvol=@,compress=zstd 0 0
/dev/vda1 /home btrfs subvol=/@home 0 0
" : write /etc/os-release "ID=debian
" : write /etc/hostname "btrfs-host
" : mount-options subvol=@home /dev/sda1 /home : write /home/user.txt "in @home" : \
    umount /home : umount / : mount /dev/sda1 / : btrfs-subvolume-snapshot /@ /@snap
}

# A root with os-release but no fstab, smaller than the other filesystem
# (so not chosen as the largest), and which libguestfs's inspection does
# not take for a root.
build_no_fstab () {
  local f=$1 d
  d=$(mktemp -d)
  mkdir -p "$d/etc" "$d/bin" "$d/usr/bin"
  printf 'ID=debian\nVERSION_ID="12"\n' > "$d/etc/os-release"
  echo 12.0 > "$d/etc/debian_version"
  echo nofstab-host > "$d/etc/hostname"
  cp /bin/true "$d/bin/ls"; cp /bin/true "$d/usr/bin/env"
  rm -f "$f"; truncate -s 100M "$f"
  printf 'label: dos\nstart=2048, size=30M\nsize=60M\n' | sfdisk -q "$f"
  mke2fs -q -t ext4 -d "$d" -E offset=$((2048 * 512)) "$f" 30M
  mke2fs -q -t ext4 -E offset=$((63488 * 512)) "$f" 60M
  rm -rf "$d"
}

os=$(fixture fstab-os-2.img build_fstab_os) || { fail "fixture"; finish; }
err=$(mount_img "$os" "$M" -v --trace 2>&1) || fail "mount the fstab OS: $err"
# The agent's DEVICES said what the devices hold: guestfsd was not asked.
case $err in *"trace: list_devices"*|*"trace: blkid"*|*"trace: list_filesystems"*)
  fail "the devices were listed through guestfsd, not the agent" ;;
  *) ok "the devices listed by the agent, in one request" ;; esac
assert_eq "the root, found by its fstab" fstab-host "$(cat "$M/etc/hostname" 2>&1)"
assert_eq "/boot by LABEL= with odd spacing" "kernel here" "$(cat "$M/boot/vmlinuz-test" 2>&1)"
assert_eq "/srv/data by an upper-case UUID=" "data by uuid" "$(cat "$M/srv/data/data.txt" 2>&1)"
assert_eq "a PARTUUID= at an octal-escaped mount point" "by partuuid" \
  "$(cat "$M/mnt/my space/space.txt" 2>&1)"
assert_eq "a LABEL= with an escaped space and a non-ASCII letter" "by a label with a space" \
  "$(cat "$M/srv/two/two.txt" 2>&1)"
for said in "line 10: none (/dev/vdb1) not mounted: swap" \
            "line 11: /missing (LABEL=NOPE) not mounted: the image holds no such filesystem" \
            "line 12: /net (server:/export) not mounted: a network filesystem" \
            "line 13: /tmp (tmpfs) not mounted: a pseudo filesystem" \
            "line 14: /mnt/later (/dev/vda4) not mounted: noauto"; do
  case $err in *"fstab $said"*) ok "-v says: $said" ;; *) fail "-v did not say '$said': $err" ;; esac
done
echo "written through the fstab mount" > "$M/boot/new.txt" || fail "write to /boot"
unmount "$M" || fail "unmount"
mount_img "$os" "$M" -m /dev/sda1 --ro || fail "-m /dev/sda1"
assert_eq "the write landed on partition 1" "written through the fstab mount" \
  "$(cat "$M/new.txt" 2>&1)"
unmount "$M" || fail "unmount"

err=$(mount_img "$os" "$M" --ro 2>&1) || fail "read-only mount of the fstab OS: $err"
case $err in *"fstab line"*) fail "skipped lines said without -v: $err" ;; *) ok "quiet without -v" ;; esac
check "read-only: /boot from the fstab is read-only too" sh -c "! touch '$M/boot/x'"
unmount "$M" || fail "unmount"

two=$(fixture two-roots.img build_two_roots) || { fail "fixture"; finish; }
err=$(mount_img "$two" "$M" 2>&1) || fail "mount two roots: $err"
case $err in
  *"2 operating systems found (/dev/sda1, /dev/sda2); mounted /dev/sda1"*"-m DEV"*)
    ok "says which root it chose and how to choose ($err)" ;;
  *) fail "two roots: stderr was '$err'" ;;
esac
assert_eq "the first root is mounted" first "$(cat "$M/etc/hostname" 2>&1)"
unmount "$M" || fail "unmount"

btrfs=$(fixture btrfs-os.img build_btrfs_os) || { fail "fixture"; finish; }
err=$(mount_img "$btrfs" "$M" -v 2>&1) || fail "mount the btrfs OS: $err"
assert_eq "root in subvolume @" btrfs-host "$(cat "$M/etc/hostname" 2>&1)"
assert_eq "/home in @home by the guest's /dev/vda1" "in @home" "$(cat "$M/home/user.txt" 2>&1)"
case $err in *"operating systems found"*) fail "a snapshot counted as a system: $err" ;;
  *) ok "a snapshot of the root is no second system" ;; esac
# The subvolume under guestfsd's name for the disk, whichever name the
# appliance's kernel gave it (its own disk is sometimes probed first).
case $err in *"root: btrfsvol:/dev/sda1/@ "*) ok "the root named btrfsvol:/dev/sda1/@" ;;
  *) fail "the root's name: $err" ;; esac
unmount "$M" || fail "unmount"

nofstab=$(fixture no-fstab.img build_no_fstab) || { fail "fixture"; finish; }
err=$(mount_img "$nofstab" "$M" 2>&1) || fail "mount a root without fstab: $err"
assert_eq "a root without fstab, mounted alone" nofstab-host "$(cat "$M/etc/hostname" 2>&1)"
unmount "$M" || fail "unmount"
check "nothing left" nothing_left
finish
