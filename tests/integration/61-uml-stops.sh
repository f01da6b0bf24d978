#!/usr/bin/env bash
# UML stops when libguestfs asks it to, every time: imgmount-hv's safety
# net (SIGKILL 5 s after SIGTERM) must never be what ends it.  It was, one
# shutdown in four or five: UML calls abort() on some shutdowns, and as
# the first process of its PID namespace it looped there for ever.
. "$(dirname "$0")/../lib/common.sh"
[ "${IMGMOUNT_BACKEND:-}" = uml ] || skip "UML's shutdown only"
make_ext4 "$T/disk.img" 64M
M=$T/mnt
mkdir -p "$M"
for round in 1 2 3 4 5 6; do
  # -v -v in the foreground: the appliance's console, imgmount-hv's
  # messages included, goes to stderr.
  "$IMGMOUNT" -f -v -v "$T/disk.img" "$M" 2> "$T/console" &
  daemon=$!
  wait_until 900 mounted "$M"
  echo "$round" > "$M/round"
  unmount "$M" || fail "round $round: unmount"
  wait "$daemon" || fail "round $round: imgmount exited $?"
  if grep -q "still running .* after SIGTERM" "$T/console"; then
    fail "round $round: UML had to be killed: $(grep 'still running' "$T/console")"
  else
    ok "round $round: UML stopped by itself"
  fi
done
check "nothing left" nothing_left
finish
