#!/usr/bin/env bash
# An untrusted image that is a UML COW file naming a host file must be read
# as plain data: UML's ubd would otherwise open the named file as the
# image's backing store.  inotify shows whether the named file is touched.
. "$(dirname "$0")/../lib/common.sh"
command -v uml_mkcow >/dev/null || skip "uml_mkcow (uml-utilities) is not installed"
command -v inotifywait >/dev/null || skip "inotifywait (inotify-tools) is not installed"

make_ext4 "$T/secret.img" 32M
uml_mkcow -f "$T/hostile.img" "$T/secret.img" >/dev/null 2>&1 || { fail "uml_mkcow"; finish; }
truncate -s 32M "$T/hostile.img"
M=$T/mnt
mkdir -p "$M"

inotifywait -q -m -e open,access --format '%e %w' "$T/secret.img" > "$T/touched" 2>/dev/null &
watcher=$!
sleep 0.5

for mode in --ro --rw; do
  # The image holds no filesystem of its own: the mount must fail cleanly.
  refuse "$mode: a COW-header image has no filesystem" "$IMGMOUNT" "$mode" "$T/hostile.img" "$M"
done
"$IMGMOUNT" --list "$T/hostile.img" >/dev/null 2>&1
sleep 0.5
kill "$watcher"; wait "$watcher" 2>/dev/null
assert_eq "the host file named in the header was never opened" "" "$(cat "$T/touched")"
check "nothing left" nothing_left
finish
