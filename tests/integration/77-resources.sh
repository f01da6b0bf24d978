#!/usr/bin/env bash
# The daemon's resources stay flat: its open files and resident memory do
# not grow over 10 000 open/close cycles (after a warm-up) nor with the
# number of files written, and a few mount/unmount cycles
# (contrib/mount-cycles.sh) leave nothing behind.
. "$(dirname "$0")/../lib/common.sh"

CYCLES=10000 WARMUP=1000
FD_SLACK=2          # descriptors
RSS_SLACK_KB=2048   # malloc may keep a little more after a burst
M=$T/mnt
make_ext4 "$T/disk.img" 256M
mount_img "$T/disk.img" "$M" --pid-file "$T/pid" || { fail "mount"; finish; }
pid=$(cat "$T/pid")
fds () { ls "/proc/$pid/fd" | wc -l; }
rss_kb () { awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status"; }

mkdir "$M/files"
for i in $(seq 50); do echo "file $i" > "$M/files/f$i"; done

# open_close N: N cycles of open, fstat, close over the 50 files; every
# 25th also writes (a buffered write flushed at close), every 20th also
# opens and closes the directory (an opendir in the appliance).
open_close () {
  python3 - "$M/files" "$1" <<'PY'
import os, sys
d, n = sys.argv[1], int(sys.argv[2])
for k in range(n):
    fd = os.open(os.path.join(d, "f%d" % (k % 50 + 1)), os.O_RDWR)
    if k % 25 == 0:
        os.pwrite(fd, b"cycle %d\n" % k, 0)
    os.fstat(fd)
    os.close(fd)
    if k % 20 == 0:
        os.close(os.open(d, os.O_RDONLY | os.O_DIRECTORY))
PY
}

open_close "$WARMUP" || fail "warm-up cycles"
sleep 1   # releases are asynchronous
fds0=$(fds) rss0=$(rss_kb)
start=$SECONDS
open_close "$CYCLES" || fail "open/close cycles"
sleep 1
fds1=$(fds) rss1=$(rss_kb)
echo "    $CYCLES open/close cycles in $((SECONDS - start)) s: daemon fds $fds0 -> $fds1, VmRSS $rss0 -> $rss1 kB"
check "open files flat over $CYCLES open/close cycles ($fds0 -> $fds1, slack $FD_SLACK)" \
  test "$fds1" -le $((fds0 + FD_SLACK))
check "resident memory flat over $CYCLES open/close cycles ($rss0 -> $rss1 kB, slack $RSS_SLACK_KB kB)" \
  test "$rss1" -le $((rss0 + RSS_SLACK_KB))
assert_eq "the last write is there" "cycle 9975" "$(head -1 "$M/files/f26")"

# Files written and closed keep no write buffer: 200 files of 256 KiB
# (each buffered whole until its close) leave the daemon's resident
# memory within a few buffers of where it was.
WRITTEN_SLACK_KB=16384
rss0=$(rss_kb)
mkdir "$M/written"
head -c 256K /dev/urandom > "$T/256k"
for i in $(seq 200); do cp "$T/256k" "$M/written/w$i" || fail "write w$i"; done
sleep 1
rss1=$(rss_kb)
check "resident memory after 200 files of 256 KiB were written and closed ($rss0 -> $rss1 kB, slack $WRITTEN_SLACK_KB kB)" \
  test "$rss1" -le $((rss0 + WRITTEN_SLACK_KB))
check "... and they are whole" cmp "$T/256k" "$M/written/w200"
unmount "$M" || fail "unmount"
check "e2fsck clean" e2fsck -fn "$T/disk.img"

bash "$TOP/contrib/mount-cycles.sh" --cycles "${IMGMOUNT_MOUNT_CYCLES:-2}" \
  --backend "${IMGMOUNT_BACKEND:-tcg}" --workdir "$T/cycles" > "$T/cycles.out" 2>&1
rc=$?
sed 's/^/    /' "$T/cycles.out"
assert_eq "mount/unmount cycles leave no process, mount, runtime or temporary file, no extra fd" 0 "$rc"
check "nothing left" nothing_left
finish
