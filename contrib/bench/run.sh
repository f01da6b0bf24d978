#!/usr/bin/env bash
# contrib/bench/run.sh [OPTIONS]: imgmount's benchmark suite, one command.
# For each backend (tcg, uml; kvm when imgmount's KVM probe says it works)
# it reproduces the seed's guestfish tests (start-up, upload, upload-no-write,
# write-no-upload on a 1 GB ext2 image) and times workloads through the
# mount (start-up, cp + fsync, cold cat, rsync of a tree in and out, cold
# find -ls, fsync latency, peak RSS) for imgmount and guestmount side by
# side on the same backend, with fuse2fs and a kernel loop mount as
# reference ceilings, and the start-up of a real OS image (os-image.sh:
# Debian, LVM root, separate /boot) mounted by imgmount with and without -m
# and by guestmount -i.  Rounds are interleaved (tools alternate within a
# round); it reports medians, and imgmount/guestmount ratios taken per round
# then their median, as a markdown table, a JSON file and a gnuplot chart.
# Run as root (mounts, drop_caches); cleans everything up, also on Ctrl-C.
set -euo pipefail
BENCH_DIR=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=contrib/bench/lib.sh
. "$BENCH_DIR/lib.sh"
# shellcheck source=contrib/bench/workloads.sh
. "$BENCH_DIR/workloads.sh"
# shellcheck source=contrib/bench/os-image.sh
. "$BENCH_DIR/os-image.sh"

usage () {
  cat <<EOF
usage: contrib/bench/run.sh [OPTIONS]
  --quick            a small smoke run: 1 round, 50 MB upload, 20 MB file,
                     300-file tree, 5 fsync samples, 60 MB memory copy
  --rounds N         rounds, interleaved (default $ROUNDS)
  --backends LIST    comma-separated: uml,tcg,kvm (default: uml,tcg, plus
                     kvm when its probe works)
  --tools LIST       imgmount,guestmount,fuse2fs,loop (default: all)
  --cache LIST       imgmount cache modes to compare, e.g.
                     writeback,none,unsafe (default: writeback)
  --sandbox LIST     imgmount sandbox modes to compare, e.g. on,off
                     (default: on): what the confinement costs
  --workloads LIST   seed,startup,cp,cat,rsync,find,roundtrip,fsync,parallel,
                     mem,osimage (default: all; the mount start-up is
                     measured whenever the mount is, the unmount with
                     startup; roundtrip: getxattr through the mount, one at
                     a time and from 32 threads, on the rsync tree;
                     parallel: 4 rsyncs of the tree in at once, until
                     unmounted, and the daemon's peak RSS).  osimage: a
                     Debian image, built once with mmdebstrap and cached in
                     imgmount's cache directory, mounted read-only by
                     imgmount (automatic), imgmount -m and guestmount -i
  --upload-mb N      the seed's upload size (default $UPLOAD_MB)
  --file-mb N        the cp/cat file (default $FILE_MB)
  --tree-files N     files of /usr/include in the rsync tree, 0 for all
                     (default $TREE_FILES)
  --fsync-samples N  4 KB write+fsync samples (default $FSYNC_SAMPLES)
  --mem-mb N         MB copied in while imgmount's memory is watched, in
                     round 1 only; a multiple of --file-mb; 0 to skip
                     (default $MEM_MB)
  --image-mb N       the ext4 image of the mount workloads (default $IMAGE_MB)
  --out DIR          where results go (default build/bench/DATE)
  --publish          also copy results.md, results.json and chart.svg to
                     contrib/bench/ (RESULTS.md, results.json, chart.svg)
EOF
}

ROUNDS=3 UPLOAD_MB=500 FILE_MB=100 TREE_FILES=500 FSYNC_SAMPLES=20 MEM_MB=300
IMAGE_MB=1024 BACKENDS='' TOOLS=imgmount,guestmount,fuse2fs,loop CACHE_MODES=writeback
SANDBOX_MODES=on
WORKLOADS=seed,startup,cp,cat,rsync,find,roundtrip,fsync,parallel,mem,osimage OUT='' PUBLISH=''
RT_CALLS=100   # getxattr calls of the roundtrip workload, per thread

parse_args () {
  while [ $# -gt 0 ]; do
    case $1 in
      --quick) ROUNDS=1 UPLOAD_MB=50 FILE_MB=20 TREE_FILES=300 FSYNC_SAMPLES=5 MEM_MB=60 IMAGE_MB=256 ;;
      --rounds) ROUNDS=$2; shift ;;
      --backends) BACKENDS=$2; shift ;;
      --tools) TOOLS=$2; shift ;;
      --cache) CACHE_MODES=$2; shift ;;
      --sandbox) SANDBOX_MODES=$2; shift ;;
      --workloads) WORKLOADS=$2; shift ;;
      --upload-mb) UPLOAD_MB=$2; shift ;;
      --file-mb) FILE_MB=$2; shift ;;
      --tree-files) TREE_FILES=$2; shift ;;
      --fsync-samples) FSYNC_SAMPLES=$2; shift ;;
      --mem-mb) MEM_MB=$2; shift ;;
      --image-mb) IMAGE_MB=$2; shift ;;
      --out) OUT=$2; shift ;;
      --publish) PUBLISH=yes ;;
      -h|--help) usage; exit 0 ;;
      *) usage >&2; exit 2 ;;
    esac
    shift
  done
  local n
  for n in "$ROUNDS" "$UPLOAD_MB" "$FILE_MB" "$TREE_FILES" "$FSYNC_SAMPLES" "$MEM_MB" "$IMAGE_MB"; do
    [[ $n =~ ^[0-9]+$ ]] || { echo "run.sh: not a number: $n" >&2; exit 2; }
  done
  if [ "$ROUNDS" -lt 1 ] || [ "$FILE_MB" -lt 1 ] || [ "$FSYNC_SAMPLES" -lt 1 ]; then
    echo "run.sh: --rounds, --file-mb and --fsync-samples must be at least 1" >&2
    exit 2
  fi
}

