#!/usr/bin/env bash
# Files over 4 GiB (sparse), odd names, a listing of 1500 files with
# their attributes, a directory of 10 000 entries (2000 on TCG: the large
# directory tests fsops and the agent, not the hypervisor, and TCG takes
# three times as long).
. "$(dirname "$0")/../lib/common.sh"

M=$T/mnt
# 1500 files of distinct sizes and modes, made on the host.
mkdir -p "$T/tree/varied"
python3 - "$T/tree/varied" <<'PY'
import os, sys
for k in range(1500):
    p = os.path.join(sys.argv[1], "f%04d" % k)
    with open(p, "wb") as f:
        f.write(b"x" * k)
    os.chmod(p, 0o600 + (k % 64))
PY
make_ext4 "$T/disk.img" 512M "$T/tree"
mount_img "$T/disk.img" "$M" || { fail "mount"; finish; }

truncate -s 5G "$M/sparse"
printf 'past 4 GiB' | dd of="$M/sparse" bs=1 seek=$((4608 * 1024 * 1024)) conv=notrunc status=none
assert_eq "size over 4 GiB" 5368709120 "$(stat -c %s "$M/sparse")"
assert_eq "read past 4 GiB" "past 4 GiB" "$(dd if="$M/sparse" bs=1 skip=$((4608 * 1024 * 1024)) count=10 status=none)"
check "sparse: few blocks used" test "$(stat -c %b "$M/sparse")" -lt 1000
assert_eq "hole reads as zeros" "00000000" "$(dd if="$M/sparse" bs=4 skip=1000 count=1 status=none | od -An -tx1 | tr -d ' \n')"
# SEEK_DATA and SEEK_HOLE are the guest's: the one data block past 4 GiB.
python3 - "$M/sparse" <<'PY' && ok "SEEK_DATA and SEEK_HOLE find the data block" || fail "SEEK_DATA/SEEK_HOLE"
import os, sys
fd = os.open(sys.argv[1], os.O_RDONLY)
data = os.lseek(fd, 0, os.SEEK_DATA)
hole = os.lseek(fd, data, os.SEEK_HOLE)
assert data == 4608 << 20, data
assert data < hole < (5 << 30), hole
assert os.lseek(fd, hole, os.SEEK_HOLE) == hole
try:
    os.lseek(fd, hole, os.SEEK_DATA)
    raise SystemExit("data after the only block")
except OSError as e:
    assert e.errno == 6, e          # ENXIO
PY

for name in "with space" $'new\nline' "$(printf 'bad\xffutf8')" "ünïcödé" "-dash" "'quote\"" ; do
  echo "$name" > "$M/$name" && [ "$(cat "$M/$name")" = "$name" ] && ok "name: $(printf %q "$name")" \
    || fail "name: $(printf %q "$name")"
done
assert_eq "odd names listed" 6 "$(find "$M" -maxdepth 1 -type f ! -name sparse -printf . | wc -c)"

# Listed from cold caches, every entry has its own attributes, also past
# the first page of the listing (where the kernel's adaptive readdirplus
# would stop sending them).
sync; echo 3 > /proc/sys/vm/drop_caches
assert_eq "find -ls of 1500 entries: sizes and modes as made" \
  "$(cd "$T/tree/varied" && find . -mindepth 1 -printf '%p %s %m\n' | sort)" \
  "$(cd "$M/varied" && find . -mindepth 1 -printf '%p %s %m\n' | sort)"

n=10000
[ "${IMGMOUNT_BACKEND:-tcg}" = tcg ] && n=2000
mkdir "$M/many"
(cd "$M/many" && seq 1 $n | xargs touch)
assert_eq "$n entries listed" $n "$(ls "$M/many" | wc -l)"
assert_eq "$n entries stat-able" $n "$(find "$M/many" -type f | wc -l)"
check "ls -l of $n entries" sh -c "ls -l '$M/many' | grep -c '^-' | grep -qx $n"
rm -rf "$M/many"
check "rm -rf of $n entries" test ! -e "$M/many"
unmount "$M" || fail "unmount"
check "e2fsck clean" e2fsck -fn "$T/disk.img"
check "nothing left" nothing_left
finish
