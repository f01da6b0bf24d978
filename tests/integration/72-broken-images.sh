#!/usr/bin/env bash
# Broken images, built on the host: an ext4 superblock with a corrupted
# geometry, an image truncated to an eighth of its filesystem, and an ext4
# whose inode tables are random bytes.  Each either works or fails with
# one line: imgmount never crashes or hangs (every call runs under a time
# limit), and nothing is left running or mounted.  (A zeroed image, random
# bytes and an empty file are 10-bad-input's.)
. "$(dirname "$0")/../lib/common.sh"
M=$T/mnt
mkdir -p "$M" "$T/content"
for i in $(seq 200); do echo "file $i" > "$T/content/f$i"; done
lim () { timeout -k 10 240 "$@"; }

# one_line_or_mounted WHAT IMAGE [OPTIONS...]: the mount either fails with
# one "imgmount:" line, or succeeds (then returns 0 and leaves it mounted).
one_line_or_mounted () {
  local what=$1 img=$2 err rc; shift 2
  err=$(lim "$IMGMOUNT" "$@" "$img" "$M" 2>&1 >/dev/null); rc=$?
  if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then fail "$what: imgmount hung"; return 2; fi
  if [ "$rc" -eq 0 ]; then ok "$what: mounted"; return 0; fi
  if [ "$(printf '%s\n' "$err" | wc -l)" -eq 1 ] && [[ $err == imgmount:* ]] && [ "$rc" -eq 1 ]; then
    ok "$what: refused ($err)"
  else
    fail "$what: rc $rc, not one 'imgmount:' line: $err"
  fi
  return 1
}

# ext4's block size is 1024 << s_log_block_size (byte 24 of the superblock
# at 1024): 2^40-byte blocks.
make_ext4 "$T/badsb.img" 32M "$T/content"
printf '\x1e\x00\x00\x00' | dd of="$T/badsb.img" bs=1 seek=$((1024 + 24)) conv=notrunc status=none
if one_line_or_mounted "corrupted superblock" "$T/badsb.img"; then
  lim ls "$M" >/dev/null 2>&1; unmount "$M" || fail "unmount of the corrupted superblock"
fi

make_ext4 "$T/truncated.img" 64M "$T/content"
truncate -s 8M "$T/truncated.img"
if one_line_or_mounted "truncated to 8 MiB of 64" "$T/truncated.img"; then
  lim sh -c "cat '$M'/* >/dev/null 2>&1; echo x > '$M/new' 2>/dev/null; true"
  unmount "$M" || fail "unmount of the truncated image"
fi

# Random inode tables: the mount may work; reading then gives data,
# garbage or errors, but always an answer.
make_ext4 "$T/corrupt.img" 32M "$T/content"
table=$(dumpe2fs "$T/corrupt.img" 2>/dev/null | awk '/Inode table at/ { split($4, r, "-"); print r[1], r[2]; exit }')
read -r first last <<< "$table"
[ -n "$first" ] || { fail "no inode table found"; finish; }
block=$(dumpe2fs -h "$T/corrupt.img" 2>/dev/null | awk '/^Block size:/ { print $3 }')
# Keep the root directory's inode (inode 2, the second of the table).
dd if=/dev/urandom of="$T/corrupt.img" bs="$block" seek="$((first + 1))" count="$((last - first))" \
  conv=notrunc status=none
sum=$(sha256sum < "$T/corrupt.img")
if one_line_or_mounted "random inode tables, --ro" "$T/corrupt.img" --ro; then
  rc=0
  lim sh -c "ls -laR '$M' >/dev/null 2>&1; find '$M' -type f -exec cat {} + >/dev/null 2>&1; true" || rc=$?
  [ "$rc" -eq 0 ] && ok "walking the corrupt tree ends" || fail "walking the corrupt tree: rc $rc"
  check "the mount still answers" lim stat "$M"
  err=$(lim "$IMGMOUNT" -u "$M" 2>&1); rc=$?
  if [ "$rc" -eq 0 ] || { [ "$(printf '%s\n' "$err" | wc -l)" -eq 1 ] && [[ $err == imgmount:* ]]; }; then
    ok "unmount of the corrupt image (rc $rc${err:+: $err})"
  else
    fail "unmount of the corrupt image: rc $rc: $err"
  fi
fi
assert_eq "--ro left the corrupt image byte-identical" "$sum" "$(sha256sum < "$T/corrupt.img")"
check "nothing left" nothing_left
finish
