#!/usr/bin/env bash
# contrib/setup.sh: the README's first command.  Installs what is missing,
# builds imgmount, makes a small sample image, mounts it, lists it and
# unmounts it again.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ $# -gt 0 ]; then
  echo "setup.sh: takes no arguments (got '$1'); it makes its own sample image" >&2
  exit 2
fi

bash contrib/deps.sh
[ -d build ] || meson setup build >/dev/null
ninja -C build >/dev/null
echo "setup: built build/imgmount"

work=$(mktemp -d)
cleanup () {
  mountpoint -q "$work/mnt" && build/imgmount -u "$work/mnt" || true
  rm -rf "$work"
}
trap cleanup EXIT

# A sample ext4 image with a few files, made without mounting anything.
mkdir -p "$work/content/docs" "$work/mnt"
echo "hello from inside the image" > "$work/content/hello.txt"
cp README "$work/content/docs/"
truncate -s 64M "$work/sample.img"
mkfs.ext4 -q -F -d "$work/content" "$work/sample.img"

echo "setup: imgmount --list sample.img"
build/imgmount --list "$work/sample.img"
echo "setup: mounting (the first launch builds the appliance, about a minute)"
time build/imgmount "$work/sample.img" "$work/mnt"
ls -la "$work/mnt"
cat "$work/mnt/hello.txt"
echo "written through imgmount" > "$work/mnt/new.txt"
build/imgmount -u "$work/mnt"
echo "setup: after unmount, the image holds new.txt: $(debugfs -R 'cat /new.txt' "$work/sample.img" 2>/dev/null)"
echo "setup: done"
