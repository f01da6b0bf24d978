#!/usr/bin/env bash
# The durability guarantee, for each --cache mode on the backend under test
# ($IMGMOUNT_BACKEND): after fsync(2) on a file in the mount returns, the
# image file has been synced (counted with a kernel tracepoint, so the
# check fails when nobody syncs it: --cache=unsafe must show zero): by qemu
# on qemu backends, by imgmount after the guest's sync on UML, whose ubd
# and vhost-user disks ignore flushes.  Under --cache=none the hypervisor
# (qemu, or qemu-storage-daemon for UML) has the image open with O_DIRECT.
# And for a qcow2 image, the hypervisor itself syncs it on every backend.
. "$(dirname "$0")/../lib/common.sh"
. "$TOP/tests/lib/sync-trace.sh"

make_ext4 "$T/disk.img" 64M
sync_trace_available "$T/disk.img" || skip "needs tracefs and an ext4 \$TMPDIR"
M=$T/mnt
IMG=$(realpath "$T/disk.img")

# The processes that hold the image open, other than imgmount itself.
hypervisor_pids () {
  local p
  for p in $(pgrep -f -- "$T"); do
    [ "$(readlink /proc/"$p"/exe)" = "$(realpath "$IMGMOUNT")" ] && continue
    [ -n "$(open_flags "$p" "$IMG")" ] && echo "$p"
  done
}

for cache in writeback none unsafe; do
  mount_img "$IMG" "$M" --cache="$cache" || { fail "$cache: mount"; continue; }
  head -c 1M /dev/urandom > "$T/data"
  cp "$T/data" "$M/file"   # written, not yet synced

  sync_trace_start "$IMG" || { fail "tracefs instance"; unmount "$M"; break; }
  python3 -c 'import os,sys; fd = os.open(sys.argv[1], os.O_RDWR); os.fsync(fd)' "$M/file"
  syncs=$(sync_trace_stop)
  n=$(printf '%s\n' "$syncs" | grep -c datasync)
  by_hv=$(printf '%s\n' "$syncs" | grep datasync | grep -vc '^imgmount')
  echo "  $cache: syncs of the image during fsync: $(echo $syncs)"
  case $cache in
    unsafe) assert_eq "$cache: nobody syncs the image" 0 "$n" ;;
    *) if [ "$n" -ge 1 ]; then ok "$cache: fsync reached the image file ($n syncs)"
       else fail "$cache: fsync returned but the image file was never synced"; fi
       [ "${IMGMOUNT_BACKEND:-}" = uml ] ||
         assert_eq "$cache: qemu itself synced the image" yes "$([ "$by_hv" -ge 1 ] && echo yes || echo no)" ;;
  esac

  direct=no
  for p in $(hypervisor_pids); do
    has_o_direct "$(open_flags "$p" "$IMG")" && direct=yes
  done
  [ "$cache" = none ] && want=yes || want=no
  assert_eq "$cache: hypervisor has the image open with O_DIRECT: $want" "$want" "$direct"

  unmount "$M" || fail "$cache: unmount"
done
# A qcow2 image: what the format driver keeps in memory (L2 and refcount
# tables) must reach the file as well, which imgmount's own fdatasync
# cannot do, so the hypervisor itself syncs it during fsync: qemu, or on
# UML qemu-storage-daemon (whose export flushes after each write, as UML
# sends it no flush).
qemu-img convert -q -f raw -O qcow2 "$IMG" "$T/disk.qcow2"
Q=$(realpath "$T/disk.qcow2")
for cache in writeback none unsafe; do
  mount_img "$Q" "$M" --format=qcow2 --cache="$cache" || { fail "qcow2 $cache: mount"; continue; }
  head -c 1M /dev/urandom > "$M/q-$cache"
  sync_trace_start "$Q" || { fail "tracefs instance"; unmount "$M"; break; }
  python3 -c 'import os,sys; fd = os.open(sys.argv[1], os.O_RDWR); os.fsync(fd)' "$M/q-$cache"
  syncs=$(sync_trace_stop)
  n=$(printf '%s\n' "$syncs" | grep -c datasync)
  by_hv=$(printf '%s\n' "$syncs" | grep datasync | grep -vc '^imgmount')
  echo "  qcow2 $cache: syncs of the image during fsync: $(echo $syncs)"
  case $cache in
    unsafe) assert_eq "qcow2 $cache: nobody syncs the image" 0 "$n" ;;
    *) assert_eq "qcow2 $cache: the hypervisor itself synced the image" yes \
         "$([ "$by_hv" -ge 1 ] && echo yes || echo no)" ;;
  esac
  unmount "$M" || fail "qcow2 $cache: unmount"
done
check "qcow2: qemu-img check" qemu-img check -q -f qcow2 "$Q"
check "nothing left" nothing_left
finish
