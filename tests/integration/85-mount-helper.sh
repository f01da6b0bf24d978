#!/usr/bin/env bash
# mount.fuse.imgmount: mount(8) and an fstab line mount an image through
# imgmount, with the mount options translated; umount(8) ends the mount
# with the data in the image file.
. "$(dirname "$0")/../lib/common.sh"

HELPER=$TOP/mount/mount.fuse.imgmount
SBIN=/sbin/mount.fuse.imgmount   # the only place mount(8) looks
export IMGMOUNT
backend=${IMGMOUNT_BACKEND:-tcg}

# Option translation, against a stand-in for imgmount that prints its
# arguments and exits with $STUB_RC.
printf '#!/bin/sh\nprintf "%%s\\n" "$@"\nexit ${STUB_RC:-0}\n' > "$T/stub"
chmod +x "$T/stub"
helper_args () { IMGMOUNT=$T/stub sh "$HELPER" "$@" | tr '\n' ' '; }
assert_eq "options translated, mount(8)'s and fstab's dropped" \
  "--ro --backend=tcg --cache=none --format=qcow2 -o allow_other -o nonempty -o noatime -- $T/a b.img /mnt " \
  "$(helper_args "$T/a b.img" /mnt -sn -o ro,noauto,nofail,user,users,auto,defaults,_netdev,x-systemd.automount,backend=tcg,cache=none,format=qcow2,allow_other,nonempty,noatime -t fuse.imgmount)"
assert_eq "backing=, repeatable" "--format=qcow2 --backing=/b/mid.qcow2 --backing=/b/base.raw -- i /m " \
  "$(helper_args i /m -o format=qcow2,backing=/b/mid.qcow2,backing=/b/base.raw)"
assert_eq "rw, -v, a glob character stays as it is" "-v --rw -o * -- i /m " "$(helper_args i /m -v -o 'rw,*')"
assert_eq "-f (fake) runs nothing" "" "$(helper_args i /m -f -o ro)"
STUB_RC=1 helper_args i /m >/dev/null; assert_eq "imgmount's failure is mount(8)'s 32" 32 "$?"
STUB_RC=2 helper_args i /m >/dev/null; assert_eq "imgmount's usage error is mount(8)'s 1" 1 "$?"
helper_args i >/dev/null 2>&1; assert_eq "a missing MOUNTPOINT is a usage error" 1 "$?"

# mount(8) needs the helper in /sbin: the tree's, for this test only.  One
# left by an earlier run that was killed is ours to reuse and remove.
if [ -e "$SBIN" ] || [ -L "$SBIN" ]; then
  [ "$(readlink "$SBIN")" = "$HELPER" ] || skip "$SBIN is another helper; not replacing it"
else
  ln -s "$HELPER" "$SBIN" || skip "cannot install $SBIN"
fi
trap 'rm -f "$SBIN"; cleanup' EXIT

M=$T/mnt
mkdir -p "$M"
make_ext4 "$T/disk.img" 64M

err=$(mount -t fuse.imgmount "$T/missing.img" "$M" 2>&1); rc=$?
assert_eq "a missing image: mount(8) exits 32" 32 "$rc"
case $err in imgmount:*) ok "with imgmount's reason ($err)" ;; *) fail "reason: $err" ;; esac

# Waits for the daemon (and so the appliance) to exit after umount(8),
# which itself does not wait.
daemon_gone () { wait_until 600 none_running "$T/disk.img"; }

if mount -t fuse.imgmount "$T/disk.img" "$M" -o rw,noauto,backend="$backend",allow_other; then
  ok "mount -t fuse.imgmount"
  opts=$(awk -v m="$M" '$2 == m { print $3, $4 }' /proc/mounts)
  case $opts in "fuse.imgmount rw,"*allow_other*) ok "type and options ($opts)" ;; *) fail "type and options: $opts" ;; esac
  echo "written through mount(8)" > "$M/file" || fail "write"
  check "umount" umount "$M"
  check "the daemon exits" daemon_gone
  assert_eq "the data is in the image" "written through mount(8)" \
    "$(debugfs -R 'cat /file' "$T/disk.img" 2>/dev/null)"
else
  fail "mount -t fuse.imgmount"
fi

printf '%s %s fuse.imgmount noauto,nofail,_netdev,x-systemd.device-timeout=5,ro,backend=%s,cache=writeback 0 0\n' \
  "$T/disk.img" "$M" "$backend" > "$T/fstab"
if mount -T "$T/fstab" "$M"; then
  ok "mount from an fstab line"
  opts=$(awk -v m="$M" '$2 == m { print $3, $4 }' /proc/mounts)
  case $opts in "fuse.imgmount ro,"*) ok "read-only ($opts)" ;; *) fail "read-only: $opts" ;; esac
  assert_eq "read" "written through mount(8)" "$(cat "$M/file")"
  check "umount" umount "$M"
  check "the daemon exits" daemon_gone
else
  fail "mount from an fstab line"
fi
check "nothing left" nothing_left
finish
