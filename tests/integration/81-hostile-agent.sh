#!/usr/bin/env bash
# A hostile imgmount-agent in the real appliance (imgmount-agent-hostile,
# tests/hostile/agent-hostile.c: honest but for a lookup of a name
# "hostile-MODE"): garbage, a reply to an id never sent, a length no
# message has, a stream without end, silence.  Each fails its call with
# EIO within the call timeout, then every later call the agent serves;
# the daemon neither hangs, crashes nor grows, the mount comes off and
# nothing is left.  A well-framed reply with a file type no file has
# fails that call alone, and the mount goes on.
. "$(dirname "$0")/../lib/common.sh"

hostile=$TOP/build/imgmount-agent-hostile
[ -x "$hostile" ] || skip "no $hostile (meson builds it with imgmount)"
# imgmount finds its helpers beside itself: a copy of it, its helpers
# linked, and as its agent the hostile one.  An appliance cache of its
# own, since the cache keeps one appliance.
mkdir -p "$T/bin" "$T/src"
cp "$IMGMOUNT" "$T/bin/imgmount"
for p in "$(dirname "$(realpath "$IMGMOUNT")")"/imgmount-*; do
  [ -f "$p" ] && [ -x "$p" ] && ln -s "$p" "$T/bin/${p##*/}"
done
ln -sf "$hostile" "$T/bin/imgmount-agent"
IMGMOUNT=$T/bin/imgmount
export IMGMOUNT_CACHE_DIR=$T/cache IMGMOUNT_CALL_TIMEOUT=10

echo ok > "$T/src/ok.txt"
echo other > "$T/src/other.txt"
for mode in garbage unknown-id huge endless silent mode; do
  : > "$T/src/hostile-$mode"
done
make_ext4 "$T/disk.img" 64M "$T/src"
M=$T/mnt

for mode in garbage unknown-id huge endless silent; do
  mount_img "$T/disk.img" "$M" --ro --pid-file "$T/pid" || { fail "$mode: mount"; continue; }
  assert_eq "$mode: an honest lookup first" ok "$(cat "$M/ok.txt" 2>&1)"
  start=$(date +%s)
  # The endless stream's first reply is an honest one (no such file).
  errno="Input/output error"
  [ "$mode" = endless ] && errno="No such file or directory"
  expect_errno "$mode: its lookup fails ($errno)" "$errno" timeout 60 stat "$M/hostile-$mode"
  secs=$(( $(date +%s) - start ))
  check "$mode: within the call timeout (${secs} s)" test "$secs" -le 20
  expect_errno "$mode: and so does a later one (the stream is lost)" "Input/output error" \
    timeout 60 stat "$M/other.txt"
  rss=$(awk '/^VmRSS/ { print $2 }' /proc/"$(cat "$T/pid")"/status 2>/dev/null)
  check "$mode: the daemon lives, under 64 MB (${rss:-no} kB)" test "${rss:-999999}" -lt 65536
  # The stream without end keeps the agent writing, its handles open: the
  # appliance cannot unmount its filesystem, and -u says so (exit 1).
  timeout 120 "$IMGMOUNT" -u "$M" > "$T/u.err" 2>&1
  rc=$?
  check "$mode: -u returns (exit $rc: $(head -c 300 "$T/u.err"))" test "$rc" -ne 124
  wait_until 100 not mounted "$M"
  check "$mode: the mount is gone" not mounted "$M"
  wait_until 100 nothing_left
  check "$mode: nothing left" nothing_left
done

mount_img "$T/disk.img" "$M" --ro || fail "mode: mount"
expect_errno "a file type no file has: EIO" "Input/output error" timeout 60 stat "$M/hostile-mode"
assert_eq "the mount goes on" other "$(cat "$M/other.txt" 2>&1)"
unmount "$M" || fail "unmount after a bad file type"
check "nothing left" nothing_left
finish
