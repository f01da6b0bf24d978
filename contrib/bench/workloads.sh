# contrib/bench/workloads.sh: the workloads, sourced by run.sh after lib.sh.
# Each records its figures with `record`; sizes come from run.sh's settings
# (UPLOAD_MB, FILE_MB, TREE, FSYNC_SAMPLES, MEM_MB, IMAGE_MB).
#   seed_session   the seed's guestfish tests on a 1 GB ext2 image
#   write_session  a fresh mount: ready, cp + fsync, fsync latency, rsync in
#   read_session   a mount after dropping host caches: cat, find -ls, rsync out
#   memory_session imgmount's peak RSS while MEM_MB are copied in
# shellcheck shell=bash

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# make_inputs: the files the workloads copy in, made once per run.
make_inputs () {
  head -c "${UPLOAD_MB}M" /dev/urandom > "$W/upload"
  head -c "${FILE_MB}M" /dev/urandom > "$W/file"
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

# timed COMMAND...: runs COMMAND, prints its duration in seconds.
timed () {
  local t
  t=$(now_ns)
  "$@" >&2
  seconds_since "$t"
}

copy_file_in () { dd if="$W/file" of="$1/file" bs=1M conv=fsync status=none; }
tree_in () { rsync -a "$W/tree/" "$1/tree/" && tool_unmount "$1"; }
tree_out () { rm -rf "$W/tree-out"; rsync -a "$1/tree/" "$W/tree-out/"; }
list_tree () { find "$1/tree" -ls > /dev/null; }
read_file () { cat "$1/file" > /dev/null; }

# write_session ROUND BACKEND TOOL: a fresh ext4 image, mounted: start-up,
# cp of FILE_MB until fsync returns, fsync latency of a 4 KB write
# (FSYNC_SAMPLES samples: median and p99), peak RSS of the daemon, then
# rsync -a of the tree in, timed until the unmount has put it in the image.
write_session () {
  local r=$1 b=$2 tool=$3 img=$W/${3//:/-}.img mnt=$W/mnt-${3//:/-}
  make_image "$img" "$IMAGE_MB" ext4
  progress "round $r $b $tool: write session"
  record "$r" "$b" "$tool" startup "$(tool_mount "$tool" "$b" "$img" "$mnt")" s
  if want cp; then record "$r" "$b" "$tool" cp "$(timed copy_file_in "$mnt")" s; fi
  if want fsync; then
    read -r med p99 < <(python3 "$BENCH_DIR/fsync-latency.py" "$mnt" "$FSYNC_SAMPLES")
    record "$r" "$b" "$tool" fsync-median "$med" ms
    record "$r" "$b" "$tool" fsync-p99 "$p99" ms
  fi
  local rss
  rss=$(tool_peak_rss_mb "$mnt")
  [ -z "$rss" ] || record "$r" "$b" "$tool" peak-rss "$rss" MB
  if want rsync; then
    record "$r" "$b" "$tool" rsync-in "$(timed tree_in "$mnt")" s
  else
    tool_unmount "$mnt"
  fi
}

# read_session ROUND BACKEND TOOL: the write session's image, mounted again
# after dropping the host's caches: cat of the file, find -ls over the tree
# (both cold), rsync -a of the tree out.
read_session () {
  local r=$1 b=$2 tool=$3 img=$W/${3//:/-}.img mnt=$W/mnt-${3//:/-}
  drop_host_caches
  progress "round $r $b $tool: read session (cold caches)"
  tool_mount "$tool" "$b" "$img" "$mnt" > /dev/null
  if want cat && want cp; then record "$r" "$b" "$tool" cat "$(timed read_file "$mnt")" s; fi
  if want find && want rsync; then record "$r" "$b" "$tool" find-ls "$(timed list_tree "$mnt")" s; fi
  if want rsync; then record "$r" "$b" "$tool" rsync-out "$(timed tree_out "$mnt")" s; fi
  tool_unmount "$mnt"
  rm -rf "$W/tree-out" "$img"
}

# memory_session ROUND BACKEND: imgmount's peak resident memory (VmHWM of
# the daemon) while MEM_MB (a multiple of FILE_MB) are copied into a fresh
# image (the input file, repeated), until fsync returns; also the copy's duration.
memory_session () {
  local r=$1 b=$2 img=$W/mem.img mnt=$W/mnt-mem t
  make_image "$img" $(( MEM_MB * 5 / 4 + 256 )) ext4
  progress "round $r $b imgmount: memory while $MEM_MB MB are copied in"
  tool_mount imgmount "$b" "$img" "$mnt" > /dev/null
  t=$(now_ns)
  for _ in $(seq $(( MEM_MB / FILE_MB ))); do cat "$W/file"; done |
    dd of="$mnt/mem" bs=1M iflag=fullblock conv=fsync status=none
  record "$r" "$b" imgmount mem-copy "$(seconds_since "$t")" s
  record "$r" "$b" imgmount mem-peak-rss "$(tool_peak_rss_mb "$mnt")" MB
  tool_unmount "$mnt"
  rm -f "$img"
}
