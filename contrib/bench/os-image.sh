#!/usr/bin/env bash
# contrib/bench/os-image.sh: the benchmark's "OS image", a real Debian
# system built once and cached, like the appliance, in imgmount's cache
# directory ($IMGMOUNT_CACHE_DIR, or /var/cache/imgmount for root, or
# ~/.cache/imgmount).  Sourced by run.sh (os_image_path, os_image_build);
# run on its own, it builds the image if needed and prints its path.
#
# The recipe: mmdebstrap --variant=minbase bookworm from Debian's packages
# (into a tarball; as root, mmdebstrap's mode is root, otherwise unshare),
# then a sparse disk made with guestfish (its own appliance, TCG): GPT;
# partition 1 is /boot, ext2 labelled BOOT; partition 2 is an LVM PV of
# vg0, whose LV root is /, ext4 labelled ROOTFS; /etc/fstab by LABEL=;
# /etc/hostname.  The cached file's name carries OS_IMAGE_RECIPE: change
# the recipe, change the string, and the next run builds the new image
# (and removes the old ones).
# shellcheck shell=bash

OS_IMAGE_RECIPE=bookworm-minbase-gpt-boot-lvm-1
OS_IMAGE_MB=1536
OS_IMAGE_BOOT_MB=256
OS_IMAGE_HOSTNAME=imgmount-bench-os

# os_image_cache_dir: imgmount's cache directory, as backend-select/cache-dir.c
# chooses it.
os_image_cache_dir () {
  local dir
  if [ -n "${IMGMOUNT_CACHE_DIR:-}" ]; then dir=$IMGMOUNT_CACHE_DIR
  elif [ "$(id -u)" -eq 0 ]; then dir=/var/cache/imgmount
  elif [ -n "${XDG_CACHE_HOME:-}" ]; then dir=$XDG_CACHE_HOME/imgmount
  else dir=$HOME/.cache/imgmount
  fi
  mkdir -p "$dir" && echo "$dir"
}

os_image_path () { echo "$(os_image_cache_dir)/bench-os-image-$OS_IMAGE_RECIPE.img"; }

# os_image_build: makes the cached image unless it is there already (under
# a lock, so that two benchmarks running at once build it once); prints
# its path.  Progress on stderr.
os_image_build () {
  local img; img=$(os_image_path) || return 1
  (
    exec 9> "$img.lock"
    flock 9
    [ -s "$img" ] && exit 0
    _os_image_make "$img"
  ) || return 1
  echo "$img"
}

_os_image_say () { if declare -F progress >/dev/null; then progress "$*"; else echo "$*" >&2; fi; }

# _os_image_make IMG: builds IMG (the lock is held).
_os_image_make () {
  local img=$1 tmp t0 rc=0 mode=unshare
  t0=$(date +%s)
  [ "$(id -u)" -eq 0 ] && mode=root
  tmp=$(mktemp -d "${TMPDIR:-/var/tmp}/imgmount-os-image.XXXXXX") || return 1
  _os_image_say "OS image: building $img (mmdebstrap --variant=minbase bookworm, mode $mode)"
  if ! mmdebstrap --quiet --mode="$mode" --variant=minbase bookworm "$tmp/rootfs.tar" \
         > "$tmp/mmdebstrap.log" 2>&1; then
    _os_image_say "OS image: mmdebstrap failed: $(tail -n 3 "$tmp/mmdebstrap.log" | tr '\n' ' ')"
    rm -rf "$tmp"
    return 1
  fi
  printf 'LABEL=ROOTFS / ext4 errors=remount-ro 0 1\nLABEL=BOOT /boot ext2 defaults 0 2\n' > "$tmp/fstab"
  echo "$OS_IMAGE_HOSTNAME" > "$tmp/hostname"
  rm -f "$img.partial"
  truncate -s "${OS_IMAGE_MB}M" "$img.partial"
  # Sectors of 512 bytes; /boot from 1 MiB, the PV after it up to the
  # backup GPT (the last 34 sectors).
  local boot_end=$(( 2048 + OS_IMAGE_BOOT_MB * 2048 - 1 ))
  # Mounting /boot before tar-in puts the tarball's /boot on partition 1.
  LIBGUESTFS_BACKEND=direct LIBGUESTFS_BACKEND_SETTINGS=force_tcg \
    timeout 1200 guestfish --format=raw -a "$img.partial" > "$tmp/guestfish.log" 2>&1 <<EOF || rc=$?
run
part-init /dev/sda gpt
part-add /dev/sda p 2048 $boot_end
part-add /dev/sda p $(( boot_end + 1 )) -34
mkfs ext2 /dev/sda1 label:BOOT
pvcreate /dev/sda2
vgcreate vg0 /dev/sda2
lvcreate-free root vg0 100
mkfs ext4 /dev/vg0/root label:ROOTFS
mount /dev/vg0/root /
mkdir-p /boot
mount /dev/sda1 /boot
tar-in $tmp/rootfs.tar / xattrs:true
upload $tmp/fstab /etc/fstab
upload $tmp/hostname /etc/hostname
umount-all
EOF
  if [ "$rc" -ne 0 ]; then
    _os_image_say "OS image: guestfish failed ($rc): $(tail -n 3 "$tmp/guestfish.log" | tr '\n' ' ')"
    rm -rf "$tmp" "$img.partial"
    return 1
  fi
  # Older recipes' images go; this one takes their place.
  local old
  for old in "$(dirname "$img")"/bench-os-image-*.img; do
    [ "$old" = "$img" ] || [ ! -e "$old" ] || rm -f "$old" "$old.lock"
  done
  mv "$img.partial" "$img"
  rm -rf "$tmp"
  _os_image_say "OS image built in $(( $(date +%s) - t0 )) s: $img ($(du -m "$img" | cut -f1) MB used of $OS_IMAGE_MB)"
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -euo pipefail
  os_image_build
fi
