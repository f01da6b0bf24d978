#!/usr/bin/env bash
# A filesystem built on the host (mkfs -d) holding what a hostile or odd
# image may: 255-byte names, names with a newline, non-UTF-8 names,
# symbolic link loops, and a tree 250 directories deep whose full path is
# longer than PATH_MAX.  Each either works or fails with a clean errno: no
# crash, no hang (every walk runs under a time limit), nothing left.  The
# image itself lies at a host path of 800 bytes (UML's appliance once saw
# its kernel command line cut short by such a path, and hung).
. "$(dirname "$0")/../lib/common.sh"
M=$T/mnt
D=$T/tree
mkdir -p "$M" "$D"
long=$(printf 'n%.0s' $(seq 255))
echo "long name" > "$D/$long"
mkdir "$D/d$(printf 'x%.0s' $(seq 254))"
echo "newline" > "$D/new"$'\n'"line"
echo "latin1" > "$D/$(printf 'caf\xe9')"
echo "ctrl" > "$D/$(printf 'tab\there\x01')"
ln -s loop-b "$D/loop-a"; ln -s loop-a "$D/loop-b"; ln -s self "$D/self"
mkdir "$D/dirloop" && ln -s .. "$D/dirloop/up"
# 250 levels of 17-character names: a 4500-byte path, built one level at a
# time (the host's own syscalls take at most PATH_MAX).
(cd "$D" && for i in $(seq 250); do mkdir level-xxxxxxxxxxx && cd level-xxxxxxxxxxx || exit 1
   [ "$i" -eq 200 ] && echo "200 down" > mid.txt; done
 echo bottom > bottom.txt) || { fail "building the deep tree"; finish; }
far=$T$(for part in a b c; do printf '/%s' "$(printf "$part%.0s" $(seq 250))"; done)
mkdir -p "$far"
truncate -s 64M "$far/odd.img"
mkfs.ext4 -q -F -d "$D" "$far/odd.img" || { fail "mkfs -d"; finish; }

mount_img "$far/odd.img" "$M" || { fail "mount"; finish; }
lim () { timeout -k 5 60 "$@"; }

assert_eq "255-byte file name read" "long name" "$(lim cat "$M/$long")"
check "255-byte directory name listed" lim test -d "$M/d$(printf 'x%.0s' $(seq 254))"
expect_errno "a 256-byte name is refused" "File name too long" lim touch "$M/${long}x"
check "a new 255-byte name can be made and removed" lim sh -c "echo y > '$M/${long%n}m' && rm '$M/${long%n}m'"
assert_eq "name with a newline read" newline "$(lim cat "$M/new"$'\n'"line")"
assert_eq "non-UTF-8 name read" latin1 "$(lim cat "$M/$(printf 'caf\xe9')")"
assert_eq "control characters in a name" ctrl "$(lim cat "$M/$(printf 'tab\there\x01')")"
assert_eq "every top-level name listed" 11 "$(lim find "$M" -mindepth 1 -maxdepth 1 -printf . | wc -c)"

expect_errno "symlink loop: ELOOP" "Too many levels of symbolic links" lim cat "$M/loop-a"
expect_errno "self-loop: ELOOP" "Too many levels of symbolic links" lim cat "$M/self"
assert_eq "a looping link still reads as a link" loop-b "$(lim readlink "$M/loop-a")"
check "find -L over the loops ends" lim sh -c "find -L '$M' -maxdepth 3 >/dev/null 2>&1; true"

# The deep tree: walked relative to each directory, as a path this long
# cannot be given to the kernel in one piece.  imgmount hands the appliance
# whole paths, which it takes up to PATH_MAX: deeper, a lookup fails with
# ENAMETOOLONG (README, known limits).
deep200=$M$(printf '/level-xxxxxxxxxxx%.0s' $(seq 200))/mid.txt
assert_eq "a file 200 levels down read by its whole path" "200 down" "$(lim cat "$deep200")"
n=$(lim find "$M" -path "*level-xxxxxxxxxxx*" -type d 2>/dev/null | wc -l)
if [ "$n" -eq 250 ]; then ok "find walks 250 levels"; else
  rc=$(lim find "$M" >/dev/null 2>&1; echo $?)
  [ "$rc" -ne 124 ] && ok "find over 250 levels ends cleanly ($n found)" || fail "find hung"
fi
bottom=$({ cd "$M" && for i in $(seq 250); do cd level-xxxxxxxxxxx || exit 1; done && lim cat bottom.txt; } 2>&1)
case $bottom in
  bottom) ok "the file 250 levels down reads" ;;
  *"File name too long"*) ok "the file 250 levels down: ENAMETOOLONG ($bottom)" ;;
  *) fail "the file 250 levels down: $bottom" ;;
esac
made=$({ cd "$M" && for i in $(seq 250); do cd level-xxxxxxxxxxx || exit 1; done &&
        lim sh -c 'mkdir deeper && echo z > deeper/z && cat deeper/z'; } 2>&1)
case $made in
  z) ok "writing 251 levels down works" ;;
  *"File name too long"*) ok "writing 251 levels down: ENAMETOOLONG" ;;
  *) fail "writing 251 levels down: $made" ;;
esac
check "rm -rf of the deep tree ends" lim sh -c "rm -rf '$M/level-xxxxxxxxxxx' 2>/dev/null; true"
check "the mount still answers" lim cat "$M/$long"

unmount "$M" || fail "unmount"
check "e2fsck clean" e2fsck -fn "$far/odd.img"
check "nothing left" nothing_left
finish
