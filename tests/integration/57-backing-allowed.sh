#!/usr/bin/env bash
# --backing: a chain top.qcow2 -> chain/mid.qcow2 (named by absolute path)
# -> chain/base.raw (named relative to mid's directory) is refused until
# every link is allowed, with the file to allow named, and without a file
# not allowed being opened; a --backing nobody names and a chain that
# loops are refused too.  Allowed (through a symbolic link to base.raw, the same
# file), it mounts read-write and --ro: qemu holds exactly the three files
# open, the backing files read-only, and they stay byte-identical.
. "$(dirname "$0")/../lib/common.sh"
command -v inotifywait >/dev/null || skip "inotifywait (inotify-tools) is not installed"
M=$T/mnt
C=$T/chain
mkdir -p "$M" "$C" "$T/content"
echo "from base" > "$T/content/hello"
make_ext4 "$C/base.raw" 64M "$T/content"
(cd "$C" && qemu-img create -q -f qcow2 -b base.raw -F raw mid.qcow2 64M)
qemu-img create -q -f qcow2 -b "$C/mid.qcow2" -F qcow2 "$T/top.qcow2" 64M
ln -s chain/base.raw "$T/base-link.raw"
touch "$T/unused.raw"
# Two images naming each other.
qemu-img create -q -f qcow2 "$T/loop1.qcow2" 64M
qemu-img create -q -f qcow2 -b "$T/loop1.qcow2" -F qcow2 "$T/loop2.qcow2" 64M
qemu-img rebase -q -u -b "$T/loop2.qcow2" -F qcow2 "$T/loop1.qcow2"
sums=$(sha256sum "$C"/*)

# base.raw is allowed by none of the refusals below but the last two, mid
# by some (imgmount then reads its header to go on along the chain).
inotifywait -q -m -e open,access,modify --format '%e %w' "$C/base.raw" > "$T/touched" 2>/dev/null &
watcher=$!
sleep 0.5

expect_refusal () {   # expect_refusal WHAT TEXT IMGMOUNT-ARGS...
  local what=$1 text=$2 err; shift 2
  err=$("$IMGMOUNT" "$@" "$M" 2>&1 >/dev/null)
  case $err in
    imgmount:*"$text"*) [ "$(printf '%s\n' "$err" | wc -l)" -eq 1 ] && ok "$what" || fail "$what: $err" ;;
    *) fail "$what: expected '$text', got: $err" ;;
  esac
}
for mode in --rw --ro; do
  expect_refusal "$mode, no --backing: the first link is named" \
    "$T/top.qcow2: its qcow2 header names the backing file $C/mid.qcow2, which imgmount does not open unless allowed: if you trust that file, add --backing=$C/mid.qcow2" \
    "$mode" --format=qcow2 "$T/top.qcow2"
  expect_refusal "$mode, half the chain allowed: the next link is named" \
    "$C/mid.qcow2: its qcow2 header names the backing file $C/base.raw, which imgmount does not open unless allowed: if you trust that file, add --backing=$C/base.raw" \
    "$mode" --format=qcow2 --backing="$C/mid.qcow2" "$T/top.qcow2"
done
sleep 0.5
assert_eq "no file that was not allowed was opened" "" "$(cat "$T/touched")"
kill "$watcher"; wait "$watcher" 2>/dev/null
expect_refusal "a --backing no image names" "--backing=$T/unused.raw: no image names that file" \
  --format=qcow2 --backing="$C/mid.qcow2" --backing="$C/base.raw" --backing="$T/unused.raw" "$T/top.qcow2"
expect_refusal "--backing with a raw image: nothing names it" "--backing=$C/base.raw: no image names that file" \
  --backing="$C/base.raw" "$C/base.raw"
expect_refusal "a chain that loops" "comes back to" \
  --format=qcow2 --backing="$T/loop1.qcow2" --backing="$T/loop2.qcow2" "$T/loop1.qcow2"
assert_eq "refusals changed no file of the chain" "$sums" "$(sha256sum "$C"/*)"

allow=(--format=qcow2 --backing="$C/mid.qcow2" --backing="$T/base-link.raw")
# The files under $T that the qemu of this mount (qemu-storage-daemon on
# UML) holds open, each with "rw" or "ro", one a line, sorted.
qemu_files () {
  local pid fd target flags
  pid=$(pgrep -f "qemu-(system|storage-daemon).*$T/top.qcow2" | head -1)
  [ -n "$pid" ] || { echo "no qemu"; return; }
  for fd in /proc/"$pid"/fd/*; do
    target=$(readlink "$fd") || continue
    [[ $target == "$T"/* ]] || continue
    flags=$(awk '/^flags:/ { print $2 }' "/proc/$pid/fdinfo/${fd##*/}")
    if (( (8#$flags & 3) == 0 )); then echo "$target ro"; else echo "$target rw"; fi
  done | sort -u | tr '\n' ' '
}

mount_img "$T/top.qcow2" "$M" "${allow[@]}" || { fail "mount with the chain allowed"; finish; }
assert_eq "the base's file read through the chain" "from base" "$(cat "$M/hello")"
assert_eq "qemu holds exactly the chain, the backing files read-only" \
  "$C/base.raw ro $C/mid.qcow2 ro $T/top.qcow2 rw " "$(qemu_files)"
echo written > "$M/new"
unmount "$M" || fail "unmount"
assert_eq "backing files unchanged by the read-write mount" "$sums" "$(sha256sum "$C"/*)"

top_sum=$(sha256sum < "$T/top.qcow2")
mount_img "$T/top.qcow2" "$M" --ro "${allow[@]}" || { fail "--ro mount with the chain allowed"; finish; }
assert_eq "the write is in top.qcow2" written "$(cat "$M/new")"
assert_eq "--ro: qemu holds the chain read-only" \
  "$C/base.raw ro $C/mid.qcow2 ro $T/top.qcow2 ro " "$(qemu_files)"
unmount "$M" || fail "unmount --ro"
assert_eq "--ro left top.qcow2 byte-identical" "$top_sum" "$(sha256sum < "$T/top.qcow2")"
assert_eq "backing files unchanged" "$sums" "$(sha256sum "$C"/*)"
check "nothing left" nothing_left
finish
