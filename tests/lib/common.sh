# tests/lib/common.sh: sourced by every integration test.
#
# Gives each test a temporary directory and a cleanup trap that unmounts
# what the test mounted and stops what it started, also when it fails;
# assertion helpers; and fixture builders that make images without an
# appliance where they can (mkfs -d, sfdisk, mke2fs -E offset).
set -uo pipefail

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
. "$TOP/tests/lib/wait.sh"
IMGMOUNT=${IMGMOUNT:-$TOP/build/imgmount}
FIXTURES=${IMGMOUNT_FIXTURES:-/var/tmp/imgmount-fixtures}
export LIBGUESTFS_BACKEND_SETTINGS=${LIBGUESTFS_BACKEND_SETTINGS:-force_tcg}
T=$(mktemp -d "${TMPDIR:-/tmp}/imgmount-test.XXXXXX")
TEST_NAME=$(basename "$0" .sh)
failures=0

# Everything a test mounted is under $T; everything it started names $T.
cleanup () {
  local m
  for m in $(awk -v t="$T" 'index($2, t) == 1 { print $2 }' /proc/mounts | sort -r); do
    fusermount3 -u "$m" 2>/dev/null || umount -l "$m" 2>/dev/null
  done
  # The daemons exit once unmounted; give them time to stop their appliance.
  wait_until 100 none_running "$T"
  pkill -9 -f "$T" 2>/dev/null
  chmod -R u+w "$T" 2>/dev/null   # a test run as a user made a directory read-only
  rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ok () { echo "  ok: $*"; }
fail () { echo "  FAIL: $*"; failures=$((failures + 1)); }
skip () { echo "  SKIP: $*"; exit 77; }
finish () { [ "$failures" -eq 0 ] && exit 0 || exit 1; }

# check DESCRIPTION COMMAND...: the command must succeed.
check () {
  local what=$1; shift
  if "$@" >/dev/null 2>&1; then ok "$what"; else fail "$what ($*)"; fi
}

assert_eq () {   # assert_eq WHAT EXPECTED ACTUAL
  if [ "$2" = "$3" ]; then ok "$1"; else fail "$1: expected '$2', got '$3'"; fi
}

# expect_errno WHAT ERRNO-TEXT COMMAND...: fails with that message.
expect_errno () {
  local what=$1 text=$2; shift 2
  local out
  if out=$("$@" 2>&1); then fail "$what: succeeded"; return; fi
  case $out in *"$text"*) ok "$what" ;; *) fail "$what: expected '$text', got '$out'" ;; esac
}

# refuse WHAT COMMAND...: imgmount must exit non-zero with one line on
# stderr that starts with "imgmount:".
refuse () {
  local what=$1; shift
  local err rc
  err=$("$@" 2>&1 >/dev/null); rc=$?
  if [ "$rc" -eq 0 ]; then fail "$what: exit 0"; return; fi
  if [ "$(printf '%s\n' "$err" | wc -l)" -ne 1 ] || [[ $err != imgmount:* ]]; then
    fail "$what: stderr was not one 'imgmount:' line: $err"; return
  fi
  ok "$what ($err)"
}

# mount_img IMAGE MNT [OPTIONS...]
mount_img () {
  local img=$1 mnt=$2; shift 2
  mkdir -p "$mnt"
  "$IMGMOUNT" "$@" "$img" "$mnt"
}

unmount () { "$IMGMOUNT" -u "$1"; }

# mounted MOUNTPOINT: something is mounted at MOUNTPOINT.
mounted () { grep -q " $1 " /proc/mounts; }

# gone PID: the process has exited (a zombie nobody reaped counts as gone:
# daemons are reparented to init, which here may reap late).
gone () {
  local state
  state=$(awk '/^State:/ { print $2 }' "/proc/$1/status" 2>/dev/null)
  [ -z "$state" ] || [ "$state" = Z ] || [ "$state" = X ]
}

# wait_gone PID: up to 10 s.
wait_gone () { wait_until 100 gone "$1"; }

# none_running PATTERN: no process's command line contains PATTERN.
none_running () { ! pgrep -f -- "$1" >/dev/null; }

# hypervisor_pids IMAGE: the processes naming IMAGE on their command line
# other than imgmount itself: the hypervisor and its helpers.
hypervisor_pids () {
  local p
  for p in $(pgrep -f -- "$1"); do
    [ "$(readlink /proc/"$p"/exe)" = "$(realpath "$IMGMOUNT")" ] || echo "$p"
  done
}

# descendants PID...: the PIDs and all their descendants.
descendants () {
  local p
  for p in "$@"; do
    echo "$p"
    descendants $(pgrep -P "$p")
  done
}

# socket_dirs, run_dirs: the directories of mounts in progress.
. "$TOP/tests/lib/appliance-dirs.sh"

# No process of this test's and no mount under $T.
nothing_left () {
  none_running "$T" && ! awk -v t="$T" 'index($2, t) == 1 { f = 1 } END { exit !f }' /proc/mounts
}

# ---- fixtures ----

