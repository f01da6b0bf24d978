#!/usr/bin/env bash
# cp -a and rsync -a round trips, checked by checksum after a remount and
# from the image file itself after imgmount -u.
. "$(dirname "$0")/../lib/common.sh"

# A tree of a few thousand small files, and one 300 MB file (100 MB on
# TCG: the same path through the agent, at a third of the wait).
src=$T/src
mkdir -p "$src"
for d in $(seq 1 40); do
  mkdir -p "$src/d$d/inner"
  for f in $(seq 1 50); do
    head -c $(( (d * 131 + f * 17) % 5000 )) /dev/urandom > "$src/d$d/f$f"
  done
  ln -s "f1" "$src/d$d/link"
  echo "inner $d" > "$src/d$d/inner/x"
done
big_mb=300
[ "${IMGMOUNT_BACKEND:-tcg}" = tcg ] && big_mb=100
head -c ${big_mb}M /dev/urandom > "$T/big.bin"
tree_sum () { (cd "$1" && find . -type f -print0 | sort -z | xargs -0 sha256sum) | sha256sum; }
want_tree=$(tree_sum "$src")
want_big=$(sha256sum < "$T/big.bin")

make_ext4 "$T/disk.img" 1G
M=$T/mnt
mount_img "$T/disk.img" "$M" || { fail "mount"; finish; }
check "cp -a tree in" cp -a "$src" "$M/cp-tree"
check "rsync -a tree in" rsync -a "$src/" "$M/rsync-tree/"
check "cp $big_mb MB in" cp "$T/big.bin" "$M/big.bin"
check "sync" sync -f "$M/big.bin"
assert_eq "cp tree reads back" "$want_tree" "$(tree_sum "$M/cp-tree")"
check "rsync finds nothing to do" sh -c "[ -z \"\$(rsync -ai '$src/' '$M/rsync-tree/')\" ]"
unmount "$M" || fail "unmount"

mount_img "$T/disk.img" "$M" || { fail "remount"; finish; }
assert_eq "tree after remount (cp)" "$want_tree" "$(tree_sum "$M/cp-tree")"
assert_eq "tree after remount (rsync)" "$want_tree" "$(tree_sum "$M/rsync-tree")"
assert_eq "$big_mb MB file after remount" "$want_big" "$(sha256sum < "$M/big.bin")"
assert_eq "symlink kept" f1 "$(readlink "$M/cp-tree/d7/link")"
check "rsync -a out" rsync -a "$M/rsync-tree/" "$T/out/"
assert_eq "rsync out matches" "$want_tree" "$(tree_sum "$T/out")"
unmount "$M" || fail "unmount"

# Independently of imgmount: e2fsck and debugfs read the image file.
check "e2fsck clean" e2fsck -fn "$T/disk.img"
debugfs -R "dump /big.bin $T/dumped.bin" "$T/disk.img" >/dev/null 2>&1
assert_eq "$big_mb MB file in the image" "$want_big" "$(sha256sum < "$T/dumped.bin")"
check "nothing left" nothing_left
finish
