#!/usr/bin/env bash
# contrib/bench-cache-modes.sh [BACKEND] [ROUNDS]: compares the --cache
# modes side by side on one backend (default tcg), ROUNDS rounds (default
# 3), modes interleaved so that machine noise hits each alike.  Prints the
# median of each figure: mount ready, cp of 200 MB + sync, cat of it back
# after dropping caches, and 20 small write+fsync pairs.
set -euo pipefail
TOP=$(cd "$(dirname "$0")/.." && pwd)
IMGMOUNT=${IMGMOUNT:-$TOP/build/imgmount}
backend=${1:-tcg} rounds=${2:-3}
W=$(mktemp -d /var/tmp/imgmount-bench.XXXXXX)
trap 'for m in "$W"/mnt-*; do "$IMGMOUNT" -u "$m" 2>/dev/null || true; done; rm -rf "$W"' EXIT
head -c 200M /dev/urandom > "$W/big"

now () { date +%s%N; }
since () { local ns=$(( $(now) - $1 )); printf '%d.%03d' $((ns / 1000000000)) $((ns / 1000000 % 1000)); }

for r in $(seq "$rounds"); do
  for mode in writeback none unsafe; do
    img=$W/$mode.img mnt=$W/mnt-$mode
    rm -f "$img"; truncate -s 1G "$img"; mkfs.ext4 -q -F "$img"; mkdir -p "$mnt"
    t=$(now); "$IMGMOUNT" --backend="$backend" --cache="$mode" "$img" "$mnt" 2>/dev/null
    ready=$(since "$t")
    t=$(now); cp "$W/big" "$mnt/big"; sync -f "$mnt/big"; cp_s=$(since "$t")
    echo 3 > /proc/sys/vm/drop_caches
    t=$(now); cat "$mnt/big" > /dev/null; cat_s=$(since "$t")
    t=$(now)
    for i in $(seq 20); do dd if=/dev/zero of="$mnt/small$i" bs=4k count=1 conv=fsync status=none; done
    fsync_s=$(since "$t")
    "$IMGMOUNT" -u "$mnt"
    echo "$mode $ready $cp_s $cat_s $fsync_s" >> "$W/results"
  done
done

echo "backend=$backend rounds=$rounds (medians, seconds)"
printf '%-10s %8s %12s %12s %16s\n' mode ready "cp200M+sync" "cat200M" "20x(4k+fsync)"
for mode in writeback none unsafe; do
  grep "^$mode " "$W/results" | python3 -c '
import sys, statistics
rows = [list(map(float, l.split()[1:])) for l in sys.stdin]
m = [statistics.median(c) for c in zip(*rows)]
print("%-10s %8.1f %12.1f %12.1f %16.1f" % (sys.argv[1], *m))' "$mode"
done
