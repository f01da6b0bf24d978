#!/usr/bin/env bash
# The hypervisor killed while data is moving through the channel, in each
# direction: the copy fails with an I/O error instead of hanging, the
# daemon ends the mount and exits non-zero with the reason, and no process
# is left.  (66-appliance-dies kills it while the mount is idle.)
. "$(dirname "$0")/../lib/common.sh"

mkdir -p "$T/content"
head -c 400M /dev/urandom > "$T/content/out.bin"
head -c 300M /dev/urandom > "$T/in.bin"
make_ext4 "$T/disk.img" 1G "$T/content"
M=$T/mnt
mkdir -p "$M"

# killed_during WHAT COMMAND...: mounts in the foreground (to see the exit
# status), starts COMMAND, kills the hypervisor once COMMAND has moved
# some data, and checks how everything ends.
killed_during () {
  local what=$1; shift
  "$IMGMOUNT" -f "$T/disk.img" "$M" 2> "$T/daemon.err" &
  local daemon=$!
  wait_until 900 mounted "$M" || { fail "$what: mount"; return; }

  "$@" 2> "$T/copy.err" &
  local copy=$!
  # Let the transfer get going: 20 MB through the channel.
  for _ in $(seq 600); do
    [ "$(awk '/^rchar/ { print $2 }' /proc/$copy/io 2>/dev/null || echo 0)" -ge $((20 << 20)) ] && break
    sleep 0.05
  done
  kill -0 "$copy" 2>/dev/null || { fail "$what: finished before the kill (too fast to test)"; return; }
  kill -9 $(hypervisor_pids "$T/disk.img") 2>/dev/null
  local start=$SECONDS
  if ! wait_until 300 gone "$copy"; then
    fail "$what: still running 30 s after the kill"
    kill -9 "$copy"
  fi
  wait "$copy"; local copy_rc=$?
  check "$what: the copy failed (exit $copy_rc after $((SECONDS - start)) s)" test "$copy_rc" -ne 0
  if grep -q -e "Input/output error" -e "Transport endpoint is not connected" "$T/copy.err"; then
    ok "$what: with an I/O error ($(head -1 "$T/copy.err"))"
  else
    fail "$what: unexpected error: $(cat "$T/copy.err")"
  fi
  wait_until 200 not mounted "$M"
  check "$what: the daemon ended the mount" not mounted "$M"
  wait "$daemon"; local rc=$?
  check "$what: imgmount exited non-zero (exit $rc)" test "$rc" -ne 0
  grep -q "exited unexpectedly" "$T/daemon.err" && ok "$what: reason given" ||
    fail "$what: no reason given: $(cat "$T/daemon.err")"
  wait_until 50 none_running "$T"
  check "$what: nothing left running" nothing_left
}

killed_during "upload" cp "$T/in.bin" "$M/in.bin"
killed_during "download" cp "$M/out.bin" "$T/out-copy.bin"

# The image is still usable: the journal replays and the old data is there.
mount_img "$T/disk.img" "$M" || { fail "mount after the kills"; finish; }
assert_eq "untouched file intact" "$(sha256sum < "$T/content/out.bin")" "$(sha256sum < "$M/out.bin")"
unmount "$M" || fail "unmount"
check "e2fsck clean after journal replay" e2fsck -fn "$T/disk.img"
finish
