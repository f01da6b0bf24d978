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
# 1 s: less than any backend's boot (UML's, the fastest, takes 2 s or more).
IMGMOUNT_LAUNCH_TIMEOUT=1 refuse "an appliance that does not start in 1 s" \
  "$IMGMOUNT" "$T/disk.img" "$M"
secs=$(( $(date +%s) - start ))
check "the launch gave up within 15 s (took ${secs}s)" test "$secs" -lt 15
expect_errno "the reason names the time limit" "did not start within 1 s" \
  env IMGMOUNT_LAUNCH_TIMEOUT=1 "$IMGMOUNT" "$T/disk.img" "$M"

IMGMOUNT_CALL_TIMEOUT=5 mount_img "$T/disk.img" "$M" || { fail "mount"; finish; }
echo before > "$M/f"
# Freeze the hypervisor and everything it started (UML's processes do not
# name the image), but not imgmount itself.
frozen=0
for p in $(descendants $(hypervisor_pids "$T/disk.img")); do
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