# want WORKLOAD...: whether one of the WORKLOADs was asked for.
want () {
  local w
  for w; do [[ ,$WORKLOADS, == *,$w,* ]] && return 0; done
  return 1
}
has_tool () { [[ ,$TOOLS, == *,$1,* ]]; }

# appliance_tools: the tools that run on a backend, in this round's order:
# imgmount (one per cache mode) and guestmount alternate, and who goes first
# alternates from round to round.
appliance_tools () {
  local round=$1 list=() mode
  if has_tool imgmount; then
    for mode in ${CACHE_MODES//,/ }; do
      [ "$mode" = writeback ] && list+=(imgmount) || list+=("imgmount:$mode")
    done
    for mode in ${SANDBOX_MODES//,/ }; do
      [ "$mode" = on ] || list+=("imgmount:sandbox-$mode")
    done
  fi
  has_tool guestmount && list+=(guestmount)
  if [ $((round % 2)) -eq 0 ]; then
    local i; for ((i = ${#list[@]} - 1; i >= 0; i--)); do echo "${list[i]}"; done
  else
    printf '%s\n' "${list[@]}"
  fi
}

# host_tools: fuse2fs and the loop mount, which need no backend.
host_tools () {
  has_tool fuse2fs && command -v fuse2fs >/dev/null && echo fuse2fs
  has_tool loop && echo loop
  return 0
}

# prepare: dependencies, the build, the backends, the inputs.
prepare () {
  [ "$(id -u)" -eq 0 ] || { echo "run.sh: run as root (mounts, drop_caches)" >&2; exit 2; }
  bash "$BENCH_TOP/contrib/deps.sh" --bench
  if [ ! -x "$IMGMOUNT" ]; then
    progress "building imgmount"
    [ -d "$BUILD" ] || meson setup "$BUILD" "$BENCH_TOP" >/dev/null
    ninja -C "$BUILD" >/dev/null
  fi
  bench_workdir_create
  if want osimage; then
    OS_IMAGE=$(os_image_build) || { echo "run.sh: could not build the OS image" >&2; exit 1; }
    progress "OS image: $OS_IMAGE"
  fi
  BENCH_RESULTS=$W/results.tsv
  : > "$BENCH_RESULTS"
  if [ -z "$BACKENDS" ]; then
    BACKENDS=uml,tcg
    if kvm_usable; then BACKENDS=$BACKENDS,kvm; else progress "kvm: its probe fails here, skipped"; fi
  fi
  [ -n "$OUT" ] || OUT=$BUILD/bench/$(date -u +%Y%m%dT%H%M%SZ)
  mkdir -p "$OUT"
  MEM_MB=$(( (MEM_MB + FILE_MB - 1) / FILE_MB * FILE_MB ))
  MEM_IMAGE_MB=$(( MEM_MB * 5 / 4 + 256 ))   # the memory copy's own image, with room
  SEED_TIMEOUT=$(( 120 + UPLOAD_MB ))   # used by seed_session
  progress "making the input files"
  make_inputs
  [ "$TREE_COUNT" = 0 ] || progress "tree: $TREE_COUNT files, $TREE_MB MB"
  local b
  for b in ${BACKENDS//,/ }; do
    progress "warming up $b (appliance built if needed; untimed)"
    warm_backend "$b"
  done
}

# run_round ROUND: every workload once on every backend, interleaved.
run_round () {
  local r=$1 b t tools
  for b in ${BACKENDS//,/ }; do
    if want seed; then seed_session "$r" "$b"; fi
    mapfile -t tools < <(appliance_tools "$r")
    run_mount_sessions "$r" "$b" "${tools[@]}"
    if want mem && [ "$MEM_MB" -gt 0 ] && [ "$r" = 1 ] && has_tool imgmount; then
      memory_session "$r" "$b"
    fi
    if want osimage; then osimage_session "$r" "$b"; fi
  done
  mapfile -t tools < <(host_tools)
  run_mount_sessions "$r" host "${tools[@]}"
}

# run_mount_sessions ROUND BACKEND TOOL...: the write session of each tool,
# then the read session of each, as far as the workloads want them.
run_mount_sessions () {
  local r=$1 b=$2 t
  shift 2
  want startup cp cat rsync find fsync parallel || return 0
  for t; do write_session "$r" "$b" "$t"; done
  for t; do
    if want cat rsync find; then read_session "$r" "$b" "$t"; else rm -f "$W/${t//:/-}.img"; fi
  done
  if want parallel; then
    for t; do parallel_session "$r" "$b" "$t"; done
  fi
}

# write_meta: the machine and the settings, for the report.
write_meta () {
  python3 - "$OUT/meta.json" <<EOF
import json, sys
json.dump({
  "date": "$(date -u '+%F %H:%M UTC')",
  "machine": "$(nproc) CPUs ($(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -n1)), $(free -g | awk '/^Mem:/ {print $2}') GiB RAM, host kernel $(uname -r)",
  "versions": "$(git -C "$BENCH_TOP" describe --always --dirty 2>/dev/null || echo unknown) imgmount; libguestfs $(dpkg-query -W -f='${Version}' libguestfs0 2>/dev/null); qemu $(dpkg-query -W -f='${Version}' qemu-system-x86 2>/dev/null); UML $(dpkg-query -W -f='${Version}' user-mode-linux 2>/dev/null)",
  "rounds": $ROUNDS, "backends": "$BACKENDS", "tools": "$TOOLS", "cache_modes": "$CACHE_MODES",
  "sandbox_modes": "$SANDBOX_MODES",
  "workloads": "$WORKLOADS", "upload_mb": $UPLOAD_MB, "file_mb": $FILE_MB,
  "tree_files": $TREE_COUNT, "tree_mb": $TREE_MB, "fsync_samples": $FSYNC_SAMPLES, "rt_calls": $RT_CALLS,
  "mem_mb": $MEM_MB, "mem_image_mb": $MEM_IMAGE_MB, "image_mb": $IMAGE_MB,
  "os_image": "$(want osimage && echo "$OS_IMAGE_RECIPE, $OS_IMAGE_MB MB")", "run_seconds": $(( ($(now_ns) - BENCH_T0) / 1000000000 )),
}, open(sys.argv[1], "w"), indent=1)
EOF
}

main () {
  parse_args "$@"
  prepare
  local r
  for r in $(seq "$ROUNDS"); do
    progress "round $r/$ROUNDS"
    run_round "$r"
  done
  cp "$BENCH_RESULTS" "$OUT/results.tsv"
  write_meta
  python3 "$BENCH_DIR/report.py" "$OUT"
  progress "done: $OUT/results.md, results.json, chart.svg"
  if [ -n "$PUBLISH" ]; then
    cp "$OUT/results.md" "$BENCH_DIR/RESULTS.md"
    cp "$OUT/results.json" "$OUT/chart.svg" "$BENCH_DIR/"
    progress "published in $BENCH_DIR: RESULTS.md, results.json, chart.svg"
  fi
  cat "$OUT/results.md"
}

main "$@"; exit
