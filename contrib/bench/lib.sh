# contrib/bench/lib.sh: what every benchmark script shares, sourced by
# run.sh and workloads.sh: timing, progress lines, the result log, the work
# directory and its clean-up (also on interrupt), images, and mounting and
# unmounting each tool (imgmount, guestmount, fuse2fs, a kernel loop mount)
# so that "unmounted" always means "the data is in the image file".
# shellcheck shell=bash

BENCH_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD=${BUILD:-$BENCH_TOP/build}
IMGMOUNT=${IMGMOUNT:-$BUILD/imgmount}
IMGMOUNT_HV=${IMGMOUNT_HV:-$BUILD/imgmount-hv}
# The UML appliance imgmount builds, for libguestfs tools (README, Start-up).
UML_APPLIANCE=${UML_APPLIANCE:-/var/cache/imgmount/uml-appliance.latest}

# --- time and progress -----------------------------------------------------

now_ns () { date +%s%N; }

# seconds_since T0_NS: seconds elapsed since T0_NS, three decimals.
seconds_since () {
  local ns=$(( $(now_ns) - $1 ))
  printf '%d.%03d' $((ns / 1000000000)) $((ns / 1000000 % 1000))
}

BENCH_T0=$(now_ns)

# progress MESSAGE...: one line on stderr, prefixed with the time elapsed
# since the benchmark started.
progress () {
  local s=$(( ($(now_ns) - BENCH_T0) / 1000000000 ))
  printf '[%3d:%02d] %s\n' $((s / 60)) $((s % 60)) "$*" >&2
}

# --- results ----------------------------------------------------------------

# record ROUND BACKEND TOOL WORKLOAD VALUE UNIT: one measurement, one line of
# $BENCH_RESULTS (tab-separated), also shown as a progress line.
record () {
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$@" >> "$BENCH_RESULTS"
  progress "  round $1 $2 $3 $4: $5 $6"
}

# --- work directory and clean-up -------------------------------------------

# bench_workdir_create: makes $W, the one directory that holds every image,
# mountpoint, pid file and temporary file, and arms the clean-up.
bench_workdir_create () {
  W=$(mktemp -d /var/tmp/imgmount-bench.XXXXXX)
  trap bench_cleanup EXIT
  set -E
  trap 'progress "failed (status $?): ${FUNCNAME[0]:-main}: $BASH_COMMAND"' ERR
  trap 'progress "interrupted, cleaning up"; exit 130' INT TERM HUP
}

# wait_pid_exit PID SECONDS: waits until PID has exited; 1 if it has not.
wait_pid_exit () {
  local pid=$1 deadline=$(( $(date +%s) + $2 ))
  while kill -0 "$pid" 2>/dev/null; do
    [ "$(date +%s)" -lt "$deadline" ] || return 1
    sleep 0.05
  done
}

