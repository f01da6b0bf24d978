#!/usr/bin/env bash
# Concurrent use of one mount: parallel writers and readers on different
# files and on one file (contents checked after), rsync -a of a tree while
# `ls -lR` runs in a loop, close + unlink + rmdir in several threads, and a
# long upload that must not hold up stat and readdir of other files beyond
# a bound.
. "$(dirname "$0")/../lib/common.sh"

# Worst stat/readdir latency allowed during the upload.  Each operation
# waits at most for the appliance call in progress (a write of at most
# 4 MiB); 10 s leaves room for a shared, noisy machine.
LATENCY_BOUND=${IMGMOUNT_LATENCY_BOUND:-10}
N=8
M=$T/mnt
make_ext4 "$T/disk.img" 1G
# Drops FILE's pages from the page cache, so that reads go to the daemon
# (dd iflag=direct is refused on FUSE without direct_io).
drop_cache () {
  python3 -c "import os, sys; os.posix_fadvise(os.open(sys.argv[1], os.O_RDONLY), 0, 0, os.POSIX_FADV_DONTNEED)" "$1"
}
mount_img "$T/disk.img" "$M" || { fail "mount"; finish; }

# ---- 8 writers and 8 readers on different files ----
mkdir -p "$T/src" "$M/par"
for i in $(seq $N); do
  head -c $((2 * 1024 * 1024 + i * 4097)) /dev/urandom > "$T/src/w$i"
  head -c $((1024 * 1024 + i * 513)) /dev/urandom > "$T/src/r$i"
  cp "$T/src/r$i" "$M/par/r$i"
done
sync -f "$M/par"
pids=()
for i in $(seq $N); do
  cp "$T/src/w$i" "$M/par/w$i" & pids+=($!)
  (for _ in 1 2; do
     drop_cache "$M/par/r$i"
     cmp "$T/src/r$i" "$M/par/r$i" || exit 1
   done) & pids+=($!)
done
errors=0
for p in "${pids[@]}"; do wait "$p" || errors=$((errors + 1)); done
assert_eq "8 writers and 8 readers on different files: no error" 0 "$errors"
bad=0
for i in $(seq $N); do cmp -s "$T/src/w$i" "$M/par/w$i" || bad=$((bad + 1)); done
assert_eq "the 8 files written in parallel hold their data" 0 "$bad"

# ---- 8 writers on one file, each its own 512 KiB region, readers too ----
region=$((512 * 1024))
head -c $((N * region)) /dev/urandom > "$T/src/one"
: > "$M/one"
pids=()
for i in $(seq 0 $((N - 1))); do
  dd if="$T/src/one" of="$M/one" bs=64K skip=$((i * 8)) seek=$((i * 8)) count=8 \
    conv=notrunc status=none & pids+=($!)
  (for _ in 1 2 3; do cat "$M/one" > /dev/null || exit 1; done) & pids+=($!)
done
errors=0
for p in "${pids[@]}"; do wait "$p" || errors=$((errors + 1)); done
assert_eq "8 writers and 8 readers on one file: no error" 0 "$errors"
check "the file written by 8 writers at once holds every region" cmp "$T/src/one" "$M/one"
drop_cache "$M/one"
check "and so does the daemon's copy, read past the page cache" cmp "$T/src/one" "$M/one"

# ---- rsync -a of a tree while ls -lR runs in a loop ----
tree=$T/tree
for d in $(seq 12); do
  mkdir -p "$tree/d$d/sub"
  for f in $(seq 15); do head -c $(((d * f * 977) % 60000)) /dev/urandom > "$tree/d$d/f$f"; done
  echo "deep $d" > "$tree/d$d/sub/deep"
  ln -s "f1" "$tree/d$d/link"
  chmod 640 "$tree/d$d/f2"
done
touch -d 2001-01-01 "$tree/d1/f1"
touch "$T/ls-running"
# rsync's temporary files may vanish between ls's readdir and its lstat:
# any other error is one.
(n=0; while [ -e "$T/ls-running" ]; do
   ls -lR "$M/copy" 2>&1 > /dev/null | grep -v "No such file or directory" >> "$T/ls-errors"
   n=$((n + 1))
 done; echo "$n" > "$T/ls-count") &
ls_pid=$!
rsync -a "$tree/" "$M/copy/"
rsync_rc=$?
rm -f "$T/ls-running"; wait "$ls_pid"
assert_eq "rsync -a while ls -lR loops" 0 "$rsync_rc"
assert_eq "ls -lR never failed during the rsync ($(cat "$T/ls-count" 2>/dev/null) listings)" "" \
  "$(cat "$T/ls-errors")"
