#!/usr/bin/env bash
# Progress: on a terminal the slow phases show on one status line; -q and
# a non-terminal stderr show nothing; -v prints how long each phase took,
# and -vv adds libguestfs's messages and the appliance's console.
. "$(dirname "$0")/../lib/common.sh"
[ "${IMGMOUNT_BACKEND:-}" = uml ] && skip "progress is tested in the tcg pass"
command -v script >/dev/null || skip "script (bsdutils) is not installed"

make_ext4 "$T/disk.img" 32M
M=$T/mnt
mkdir -p "$M"

# on_terminal LOG ARGS...: runs imgmount ARGS with a terminal as stderr.
on_terminal () {
  local log=$1; shift
  script -qec "$(printf '%q ' "$IMGMOUNT" "$@")" /dev/null > "$log" 2>&1
}

on_terminal "$T/tty.log" "$T/disk.img" "$M" || fail "mount on a terminal"
grep -q "booting the appliance" "$T/tty.log" && ok "terminal: the boot phase shows" ||
  fail "terminal: no progress: $(cat -v "$T/tty.log")"
grep -q $'\033\[K' "$T/tty.log" && ok "terminal: the status line is cleared" || fail "status line not cleared"
unmount "$M" || fail "unmount"

on_terminal "$T/quiet.log" -q "$T/disk.img" "$M" || fail "mount -q on a terminal"
assert_eq "-q: nothing on the terminal" "" "$(tr -d '\r' < "$T/quiet.log")"
unmount "$M" || fail "unmount"

"$IMGMOUNT" "$T/disk.img" "$M" 2> "$T/pipe.err" || fail "mount"
assert_eq "not a terminal: nothing on stderr" "" "$(cat "$T/pipe.err")"
unmount "$M" || fail "unmount"

"$IMGMOUNT" -v "$T/disk.img" "$M" 2> "$T/verbose.err" || fail "mount -v"
grep -Eq '^imgmount: booting the appliance \([a-z]+\): [0-9]+\.[0-9] s$' "$T/verbose.err" &&
  ok "-v: the boot took $(sed -n 's/^imgmount: booting the appliance ([a-z]*): //p' "$T/verbose.err")" ||
  fail "-v: no boot timing: $(cat "$T/verbose.err")"
grep -Eq '^imgmount: finding and mounting the filesystems: [0-9.]+ s$' "$T/verbose.err" &&
  ok "-v: the filesystem phase is timed" || fail "-v: no filesystem timing"
unmount "$M" || fail "unmount"

# -vv: the appliance kernel's own lines ("[    0.000000] Linux version ...").
"$IMGMOUNT" -vv --list "$T/disk.img" > /dev/null 2> "$T/debug.err" || fail "--list -vv"
check "-vv: the appliance's console is shown" grep -Eq '\[ *[0-9]+\.[0-9]+\] Linux version' "$T/debug.err"
check "nothing left" nothing_left
finish
