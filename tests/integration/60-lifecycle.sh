#!/usr/bin/env bash
# The life of a mount: imgmount -u waits for the data, fusermount3 -u and
# SIGTERM also end synced, busy mounts, -f and --pid-file.
. "$(dirname "$0")/../lib/common.sh"

M=$T/mnt
make_ext4 "$T/disk.img" 128M
in_image () { debugfs -R "cat $1" "$T/disk.img" 2>/dev/null; }

# imgmount -u: returns when the data is in the image and nothing runs.
mount_img "$T/disk.img" "$M" --pid-file "$T/pid" || fail "mount"
pid=$(cat "$T/pid")
check "--pid-file names the daemon" kill -0 "$pid"
head -c 20M /dev/urandom > "$T/data"
cp "$T/data" "$M/data"
echo "written last" > "$M/last"
unmount "$M" || fail "imgmount -u"
check "daemon gone when -u returns" gone "$pid"
check "no appliance left" none_running "$T/disk.img"
check "pid file removed" test ! -e "$T/pid"
check "e2fsck clean right after -u" e2fsck -fn "$T/disk.img"
assert_eq "data in the image right after -u" "written last" "$(in_image /last)"

# fusermount3 -u, then SIGTERM: both end with a synced image.
mount_img "$T/disk.img" "$M" --pid-file "$T/pid" || fail "mount"
pid=$(cat "$T/pid")
echo "via fusermount" > "$M/fm"
fusermount3 -u "$M" || fail "fusermount3 -u"
check "daemon exits after fusermount3 -u" wait_gone "$pid"
assert_eq "fusermount3 -u leaves the data in the image" "via fusermount" "$(in_image /fm)"

mount_img "$T/disk.img" "$M" --pid-file "$T/pid" || fail "mount"
pid=$(cat "$T/pid")
# The runtime files are named after the mount's device number; those of
# other mounts (a daemon killed with -9 leaves its own) are not ours.
dev=$(awk -v m="$M" '$5 == m { print $3 }' /proc/self/mountinfo)
check "the mount's device number is known" test -n "$dev"
echo "via sigterm" > "$M/st"
kill -TERM "$pid"
check "daemon exits on SIGTERM" wait_gone "$pid"
check "and unmounts" not mounted "$M"
assert_eq "SIGTERM leaves the data in the image" "via sigterm" "$(in_image /st)"
check "runtime files tidied" sh -c "! ls /run/imgmount/$dev.* 2>/dev/null | grep -q ."

# Busy: refused, then --lazy.
mount_img "$T/disk.img" "$M" --pid-file "$T/pid" || fail "mount"
pid=$(cat "$T/pid")
exec 7< "$M/st"
refuse "busy mount refused by -u" "$IMGMOUNT" -u "$M"
check "still mounted after the refusal" mounted "$M"
check "-u --lazy detaches" "$IMGMOUNT" -u --lazy "$M"
assert_eq "open file still readable after lazy detach" "via sigterm" "$(cat <&7)"
exec 7<&-
check "daemon exits when the last file closes" wait_gone "$pid"

# -f: stays in the foreground until unmounted.
"$IMGMOUNT" -f "$T/disk.img" "$M" & fg_pid=$!
wait_until 300 mounted "$M"
check "-f mounts" mounted "$M"
check "-f process is the daemon" kill -0 "$fg_pid"
unmount "$M" || fail "unmount -f mount"
wait "$fg_pid"; assert_eq "-f exits 0 after unmount" 0 "$?"
check "nothing left" nothing_left
finish