# fixture NAME BUILDER: builds $FIXTURES/NAME once with BUILDER FILE, and
# copies it (sparse) to $T/NAME, printing that path.
fixture () {
  local name=$1 builder=$2
  mkdir -p "$FIXTURES"
  if [ ! -s "$FIXTURES/$name" ]; then
    "$builder" "$FIXTURES/$name.tmp" >/dev/null 2>&1 || { echo "fixture $name failed" >&2; return 1; }
    mv "$FIXTURES/$name.tmp" "$FIXTURES/$name"
  fi
  cp --sparse=always "$FIXTURES/$name" "$T/$name"
  echo "$T/$name"
}

# make_ext4 FILE SIZE [DIR]: an ext4 filesystem image, filled from DIR.
make_ext4 () {
  rm -f "$1"; truncate -s "$2" "$1"
  # The root directory is the maker's (root's when root makes it), so that
  # a test run as an ordinary user may write there, as in its own image.
  mkfs.ext4 -q -F -E root_owner ${3:+-d "$3"} "$1"
}

# An unpartitioned 256 MiB ext4 image whose sector 6 checksums like an
# Acorn ADFS boot block: UML's kernel, which has Acorn's partition parsers,
# finds a 448 KiB partition at its start (about one fresh image in 256 does
# this by chance; this UUID does it every time with e2fsprogs 1.47).
build_adfs_lookalike () {
  rm -f "$1"; truncate -s 256M "$1"
  mkfs.ext4 -q -F -E root_owner -U f96ca15b-48b1-443e-a750-42856af68ff4 "$1"
  python3 - "$1" <<'PY'
import struct, sys
with open(sys.argv[1], "rb") as f:
    f.seek(6 * 512)
    s = f.read(512)
r = 0
for b in reversed(s[:511]):
    r = (r & 0xff) + (r >> 8) + b
size, high = struct.unpack_from("<I", s, 0x1d0)[0], struct.unpack_from("<I", s, 0x1e4)[0]
sys.exit(0 if (r & 0xff) == s[511] and (size or high) else 1)
PY
}

# A disk with an msdos label and two ext4 partitions, 40 MiB and 80 MiB,
# labelled small and large.
build_partitioned () {
  local f=$1
  rm -f "$f"; truncate -s 128M "$f"
  printf 'label: dos\nstart=2048, size=40M, type=83\nsize=80M, type=83\n' | sfdisk -q "$f"
  mke2fs -q -t ext4 -L small -E offset=$((2048 * 512)) "$f" 40M
  mke2fs -q -t ext4 -L large -E offset=$(((2048 + 81920) * 512)) "$f" 80M
}

# A disk laid out like an installed Linux guest: /boot on sda1, / on sda2,
# an fstab naming both, and the files inspection looks for.
build_os_disk () {
  local f=$1 d
  d=$(mktemp -d)
  mkdir -p "$d/root/etc" "$d/root/bin" "$d/root/usr/bin" "$d/root/boot" "$d/root/home/user" "$d/boot"
  cat > "$d/root/etc/fstab" <<'FSTAB'
/dev/sda2 / ext4 defaults 0 1
/dev/sda1 /boot ext4 defaults 0 2
FSTAB
  printf 'NAME="Debian GNU/Linux"\nID=debian\nVERSION_ID="12"\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n' > "$d/root/etc/os-release"
  echo 12.0 > "$d/root/etc/debian_version"
  echo testhost > "$d/root/etc/hostname"
  cp /bin/true "$d/root/bin/ls"; cp /bin/true "$d/root/usr/bin/env"
  echo "the guest's kernel would be here" > "$d/boot/vmlinuz-test"
  rm -f "$f"; truncate -s 160M "$f"
  printf 'label: dos\nstart=2048, size=40M, type=83\nsize=100M, type=83\n' | sfdisk -q "$f"
  mke2fs -q -t ext4 -L boot -d "$d/boot" -E offset=$((2048 * 512)) "$f" 40M
  mke2fs -q -t ext4 -L root -d "$d/root" -E offset=$(((2048 + 81920) * 512)) "$f" 100M
  rm -rf "$d"
}

build_xfs () {
  rm -f "$1"; truncate -s 320M "$1"
  mkfs.xfs -q -f -L xfsdata "$1"
}

# MD RAID 1 over two partitions, made by the appliance like build_lvm.
build_md () {
  rm -f "$1"; truncate -s 128M "$1"
  guestfish -a "$1" run : part-init /dev/sda mbr : part-add /dev/sda p 2048 120000 : \
    part-add /dev/sda p 120001 240000 : md-create md0 "/dev/sda1 /dev/sda2" level:raid1 : \
    mkfs ext4 /dev/md/md0 : mount /dev/md/md0 / : write /inside-md.txt "hello from md"
}

# LVM needs the appliance to make: guestfish, once per fixture cache.
build_lvm () {
  rm -f "$1"; truncate -s 128M "$1"
  guestfish -a "$1" run : part-disk /dev/sda mbr : pvcreate /dev/sda1 : \
    vgcreate vgtest /dev/sda1 : lvcreate lvdata vgtest 64 : mkfs ext4 /dev/vgtest/lvdata : \
    mount /dev/vgtest/lvdata / : write /inside-lvm.txt "hello from lvm"
}
