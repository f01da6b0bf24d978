#!/usr/bin/env bash
# No appliance can hang a mount: an appliance that does not start in time
# fails the mount with the reason; one that stops answering (its
# hypervisor SIGSTOPped) is stopped by the watchdog, operations get EIO,
# and imgmount -u says what happened.  Nothing is left running.
. "$(dirname "$0")/../lib/common.sh"

make_ext4 "$T/disk.img" 64M
M=$T/mnt
mkdir -p "$M"

start=$(date +%s)
IMGMOUNT_LAUNCH_TIMEOUT=2 refuse "an appliance that does not start in 2 s" \
  "$IMGMOUNT" "$T/disk.img" "$M"
secs=$(( $(date +%s) - start ))
check "the launch gave up within 15 s (took ${secs}s)" test "$secs" -lt 15
expect_errno "the reason names the time limit" "did not start within 2 s" \
  env IMGMOUNT_LAUNCH_TIMEOUT=2 "$IMGMOUNT" "$T/disk.img" "$M"

IMGMOUNT_CALL_TIMEOUT=5 mount_img "$T/disk.img" "$M" || { fail "mount"; finish; }
echo before > "$M/f"
# Freeze the hypervisor: every process that has the image open, but not
# imgmount itself.
frozen=0
for p in $(pgrep -f -- "$T/disk.img"); do
  [ "$(readlink /proc/"$p"/exe)" = "$(realpath "$IMGMOUNT")" ] && continue
  kill -STOP "$p" && frozen=$((frozen + 1))
done
check "hypervisor frozen" test "$frozen" -ge 1
start=$(date +%s)
expect_errno "an operation on the frozen appliance fails" "Input/output error" \
  stat "$M/g"
secs=$(( $(date +%s) - start ))
check "it failed within 30 s (took ${secs}s)" test "$secs" -lt 30
expect_errno "unmount reports the stalled appliance" "stopped answering" unmount "$M"
check "nothing left" nothing_left
finish
