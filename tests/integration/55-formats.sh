#!/usr/bin/env bash
# qcow2 images: read-write round trip, read-only never writes the file, and
# a qcow2 whose header names a backing file on the host is refused without
# that file being opened (read-write or read-only; 56-hostile-formats and
# 57-backing-allowed cover every format and --backing); and the copy round
# trip (cp -a and rsync -a of a tree in, unmount, mount again, compare,
# qemu-img check) in qcow2, vmdk, vhdx and vdi images on UML (through
# qemu-storage-daemon, which imgmount sets up); on TCG, where qemu itself
# opens the image as libguestfs asks, in vmdk only (the qcow2 part above
# covers the other half of that path).
. "$(dirname "$0")/../lib/common.sh"
command -v inotifywait >/dev/null || skip "inotifywait (inotify-tools) is not installed"
M=$T/mnt
mkdir -p "$M" "$T/content"
echo "inside qcow2" > "$T/content/hello"
make_ext4 "$T/base.raw" 64M "$T/content"
qemu-img convert -q -f raw -O qcow2 "$T/base.raw" "$T/disk.qcow2"

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

# The copy round trip in each format.
src=$T/src
mkdir -p "$src"
for d in $(seq 1 10); do
  mkdir -p "$src/d$d/inner"
  for f in $(seq 1 30); do
    head -c $(( (d * 131 + f * 17) % 9000 )) /dev/urandom > "$src/d$d/f$f"
  done
  ln -s f1 "$src/d$d/link"
  echo "inner $d" > "$src/d$d/inner/x"
done
head -c 20M /dev/urandom > "$src/big.bin"
tree_sum () { (cd "$1" && find . -type f -print0 | sort -z | xargs -0 sha256sum) | sha256sum; }
want=$(tree_sum "$src")
make_ext4 "$T/empty.raw" 128M
formats="qcow2 vmdk vhdx vdi"
[ "${IMGMOUNT_BACKEND:-tcg}" = tcg ] && formats=vmdk
for fmt in $formats; do
  img=$T/trip.$fmt
  qemu-img convert -q -f raw -O "$fmt" "$T/empty.raw" "$img"
  mount_img "$img" "$M" --format="$fmt" || { fail "$fmt: mount"; continue; }
  check "$fmt: cp -a tree in" cp -a "$src" "$M/cp-tree"
  check "$fmt: rsync -a tree in" rsync -a "$src/" "$M/rsync-tree/"
  unmount "$M" || fail "$fmt: unmount"
  mount_img "$img" "$M" --format="$fmt" --ro || { fail "$fmt: mount again"; continue; }
  assert_eq "$fmt: cp tree after remount" "$want" "$(tree_sum "$M/cp-tree")"
  assert_eq "$fmt: rsync tree after remount" "$want" "$(tree_sum "$M/rsync-tree")"
  assert_eq "$fmt: symlink kept" f1 "$(readlink "$M/cp-tree/d3/link")"
  unmount "$M" || fail "$fmt: unmount --ro"
  check "$fmt: qemu-img check" qemu-img check -q -f "$fmt" "$img"
  qemu-img convert -q -f "$fmt" -O raw "$img" "$T/trip.raw"
  check "$fmt: e2fsck of the image's contents" e2fsck -fn "$T/trip.raw"
  rm -f "$img" "$T/trip.raw"
done

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