# workdir_pids: pids of processes (other than this shell's ancestry) whose
# command line names $W: appliances, guestfish, fuse daemons started here.
workdir_pids () {
  local d pid
  for d in /proc/[0-9]*; do
    pid=${d#/proc/}
    [ "$pid" = $$ ] || [ "$pid" = "$BASHPID" ] && continue
    tr '\0' ' ' 2>/dev/null < "$d/cmdline" | grep -qF -- "$W/" && echo "$pid"
  done
  return 0
}

# bench_cleanup: unmounts every mount under $W, ends every process started
# here (by pid: those in pid files, then any whose command line names $W),
# and removes $W.  Runs on exit, including after an interrupt.
bench_cleanup () {
  trap - EXIT INT TERM HUP ERR
  [ -n "${W:-}" ] && [ -d "$W" ] || return 0
  local m pid pf
  for m in "$W"/mnt-*; do
    mountpoint -q "$m" 2>/dev/null || continue
    progress "clean-up: unmounting $m"
    case $(cat "$m.tool" 2>/dev/null) in
      imgmount*) timeout 60 "$IMGMOUNT" -u --lazy "$m" 2>/dev/null ;;
    esac
    mountpoint -q "$m" && umount -l "$m" 2>/dev/null
  done
  for pf in "$W"/*.pid; do
    [ -s "$pf" ] || continue
    pid=$(cat "$pf")
    wait_pid_exit "$pid" 20 || kill -9 "$pid" 2>/dev/null
  done
  for pid in $(workdir_pids); do kill "$pid" 2>/dev/null; done
  sleep 1
  for pid in $(workdir_pids); do kill -9 "$pid" 2>/dev/null; done
  rm -rf "$W"
  return 0
}

# --- images and caches ------------------------------------------------------

# make_image PATH SIZE_MB FSTYPE: a fresh sparse image holding one filesystem.
make_image () {
  rm -f "$1"
  truncate -s "$2M" "$1"
  "mkfs.$3" -q -F "$1"
}

# drop_host_caches: writes back and drops the host's page, dentry and inode
# caches, so that the next read comes from the image file on disk.
drop_host_caches () {
  sync
  echo 3 > /proc/sys/vm/drop_caches
}

# --- backends ---------------------------------------------------------------

# libguestfs_env BACKEND: the environment (NAME=VALUE words) that makes
# libguestfs's own tools (guestfish, guestmount) use BACKEND.  libguestfs
# 1.48 cannot run UML itself: imgmount-hv turns its qemu command line into a
# UML one, with the UML appliance imgmount builds.
libguestfs_env () {
  case $1 in
    kvm) echo "LIBGUESTFS_BACKEND=direct" ;;
    tcg) echo "LIBGUESTFS_BACKEND=direct LIBGUESTFS_BACKEND_SETTINGS=force_tcg" ;;
    uml) echo "LIBGUESTFS_BACKEND=direct LIBGUESTFS_HV=$IMGMOUNT_HV IMGMOUNT_HV_MODE=uml" \
              "LIBGUESTFS_PATH=$UML_APPLIANCE" ;;
  esac
}

# kvm_usable: whether a KVM guest boots here: imgmount --backend=kvm fails
# at once when its KVM probe (cached by imgmount) says it does not.
kvm_usable () {
  [ -c /dev/kvm ] || return 1
  make_image "$W/kvm-probe.img" 16 ext2
  "$IMGMOUNT" --backend=kvm --list "$W/kvm-probe.img" >/dev/null 2>&1
}

# warm_backend BACKEND: builds whatever appliance BACKEND needs (untimed).
warm_backend () {
  make_image "$W/warm.img" 16 ext2
  "$IMGMOUNT" --backend="$1" --list "$W/warm.img" >/dev/null
}

# --- mounting each tool -----------------------------------------------------
# A tool is imgmount, imgmount:CACHEMODE, guestmount, fuse2fs or loop.
# tool_mount prints the seconds until the mountpoint was usable;
# tool_unmount returns once the data is in the image file and the tool's
# process (and appliance) has exited.

# tool_mount TOOL BACKEND IMAGE MOUNTPOINT
tool_mount () {
  local tool=$1 backend=$2 img=$3 mnt=$4 t
  mkdir -p "$mnt"
  echo "$tool" > "$mnt.tool"
  rm -f "$mnt.pid"
  t=$(now_ns)
  case $tool in
    imgmount:sandbox-*)
      "$IMGMOUNT" -q --backend="$backend" --sandbox="${tool#imgmount:sandbox-}" \
        --pid-file "$mnt.pid" "$img" "$mnt" >> "$W/tools.log" 2>&1 ;;
    imgmount|imgmount:*)
      local cache=${tool#imgmount}; cache=${cache#:}
      "$IMGMOUNT" -q --backend="$backend" ${cache:+--cache="$cache"} \
        --pid-file "$mnt.pid" "$img" "$mnt" >> "$W/tools.log" 2>&1 ;;
    guestmount)
      # shellcheck disable=SC2046
      env $(libguestfs_env "$backend") timeout 300 guestmount --format=raw -a "$img" \
        -m /dev/sda --pid-file "$mnt.pid" "$mnt" >> "$W/tools.log" 2>&1 ;;
    fuse2fs)
      fuse2fs "$img" "$mnt" -f >> "$W/tools.log" 2>&1 &
      echo $! > "$mnt.pid" ;;
    loop)
      mount -o loop "$img" "$mnt" >> "$W/tools.log" 2>&1 ;;
    *) echo "unknown tool $tool" >&2; return 1 ;;
  esac || { echo "$tool failed to mount: $(tail -n 2 "$W/tools.log")" >&2; clear_mountpoint "$mnt"; return 1; }
  local deadline=$(( $(date +%s) + 300 ))
  until mountpoint -q "$mnt"; do
    [ "$(date +%s)" -lt "$deadline" ] || { echo "$tool: $mnt not mounted" >&2; clear_mountpoint "$mnt"; return 1; }
    sleep 0.01
  done
  seconds_since "$t"
}

# clear_mountpoint MOUNTPOINT: after a failed mount, stops the tool's
# daemon and detaches whatever is left at MOUNTPOINT.  A FUSE daemon that
# died leaves its mount behind ("Transport endpoint is not connected"),
# and every later mount of the run at that place would fail.
clear_mountpoint () {
  local mnt=$1
  [ -s "$mnt.pid" ] && kill "$(cat "$mnt.pid")" 2>/dev/null
  rm -f "$mnt.pid"
  if grep -q " $mnt " /proc/mounts; then umount -l "$mnt"; fi
}

# tool_unmount MOUNTPOINT
tool_unmount () {
  local mnt=$1
  case $(cat "$mnt.tool") in
    imgmount*) "$IMGMOUNT" -u "$mnt" ;;
    guestmount) guestunmount "$mnt" ;;
    *) umount "$mnt" ;;
  esac
  if [ -s "$mnt.pid" ]; then
    wait_pid_exit "$(cat "$mnt.pid")" 120 || { echo "$mnt: daemon still running" >&2; return 1; }
    rm -f "$mnt.pid"
  fi
}

# tool_peak_rss_mb MOUNTPOINT: the peak resident memory (VmHWM) of the
# mount's daemon so far, in MB; nothing for a kernel mount.
tool_peak_rss_mb () {
  [ -s "$1.pid" ] || return 0
  awk '/^VmHWM:/ { printf "%.1f", $2 / 1024 }' "/proc/$(cat "$1.pid")/status"
}
