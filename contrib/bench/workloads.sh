# contrib/bench/workloads.sh: the workloads, sourced by run.sh after lib.sh.
# Each records its figures with `record`; sizes come from run.sh's settings
# (UPLOAD_MB, FILE_MB, TREE, FSYNC_SAMPLES, MEM_MB, MEM_IMAGE_MB, IMAGE_MB).
#   seed_session   the seed's guestfish tests on a 1 GB ext2 image
#   write_session  a fresh mount: ready, cp + fsync, fsync latency, rsync in
#   read_session   a mount after dropping host caches: cat, find -ls, rsync
#                  out, getxattr round trips
#   memory_session imgmount's peak RSS while MEM_MB are copied in
#   osimage_session the OS image (os-image.sh) mounted whole: imgmount
#                  automatic, imgmount -m, guestmount -i
# shellcheck shell=bash disable=SC2034  # TREE_COUNT, TREE_MB: read by run.sh

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# make_inputs: the files the workloads copy in, made once per run.
make_inputs () {
  if want seed; then head -c "${UPLOAD_MB}M" /dev/urandom > "$W/upload"; fi
  head -c "${FILE_MB}M" /dev/urandom > "$W/file"
  TREE_COUNT=0 TREE_MB=0
  want rsync find parallel || return 0
  # The tree: the first TREE_FILES files of /usr/include (0: all of it).
  mkdir -p "$W/tree"
  (cd /usr/include && find . -type f | LC_ALL=C sort |
     awk -v n="$TREE_FILES" 'n == 0 || NR <= n' > "$W/tree.list")
  rsync -a --files-from="$W/tree.list" /usr/include/ "$W/tree/"
  TREE_COUNT=$(wc -l < "$W/tree.list")
  TREE_MB=$(du -sm "$W/tree" | cut -f1)
}

