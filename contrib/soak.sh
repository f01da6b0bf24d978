#!/usr/bin/env bash
# contrib/soak.sh: soaks one imgmount mount with the random-operations
# program (tests/soak/soak.c), then proves that what it left survived:
# unmount, e2fsck -fn the image, mount it again read-only and compare the
# tree with the manifest of the program's model.
#
#   contrib/soak.sh [--backend NAME] [--seconds N] [--threads N] [--seed N]
#                   [--image-size SIZE] [--workdir DIR]
#
# Defaults: the backend imgmount would choose ($IMGMOUNT_BACKEND or auto),
# 30 minutes, 4 threads, a random seed (printed; pass it back to repeat a
# run's operations), a 2 GiB sparse ext4 image, and a work directory of its
# own, removed at the end (one given is kept).  Exits 0 when every check
# passed; prints each step with its time.  tests/integration/75-soak runs
# it for 2 minutes.
set -uo pipefail

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
IMGMOUNT=${IMGMOUNT:-$TOP/build/imgmount}
SOAK=${SOAK:-$TOP/build/tests/soak}
backend=${IMGMOUNT_BACKEND:-auto} seconds=1800 threads=4 seed= size=2G work=

usage () {
  sed -n '/^#   contrib\//,/^#$/s/^# \{0,1\}//p' "$0" >&2
  exit 2
}
while [ $# -gt 0 ]; do
  case $1 in
    --backend) backend=$2 ;;
    --seconds) seconds=$2 ;;
    --threads) threads=$2 ;;
    --seed) seed=$2 ;;
    --image-size) size=$2 ;;
    --workdir) work=$2 ;;
    *) usage ;;
  esac
  [ $# -ge 2 ] || usage
  shift 2
done
for prog in "$IMGMOUNT" "$SOAK"; do
  [ -x "$prog" ] || { echo "soak.sh: $prog is missing: build first (ninja -C build)" >&2; exit 2; }
done

keep_work=${work:+yes}
work=${work:-$(mktemp -d "${TMPDIR:-/tmp}/imgmount-soak.XXXXXX")}
mkdir -p "$work"
img=$work/soak.img mnt=$work/mnt
cleanup () {
  grep -q " $mnt " /proc/mounts && "$IMGMOUNT" -u "$mnt"
  [ -n "$keep_work" ] || rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

status=0
step_start=$SECONDS
step () { echo "soak.sh: $* ($((SECONDS - step_start)) s)"; step_start=$SECONDS; }
failed () { echo "soak.sh: FAIL: $*"; status=1; }

rm -f "$img"; truncate -s "$size" "$img"
mkfs.ext4 -q -F "$img" || { echo "soak.sh: mkfs.ext4 failed" >&2; exit 1; }
mkdir -p "$mnt"
"$IMGMOUNT" --backend="$backend" "$img" "$mnt" || { failed "mount"; exit 1; }
step "mounted $img ($backend)"

"$SOAK" --dir "$mnt/soak" --seconds "$seconds" --threads "$threads" ${seed:+--seed "$seed"} \
  --manifest "$work/expected"
rc=$?
case $rc in
  0) step "soak ran" ;;
  3) failed "an operation stalled (see above)" ;;
  *) failed "the soak found a mismatch or an error (exit $rc, see above)" ;;
esac

"$IMGMOUNT" -u "$mnt" || failed "imgmount -u"
step "unmounted"
e2fsck -fn "$img" > "$work/e2fsck.log" 2>&1 || { failed "e2fsck -fn"; sed 's/^/    /' "$work/e2fsck.log"; }
step "e2fsck -fn clean"

if [ "$rc" -eq 0 ]; then
  if "$IMGMOUNT" --backend="$backend" --ro "$img" "$mnt"; then
    "$SOAK" --scan "$mnt/soak" > "$work/found" || failed "reading the tree back"
    if diff "$work/expected" "$work/found" > "$work/diff"; then
      step "mounted again: all $(wc -l < "$work/expected") files and directories as the model says"
    else
      failed "after a new mount the tree differs from the model (< expected, > found):"
      head -20 "$work/diff" | sed 's/^/    /'
    fi
    "$IMGMOUNT" -u "$mnt" || failed "imgmount -u of the second mount"
  else
    failed "mounting again"
  fi
fi
[ "$status" -eq 0 ] && echo "soak.sh: PASS" || echo "soak.sh: FAILED"
exit "$status"
