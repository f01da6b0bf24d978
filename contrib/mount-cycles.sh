#!/usr/bin/env bash
# contrib/mount-cycles.sh: mounts and unmounts one image again and again,
# and checks after each unmount that nothing of the mount is left: no
# process naming the image, no mount, no runtime file of its device
# number, no temporary file (imgmount runs with a TMPDIR of its own, and
# libguestfs's socket directory must be gone), and that the daemon starts
# each time with the same number of open files.
#
#   contrib/mount-cycles.sh [--cycles N] [--backend NAME] [--workdir DIR]
#
# Defaults: 100 cycles, the backend imgmount would choose
# ($IMGMOUNT_BACKEND or auto), a work directory of its own, removed at the
# end (one given is kept).  Prints one line per cycle and exits 0 when
# every check passed.  tests/integration/77-resources runs 2 cycles.
set -uo pipefail

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
IMGMOUNT=${IMGMOUNT:-$TOP/build/imgmount}
cycles=100 backend=${IMGMOUNT_BACKEND:-auto} work=
usage () {
  sed -n '/^#   contrib\//,/^#$/s/^# \{0,1\}//p' "$0" >&2
  exit 2
}
while [ $# -gt 0 ]; do
  case $1 in
    --cycles) cycles=$2 ;;
    --backend) backend=$2 ;;
    --workdir) work=$2 ;;
    *) usage ;;
  esac
  [ $# -ge 2 ] || usage
  shift 2
done
[ -x "$IMGMOUNT" ] || { echo "mount-cycles.sh: $IMGMOUNT is missing: build first" >&2; exit 2; }

keep_work=${work:+yes}
work=${work:-$(mktemp -d "${TMPDIR:-/tmp}/imgmount-cycles.XXXXXX")}
img=$work/cycles.img mnt=$work/mnt tmp=$work/tmp
mkdir -p "$mnt" "$tmp"
cleanup () {
  grep -q " $mnt " /proc/mounts && "$IMGMOUNT" -u "$mnt"
  [ -n "$keep_work" ] || rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# libguestfs keeps its appliance cache under TMPDIR unless told otherwise:
# keep using the usual one, so that only temporary files land in $tmp.
export LIBGUESTFS_CACHEDIR=${LIBGUESTFS_CACHEDIR:-${TMPDIR:-/var/tmp}}
# Where imgmount keeps its runtime files (mount/runtime.c).
if [ "$(id -u)" -eq 0 ]; then rundir=/run/imgmount
elif [ -n "${XDG_RUNTIME_DIR:-}" ]; then rundir=$XDG_RUNTIME_DIR/imgmount
else rundir=/tmp/imgmount-$(id -u); fi

rm -f "$img"; truncate -s 256M "$img"
mkfs.ext4 -q -F "$img" || exit 1
status=0 first_fds=
problem () { echo "mount-cycles.sh: cycle $1: $2"; status=1; }

for c in $(seq "$cycles"); do
  start=$SECONDS
  if ! TMPDIR=$tmp "$IMGMOUNT" --backend="$backend" --pid-file "$work/pid" "$img" "$mnt"; then
    problem "$c" "mount failed"; break
  fi
  pid=$(cat "$work/pid")
  fds=$(ls "/proc/$pid/fd" | wc -l)
  dev=$(awk -v m="$mnt" '$5 == m { print $3 }' /proc/self/mountinfo)
  first_fds=${first_fds:-$fds}
  [ "$fds" -eq "$first_fds" ] || problem "$c" "the daemon has $fds open files, $first_fds in cycle 1"
  # libguestfs's socket directory (root's is always in /tmp), named on
  # the hypervisor's command line.
  sockdirs=$(for p in $(pgrep -f -- "$img"); do tr '\0' '\n' < "/proc/$p/cmdline"; done |
               grep -o '/tmp/libguestfs[A-Za-z0-9]*' | sort -u)
  [ -n "$sockdirs" ] || problem "$c" "no libguestfs socket directory on the hypervisor's command line"
  echo "cycle $c" > "$mnt/cycle" || problem "$c" "write failed"
  "$IMGMOUNT" -u "$mnt" || problem "$c" "imgmount -u failed"
  # The daemon is gone when -u returns; its children may take a moment.
  for _ in $(seq 50); do pgrep -f -- "$img" > /dev/null || break; sleep 0.1; done
  left=$(pgrep -a -f -- "$img")
  [ -z "$left" ] || problem "$c" "processes left: $left"
  ! grep -q " $mnt " /proc/mounts || problem "$c" "still mounted"
  [ -n "$dev" ] || problem "$c" "not in /proc/self/mountinfo while mounted"
  ! ls "$rundir/$dev".* > /dev/null 2>&1 || problem "$c" "runtime files left: $(ls "$rundir/$dev".*)"
  for d in $sockdirs; do [ ! -e "$d" ] || problem "$c" "socket directory left: $d"; done
  [ -z "$(ls -A "$tmp")" ] || problem "$c" "temporary files left: $(ls -A "$tmp" | head -5 | tr '\n' ' ')"
  echo "mount-cycles.sh: cycle $c: daemon $pid, $fds open files, $((SECONDS - start)) s"
  [ "$status" -eq 0 ] || break
done
if [ "$status" -eq 0 ] && [ "$(debugfs -R 'cat /cycle' "$img" 2>/dev/null)" != "cycle $cycles" ]; then
  problem "$cycles" "the last cycle's file is not in the image"
fi
[ "$status" -eq 0 ] && echo "mount-cycles.sh: PASS ($cycles cycles)" || echo "mount-cycles.sh: FAILED"
exit "$status"
