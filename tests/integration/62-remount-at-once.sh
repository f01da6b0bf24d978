#!/usr/bin/env bash
# Mount again right after an unmount, as a script, mount(8), systemd or a
# test harness does it: umount(8) or fusermount3 -u returns while the
# daemon is still writing back and stopping its appliance, holding the
# image's lock.  The next imgmount waits for it, saying so on stderr, and
# mounts; the data of each round is there in the next.  A live mount is
# still refused at once, and a previous mount that lost data makes the
# next one refuse, saying so.
. "$(dirname "$0")/../lib/common.sh"
# 12 rounds on UML, 8 on TCG (each TCG round boots a slower appliance).
rounds=12
[ "${IMGMOUNT_BACKEND:-tcg}" = tcg ] && rounds=8
ROUNDS=${IMGMOUNT_REMOUNT_ROUNDS:-$rounds}
M=$T/mnt
make_ext4 "$T/disk.img" 32M
now_ms () { echo $(( $(date +%s%N) / 1000000 )); }
# The plain unmounts of everyone else: umount(8) as root, alternating
# with fusermount3 -u; an ordinary user has only fusermount3.
plain_unmount () {
  if [ "$(id -u)" -eq 0 ] && [ $(($1 % 2)) -eq 0 ]; then umount "$M"; else fusermount3 -u "$M"; fi
}

mkdir -p "$T/mnt2"
mount_img "$T/disk.img" "$M" 2> "$T/err" || fail "first mount: $(cat "$T/err")"
waits=0 times=""
for i in $(seq "$ROUNDS"); do
  echo "round $i" > "$M/data" || { fail "round $i: write"; break; }
  plain_unmount "$i" || { fail "round $i: unmount"; break; }
  start=$(now_ms)
  "$IMGMOUNT" "$T/disk.img" "$M" 2> "$T/err"; rc=$?
  times="$times $(( $(now_ms) - start ))"
  if [ "$rc" -ne 0 ]; then fail "round $i: mount right after the unmount: $(cat "$T/err")"; break; fi
  if [ -s "$T/err" ]; then
    if grep -qv "^imgmount: $T/disk.img: waiting for the previous imgmount (pid [0-9]*) to finish writing back\$" "$T/err"; then
      fail "round $i: unexpected stderr: $(cat "$T/err")"
    fi
    waits=$((waits + 1))
  fi
  assert_eq "round $i: the previous round's data is there" "round $i" "$(cat "$M/data")"
done
echo "  mount times (ms):$times; $waits of $ROUNDS waited"

# A live mount: refused at once, whoever asks.
if ! mounted "$M"; then   # the rounds broke off
  wait_until 300 none_running "$T/disk.img"
  mount_img "$T/disk.img" "$M" || fail "mount for the live-mount case"
fi
start=$(now_ms)
refuse "a live mount is refused" "$IMGMOUNT" "$T/disk.img" "$T/mnt2"
refuse "... also read-only" "$IMGMOUNT" --ro "$T/disk.img" "$T/mnt2"
took=$(( $(now_ms) - start ))
check "... at once (${took} ms)" test "$took" -lt 3000
check "... with the reason" sh -c "'$IMGMOUNT' '$T/disk.img' '$T/mnt2' 2>&1 | grep -q 'already mounted'"
check "the live mount is still there" mounted "$M"
unmount "$M" || fail "imgmount -u"
check "nothing left after the rounds" nothing_left

# A previous mount that lost data: the image's host filesystem refuses
# writes (tests/failing-fs) while data written through the mount is not
# yet in the image; the mount right after the unmount waits, then refuses.
FAILING_FS=${FAILING_FS:-$TOP/build/tests/failing-fs}
[ -x "$FAILING_FS" ] || { fail "no $FAILING_FS (built with imgmount)"; finish; }
mkdir -p "$T/disk" "$T/host"
make_ext4 "$T/disk/disk.img" 64M
"$FAILING_FS" "$T/disk" "$T/host" 2> "$T/failing-fs.err" &
fs=$!
wait_until 100 mounted "$T/host" || fail "failing-fs did not mount"
if mount_img "$T/host/disk.img" "$M"; then
  head -c 8M /dev/urandom > "$M/data" || fail "write through the mount"
  kill -USR1 "$fs"
  umount "$M" 2>/dev/null || fusermount3 -u "$M" || fail "unmount of the failing mount"
  "$IMGMOUNT" "$T/host/disk.img" "$M" 2> "$T/err"; rc=$?
  check "the mount after a mount that lost data fails (exit $rc)" test "$rc" -ne 0
  check "... after saying it waits" grep -q "waiting for the previous imgmount" "$T/err"
  check "... and says the data was lost: $(tail -n 1 "$T/err")" \
    grep -q "^imgmount: $T/host/disk.img: .*lost" "$T/err"
  check "... in one line besides the wait" test "$(grep -vc waiting "$T/err")" -eq 1
  check "... and mounts nothing" not mounted "$M"
  wait_until 100 none_running "$T/host/disk.img"
else
  fail "mount on failing-fs"
fi
fusermount3 -u "$T/host" || fail "unmount failing-fs"
wait_gone "$fs"
check "nothing left" nothing_left
finish
