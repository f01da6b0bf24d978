#!/usr/bin/env bash
# Files over 4 GiB (sparse), odd names, a directory of 10 000 entries.
. "$(dirname "$0")/../lib/common.sh"

M=$T/mnt
make_ext4 "$T/disk.img" 512M
mount_img "$T/disk.img" "$M" || { fail "mount"; finish; }

truncate -s 5G "$M/sparse"
printf 'past 4 GiB' | dd of="$M/sparse" bs=1 seek=$((4608 * 1024 * 1024)) conv=notrunc status=none
assert_eq "size over 4 GiB" 5368709120 "$(stat -c %s "$M/sparse")"
assert_eq "read past 4 GiB" "past 4 GiB" "$(dd if="$M/sparse" bs=1 skip=$((4608 * 1024 * 1024)) count=10 status=none)"
check "sparse: few blocks used" test "$(stat -c %b "$M/sparse")" -lt 1000
assert_eq "hole reads as zeros" "00000000" "$(dd if="$M/sparse" bs=4 skip=1000 count=1 status=none | od -An -tx1 | tr -d ' \n')"

for name in "with space" $'new\nline' "$(printf 'bad\xffutf8')" "ünïcödé" "-dash" "'quote\"" ; do
  echo "$name" > "$M/$name" && [ "$(cat "$M/$name")" = "$name" ] && ok "name: $(printf %q "$name")" \
    || fail "name: $(printf %q "$name")"
done
assert_eq "odd names listed" 6 "$(find "$M" -maxdepth 1 -type f ! -name sparse -printf . | wc -c)"

mkdir "$M/many"
(cd "$M/many" && seq 1 10000 | xargs touch)
assert_eq "10 000 entries listed" 10000 "$(ls "$M/many" | wc -l)"
assert_eq "10 000 entries stat-able" 10000 "$(find "$M/many" -type f | wc -l)"
check "ls -l of 10 000 entries" sh -c "ls -l '$M/many' | grep -c '^-' | grep -qx 10000"
rm -rf "$M/many"
check "rm -rf of 10 000 entries" test ! -e "$M/many"
unmount "$M" || fail "unmount"
check "e2fsck clean" e2fsck -fn "$T/disk.img"
check "nothing left" nothing_left
finish
