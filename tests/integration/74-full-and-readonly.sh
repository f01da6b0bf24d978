#!/usr/bin/env bash
# A full filesystem: ENOSPC reaches the writer (on write, fsync or close),
# the files already there are unharmed, and space freed is usable again.
# A read-only image file mounted read-write (mode 0444, even for root;
# chattr +i): one line naming the image and --ro, nothing written, nothing
# started.  (An image on a read-only bind mount is 40-readonly's.)
. "$(dirname "$0")/../lib/common.sh"
M=$T/mnt
mkdir -p "$M" "$T/content"
head -c 1M /dev/urandom > "$T/content/keep.bin"
echo "unharmed" > "$T/content/keep.txt"
make_ext4 "$T/small.img" 24M "$T/content"

# ---- read-only image files: refused before anything starts ----
make_ext4 "$T/ro.img" 16M "$T/content"
sum=$(sha256sum < "$T/ro.img")
chmod 444 "$T/ro.img"
expect_ro_refusal () {   # WHAT IMAGE
  local what=$1 img=$2 err
  err=$("$IMGMOUNT" "$img" "$M" 2>&1 >/dev/null)
  case $err in
    "imgmount: $img: "*--ro*) [ "$(printf '%s\n' "$err" | wc -l)" -eq 1 ] && ok "$what ($err)" || fail "$what: $err" ;;
    *) fail "$what: expected a message naming $img and --ro, got: $err" ;;
  esac
}
expect_ro_refusal "mode 0444, read-write" "$T/ro.img"
if chattr +i "$T/ro.img" 2>/dev/null; then
  chmod 644 "$T/ro.img"
  expect_ro_refusal "chattr +i, read-write" "$T/ro.img"
  chattr -i "$T/ro.img"
else
  echo "  (chattr +i not supported here)"
fi
chmod 644 "$T/ro.img"
assert_eq "refused images unchanged" "$sum" "$(sha256sum < "$T/ro.img")"
check "nothing started by the refusals" nothing_left

# ---- a full filesystem ----
keep_sum=$(sha256sum < "$T/content/keep.bin")
mount_img "$T/small.img" "$M" || { fail "mount"; finish; }
out=$(dd if=/dev/zero of="$M/filler" bs=1M count=64 conv=fsync 2>&1); rc=$?
if [ "$rc" -ne 0 ] && [[ $out == *"No space left on device"* ]]; then
  ok "dd into a full filesystem fails with ENOSPC"
else
  fail "dd into a full filesystem: rc $rc, $out"
fi
# Small writes that fit in the write buffer must fail by fsync or close.
out=$(python3 - "$M/more" <<'PY' 2>&1
import errno, os, sys
fd = os.open(sys.argv[1], os.O_WRONLY | os.O_CREAT, 0o644)
try:
    for _ in range(4096):
        os.write(fd, b"x" * 4096)
    os.fsync(fd)
    os.close(fd)
    print("no error")
except OSError as e:
    print(errno.errorcode.get(e.errno, e.errno))
PY
)
assert_eq "16 MiB of small writes + fsync on a full filesystem: ENOSPC" ENOSPC "$out"
assert_eq "the file already there is unharmed" "$keep_sum" "$(sha256sum < "$M/keep.bin")"
assert_eq "and the other one" unharmed "$(cat "$M/keep.txt")"
rm -f "$M/filler" "$M/more"
check "space freed is usable again" dd if=/dev/zero of="$M/again" bs=1M count=4 conv=fsync status=none
unmount "$M" || fail "unmount after ENOSPC"
check "e2fsck clean" e2fsck -fn "$T/small.img"
check "nothing left" nothing_left
finish