# seed_session ROUND BACKEND: in one guestfish session on a fresh 1 GB ext2
# image: start-up (`run`), upload of UPLOAD_MB + sync, write-no-upload
# (fill UPLOAD_MB + sync), upload-no-write (to a null device node in the
# image; last, because the UML appliance has been seen to spin at shutdown
# after it: the session has a time limit).
seed_session () {
  local r=$1 b=$2 img=$W/seed.img out n=$(( UPLOAD_MB * 1024 * 1024 ))
  make_image "$img" 1024 ext2
  printf '%s\n' "time run" "mount /dev/sda /" "mknod-c 0666 1 3 /null" \
    "time upload $W/upload /big" "time sync" "rm /big" "sync" \
    "time fill 0 $n /fill" "time sync" "time upload $W/upload /null" > "$W/seed.fish"
  progress "round $r $b guestfish: start-up, upload, write-no-upload, upload-no-write"
  # shellcheck disable=SC2046
  out=$(env $(libguestfs_env "$b") timeout -k 5 "$SEED_TIMEOUT" \
          guestfish --format=raw -a "$img" -f "$W/seed.fish" 2>&1) || true
  local e
  mapfile -t e < <(grep -o 'elapsed time: [0-9.]*' <<< "$out" | sed 's/.* //')
  [ ${#e[@]} -ge 1 ] || { progress "guestfish failed on $b: $(tail -n 3 <<< "$out")"; return 0; }
  record "$r" "$b" guestfish startup "${e[0]}" s
  [ ${#e[@]} -lt 3 ] || record "$r" "$b" guestfish upload "$(sum "${e[1]}" "${e[2]}")" s
  [ ${#e[@]} -lt 5 ] || record "$r" "$b" guestfish write-no-upload "$(sum "${e[3]}" "${e[4]}")" s
  [ ${#e[@]} -lt 6 ] || record "$r" "$b" guestfish upload-no-write "${e[5]}" s
  # Whatever a spinning appliance left behind ends here, by pid.
  for pid in $(workdir_pids); do kill -9 "$pid" 2>/dev/null; done
  rm -f "$img"
}

sum () { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a + b }'; }

# measure ROUND BACKEND TOOL WORKLOAD COMMAND...: runs COMMAND and records
# its duration; when it fails, says so and returns 1 (nothing recorded).
measure () {
  local r=$1 b=$2 tool=$3 workload=$4 t
  shift 4
  t=$(now_ns)
  if "$@" >&2; then
    record "$r" "$b" "$tool" "$workload" "$(seconds_since "$t")" s
  else
    progress "  round $r $b $tool $workload: FAILED (tools' messages: $W/tools.log)"
    return 1
  fi
}

# mount_for ROUND BACKEND TOOL IMAGE MOUNTPOINT [WORKLOAD]: mounts; records
# the start-up as WORKLOAD when one is named.  1 if the mount failed.
mount_for () {
  local s
  if ! s=$(tool_mount "$3" "$2" "$4" "$5"); then
    progress "  round $1 $2 $3: mount FAILED: $(tail -n 2 "$W/tools.log" | tr '\n' ' ')"
    return 1
  fi
  [ -z "${6:-}" ] || record "$1" "$2" "$3" "$6" "$s" s
}

# unmount_after MOUNTPOINT: unmounts, saying so when that fails (the run goes on).
unmount_after () {
  tool_unmount "$1" || progress "  unmounting $1 FAILED"
}

copy_file_in () { dd if="$W/file" of="$1/file" bs=1M conv=fsync status=none; }
tree_in () { rsync -a "$W/tree/" "$1/tree/" && tool_unmount "$1"; }
tree_out () { rm -rf "$W/tree-out"; rsync -a "$1/tree/" "$W/tree-out/"; }
list_tree () { find "$1/tree" -ls > /dev/null; }
read_file () { cat "$1/file" > /dev/null; }
copy_mem_in () {
  local _
  for _ in $(seq $(( MEM_MB / FILE_MB ))); do cat "$W/file"; done |
    dd of="$1/mem" bs=1M iflag=fullblock conv=fsync status=none
}

# write_session ROUND BACKEND TOOL: a fresh ext4 image, mounted: start-up,
# cp of FILE_MB until fsync returns, fsync latency of a 4 KB write
# (FSYNC_SAMPLES samples: median and p99), peak RSS of the daemon, then
# rsync -a of the tree in, timed until the unmount has put it in the image.
write_session () {
  local r=$1 b=$2 tool=$3 img=$W/${3//:/-}.img mnt=$W/mnt-${3//:/-} med p99 rss
  make_image "$img" "$IMAGE_MB" ext4
  progress "round $r $b $tool: write session"
  mount_for "$r" "$b" "$tool" "$img" "$mnt" startup || return 0
  if want cp; then measure "$r" "$b" "$tool" cp copy_file_in "$mnt" || true; fi
  if want fsync && read -r med p99 < <(python3 "$BENCH_DIR/fsync-latency.py" "$mnt" "$FSYNC_SAMPLES"); then
    record "$r" "$b" "$tool" fsync-median "$med" ms
    record "$r" "$b" "$tool" fsync-p99 "$p99" ms
  fi
  rss=$(tool_peak_rss_mb "$mnt")
  [ -z "$rss" ] || record "$r" "$b" "$tool" peak-rss "$rss" MB
  if want rsync; then
    measure "$r" "$b" "$tool" rsync-in tree_in "$mnt" || unmount_after "$mnt"
  else
    unmount_after "$mnt"
  fi
}

# trees_in MOUNTPOINT: four rsyncs at once, each of its own copy of the
# tree, then the unmount; PARALLEL_RSS: the daemon's peak RSS before it.
trees_in () {
  local k pids=() failed=0
  for k in 1 2 3 4; do rsync -a "$W/tree/" "$1/tree-$k/" & pids+=($!); done
  for k in "${pids[@]}"; do wait "$k" || failed=1; done
  PARALLEL_RSS=$(tool_peak_rss_mb "$1")
  [ "$failed" = 0 ] && tool_unmount "$1"
}

# parallel_session ROUND BACKEND TOOL: a fresh image, mounted: four
# processes each copy their own copy of the tree in (rsync -a), timed
# until the unmount has put them in the image, and the daemon's peak RSS.
parallel_session () {
  local r=$1 b=$2 tool=$3 img=$W/${3//:/-}-par.img mnt=$W/mnt-${3//:/-}
  make_image "$img" "$IMAGE_MB" ext4
  progress "round $r $b $tool: parallel session"
  if mount_for "$r" "$b" "$tool" "$img" "$mnt"; then
    PARALLEL_RSS=
    measure "$r" "$b" "$tool" rsync-in-4 trees_in "$mnt" || unmount_after "$mnt"
    [ -z "$PARALLEL_RSS" ] || record "$r" "$b" "$tool" parallel-peak-rss "$PARALLEL_RSS" MB
  fi
  rm -f "$img"
}

# read_session ROUND BACKEND TOOL: the write session's image, mounted again
# after dropping the host's caches: cat of the file, find -ls over the tree
# (both cold), rsync -a of the tree out, then the unmount (with nothing to
# flush: the time the tool itself takes to let go).
read_session () {
  local r=$1 b=$2 tool=$3 img=$W/${3//:/-}.img mnt=$W/mnt-${3//:/-} med par
  [ -f "$img" ] || return 0
  drop_host_caches
  progress "round $r $b $tool: read session (cold caches)"
  if mount_for "$r" "$b" "$tool" "$img" "$mnt"; then
    if want cat && want cp; then measure "$r" "$b" "$tool" cat read_file "$mnt" || true; fi
    if want find && want rsync; then measure "$r" "$b" "$tool" find-ls list_tree "$mnt" || true; fi
    if want rsync; then measure "$r" "$b" "$tool" rsync-out tree_out "$mnt" || true; fi
    if want roundtrip && want rsync &&
       read -r med par < <(python3 "$BENCH_DIR/round-trip.py" "$mnt/tree" "$RT_CALLS"); then
      record "$r" "$b" "$tool" rt-median "$med" ms
      record "$r" "$b" "$tool" rt-parallel "$par" ms
    fi
    if want startup; then
      measure "$r" "$b" "$tool" unmount tool_unmount "$mnt" || unmount_after "$mnt"
    else
      unmount_after "$mnt"
    fi
  fi
  rm -rf "$W/tree-out" "$img"
}

# memory_session ROUND BACKEND: imgmount's peak resident memory (VmHWM of
# the daemon) while MEM_MB (a multiple of FILE_MB) are copied into a fresh
# image (the input file, repeated), until fsync returns; also the copy's
# duration.
memory_session () {
  local r=$1 b=$2 img=$W/mem.img mnt=$W/mnt-mem
  make_image "$img" "$MEM_IMAGE_MB" ext4
  progress "round $r $b imgmount: memory while $MEM_MB MB are copied in"
  if mount_for "$r" "$b" imgmount "$img" "$mnt"; then
    if measure "$r" "$b" imgmount mem-copy copy_mem_in "$mnt"; then
      record "$r" "$b" imgmount mem-peak-rss "$(tool_peak_rss_mb "$mnt")" MB
    fi
    unmount_after "$mnt"
  fi
  rm -f "$img"
}

# The OS image's filesystems, named for imgmount -m (os-image.sh's recipe).
OSIMAGE_MOUNTS=(-m /dev/vg0/root -m /dev/sda1:/boot)

# osimage_session ROUND BACKEND: the OS image ($OS_IMAGE, built by
# os-image.sh) mounted whole, read-only, three ways, one after the other
# (who goes first alternates from round to round): imgmount with no -m
# (it finds the OS by itself), imgmount with -m naming its filesystems, and
# guestmount -i.  Each records osimage, the seconds until the mount command
# has returned and `cat MOUNTPOINT/etc/hostname` works, then
# osimage-unmount, until the appliance has let go of the image.  Host
# caches are warm, as for the other start-ups.
osimage_session () {
  local r=$1 b=$2 list=() i
  has_tool imgmount && list+=(imgmount imgmount-m)
  has_tool guestmount && list+=(guestmount)
  if [ $((r % 2)) -eq 0 ]; then
    for ((i = ${#list[@]} - 1; i >= 0; i--)); do osimage_mount "$r" "$b" "${list[i]}"; done
  else
    for i in "${list[@]}"; do osimage_mount "$r" "$b" "$i"; done
  fi
}

# osimage_mount ROUND BACKEND TOOL: one mount of the OS image by TOOL
# (imgmount, imgmount-m or guestmount), timed, then its unmount, timed.
osimage_mount () {
  local r=$1 b=$2 tool=$3 mnt=$W/mnt-os-$3 t rc=0
  mkdir -p "$mnt"
  echo "$tool" > "$mnt.tool"
  rm -f "$mnt.pid"
  progress "round $r $b $tool: the OS image"
  t=$(now_ns)
  # imgmount -v times its phases: "finding and mounting the filesystems"
  # is the part automatic and -m differ in, without the boot's noise.
  case $tool in
    imgmount) "$IMGMOUNT" -q -v --ro --backend="$b" --pid-file "$mnt.pid" "$OS_IMAGE" "$mnt" ;;
    imgmount-m) "$IMGMOUNT" -q -v --ro --backend="$b" --pid-file "$mnt.pid" "${OSIMAGE_MOUNTS[@]}" \
                  "$OS_IMAGE" "$mnt" ;;
    guestmount)
      # shellcheck disable=SC2046
      env $(libguestfs_env "$b") timeout 300 guestmount --format=raw --ro -i -a "$OS_IMAGE" \
        --pid-file "$mnt.pid" "$mnt" ;;
  esac > "$W/osimage.log" 2>&1 || rc=$?
  cat "$W/osimage.log" >> "$W/tools.log"
  local deadline=$(( $(date +%s) + 300 ))
  while [ "$rc" = 0 ] && ! cat "$mnt/etc/hostname" > /dev/null 2>&1; do
    [ "$(date +%s)" -lt "$deadline" ] || rc=timeout
    sleep 0.01
  done
  if [ "$rc" != 0 ]; then
    progress "  round $r $b $tool osimage: FAILED ($rc): $(tail -n 2 "$W/tools.log" | tr '\n' ' ')"
    clear_mountpoint "$mnt"
    return 0
  fi
  record "$r" "$b" "$tool" osimage "$(seconds_since "$t")" s
  local phase
  phase=$(sed -n 's/^imgmount: finding and mounting the filesystems: \([0-9.]*\) s$/\1/p' "$W/osimage.log")
  [ -n "$phase" ] && record "$r" "$b" "$tool" osimage-find "$phase" s
  # The same filesystems for all three: /boot too (its lost+found).
  [ -d "$mnt/boot/lost+found" ] || progress "  round $r $b $tool osimage: /boot is NOT mounted"
  measure "$r" "$b" "$tool" osimage-unmount osimage_unmount "$mnt" || unmount_after "$mnt"
}

# osimage_unmount MOUNTPOINT: the unmount, then until no process holds the
# lock a hypervisor takes on the image (the byte imgmount tests before it
# opens an image: image/image-check.c).  guestmount on UML has been seen
# to exit while its UML appliance (run by imgmount-hv) still held it for
# seconds: the next imgmount of the image failed with "in use by another
# program".
osimage_unmount () {
  tool_unmount "$1" && python3 - "$OS_IMAGE" <<'EOF'
import fcntl, os, struct, sys, time
F_OFD_GETLK, QEMU_LOCK_BYTE_WRITE = 36, 101
fd = os.open(sys.argv[1], os.O_RDONLY)
deadline = time.monotonic() + 60
while True:
    typ, _, _, _, pid = struct.unpack("hhqqi", fcntl.fcntl(fd, F_OFD_GETLK, struct.pack(
        "hhqqi", fcntl.F_WRLCK, os.SEEK_SET, QEMU_LOCK_BYTE_WRITE, 1, 0)))
    if typ == fcntl.F_UNLCK:
        break
    if time.monotonic() > deadline:
        sys.exit("%s: still locked (by pid %d) 60 s after the unmount" % (sys.argv[1], pid))
    time.sleep(0.02)
EOF
}
