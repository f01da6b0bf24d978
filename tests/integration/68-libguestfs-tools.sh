#!/usr/bin/env bash
# libguestfs's own tools on imgmount's appliance, through imgmount-hv, as
# contrib/bench runs guestmount and as the README offers appliance.latest
# for.  guestmount launches the appliance, then forks into the background
# and its first process exits: the hypervisor must outlive the process
# that started it, and still stop when the tool is done.
. "$(dirname "$0")/../lib/common.sh"
command -v guestmount >/dev/null || skip "guestmount is not installed"
case ${IMGMOUNT_BACKEND:-tcg} in
  uml) mode=uml latest=uml-appliance.latest ;;
  tcg) mode=qemu latest=appliance.latest ;;
  *) skip "for the uml and tcg backends" ;;
esac
make_ext4 "$T/disk.img" 64M
# --list builds the appliance if this is its first use.
"$IMGMOUNT" --list "$T/disk.img" > /dev/null || { fail "imgmount --list"; finish; }
M=$T/mnt
mkdir -p "$M"
tool_env=(LIBGUESTFS_BACKEND=direct "LIBGUESTFS_HV=$(dirname "$IMGMOUNT")/imgmount-hv"
  "IMGMOUNT_HV_MODE=$mode" "LIBGUESTFS_PATH=${IMGMOUNT_CACHE_DIR:-/var/cache/imgmount}/$latest")
env "${tool_env[@]}" timeout 300 guestmount -a "$T/disk.img" -m /dev/sda --pid-file "$T/guestmount.pid" "$M" ||
  { fail "guestmount"; finish; }
echo written > "$M/file"
check "a file written through guestmount once it is in the background" \
  test "$(cat "$M/file" 2>&1)" = written
pid=$(cat "$T/guestmount.pid" 2>/dev/null)
check "guestmount's background process wrote its pid" test -n "$pid"
fusermount3 -u "$M" || fail "fusermount3 -u"
if [ -n "$pid" ]; then
  wait_gone "$pid"
  check "guestmount ended once unmounted" gone "$pid"
fi
wait_until 100 nothing_left
check "nothing left running" nothing_left
check "e2fsck clean" e2fsck -fn "$T/disk.img"
assert_eq "the file is in the image" written "$(debugfs -R 'cat /file' "$T/disk.img" 2>/dev/null)"

# A read-only drive (guestfish --ro, add_drive_ro) reaches the hypervisor
# as libguestfs's qcow2 overlay over the image, which UML cannot read:
# imgmount-hv gives UML the image behind a COW file of its own instead.
sum_before=$(sha256sum < "$T/disk.img")
out=$(env "${tool_env[@]}" timeout 300 guestfish --ro --format=raw -a "$T/disk.img" \
        run : mount-ro /dev/sda / : cat /file 2>&1)
assert_eq "guestfish --ro reads the image" written "$out"
assert_eq "... and leaves it as it was" "$sum_before" "$(sha256sum < "$T/disk.img")"
wait_until 100 nothing_left
check "nothing left running after guestfish" nothing_left
finish
