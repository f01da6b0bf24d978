#!/usr/bin/env bash
# meson install puts every piece where it belongs, and the installed
# imgmount finds its installed imgmount-hv.
. "$(dirname "$0")/../lib/common.sh"
[ "${IMGMOUNT_BACKEND:-}" = uml ] && skip "installation is tested in the tcg pass"
build=$(dirname "$IMGMOUNT")
prefix=$(meson introspect "$build" --buildoptions | python3 -c '
import json, sys
print(next(o["value"] for o in json.load(sys.stdin) if o["name"] == "prefix"))')
meson install -C "$build" --destdir "$T/root" >/dev/null 2>&1 || { fail "meson install"; finish; }
for f in "$prefix/bin/imgmount" "$prefix/libexec/imgmount/imgmount-hv" /sbin/mount.fuse.imgmount \
         "$prefix/share/man/man1/imgmount.1" "$prefix/share/bash-completion/completions/imgmount"; do
  check "installed: $f" test -e "$T/root$f"
done
check "installed imgmount runs" "$T/root$prefix/bin/imgmount" --version
# Built-in directory of the helper programs: the prefix, not the build tree.
check "helper programs are looked for where they are installed" \
  grep -q "$prefix/libexec/imgmount" "$T/root$prefix/bin/imgmount"
check "installed: imgmount-console" test -x "$T/root$prefix/libexec/imgmount/imgmount-console"
check "installed: imgmount-agent" test -x "$T/root$prefix/libexec/imgmount/imgmount-agent"
finish