assert_eq "the copy equals the tree (contents)" "" "$(diff -rq "$tree" "$M/copy" 2>&1)"
assert_eq "and its modes, times and links" "" \
  "$(rsync -a --dry-run --itemize-changes "$tree/" "$M/copy/" | grep -v '^\.d\.\.t\.\.\.\.\.\. \./$')"

# ---- close, unlink, rmdir at once in 4 threads ----
# close(2) returns before the kernel's RELEASE reaches the daemon, and with
# several threads the unlink that follows can be handled first, finding the
# file still open (the soak's rmdir ENOTEMPTY; 141 of 1200 rmdirs failed so).
python3 - "$M" <<'PY' && ok "close + unlink + rmdir in 4 threads: every rmdir works" || fail "close + unlink + rmdir in 4 threads"
import os, sys, threading
errors = []
def worker(t):
    base = os.path.join(sys.argv[1], "cur%d" % t)
    os.mkdir(base)
    for k in range(60):
        d = os.path.join(base, "d%d" % k)
        os.mkdir(d)
        fd = os.open(d + "/f", os.O_CREAT | os.O_RDWR, 0o644)
        fd2 = os.open(d + "/f", os.O_RDONLY)
        os.write(fd, b"x" * 100)
        os.close(fd2); os.close(fd)
        os.unlink(d + "/f")
        try:
            os.rmdir(d)
        except OSError as e:
            errors.append((d, e.strerror))
    os.rmdir(base)
threads = [threading.Thread(target=worker, args=(t,)) for t in range(4)]
for t in threads: t.start()
for t in threads: t.join()
assert not errors, (len(errors), errors[:3])
assert not [n for n in os.listdir(sys.argv[1]) if n.startswith("cur")]
PY

# ---- a long upload must not stall stat and readdir of other files ----
head -c 200M /dev/urandom > "$T/src/big"
mkdir -p "$M/other"
echo x > "$M/other/present"
start=$SECONDS
cp "$T/src/big" "$M/big" & cp_pid=$!
# Each probe reaches the daemon: a lookup of a name never seen before
# (nothing cached) and the listing of a directory just changed.
python3 - "$M/other" "$cp_pid" > "$T/probe" <<'PY'
import os, sys, time
d, cp = sys.argv[1], int(sys.argv[2])
worst_stat = worst_dir = 0.0
n = 0
def alive():
    try:
        with open("/proc/%d/stat" % cp) as f:
            return f.read().split(") ")[1][0] != "Z"
    except OSError:
        return False
while alive():
    n += 1
    t = time.monotonic()
    try:
        os.stat(os.path.join(d, "missing-%d" % n))
    except FileNotFoundError:
        pass
    worst_stat = max(worst_stat, time.monotonic() - t)
    open(os.path.join(d, "new-%d" % n), "w").close()
    t = time.monotonic()
    names = os.listdir(d)
    worst_dir = max(worst_dir, time.monotonic() - t)
    assert "new-%d" % n in names and "present" in names
    time.sleep(0.05)
print("%.3f %.3f %d" % (worst_stat, worst_dir, n))
PY
probe_rc=$?
wait "$cp_pid"; cp_rc=$?
upload_s=$((SECONDS - start))
read -r worst_stat worst_dir probes < "$T/probe"
echo "    200 MB upload: $upload_s s; $probes probes; worst stat ${worst_stat} s, worst readdir ${worst_dir} s (bound ${LATENCY_BOUND} s)"
assert_eq "the 200 MB upload succeeds" 0 "$cp_rc"
assert_eq "the probes ran without error" 0 "$probe_rc"
check "stat stays under ${LATENCY_BOUND} s during the upload (worst ${worst_stat} s)" \
  awk -v w="$worst_stat" -v b="$LATENCY_BOUND" 'BEGIN { exit !(w < b) }'
check "readdir stays under ${LATENCY_BOUND} s during the upload (worst ${worst_dir} s)" \
  awk -v w="$worst_dir" -v b="$LATENCY_BOUND" 'BEGIN { exit !(w < b) }'
check "some probes ran during the upload" test "${probes:-0}" -ge 5
check "the uploaded file is whole" cmp "$T/src/big" "$M/big"

unmount "$M" || fail "unmount"
check "e2fsck clean" e2fsck -fn "$T/disk.img"
check "nothing left" nothing_left
finish
