#!/usr/bin/env bash
# contrib/bench-channel.sh [ROUNDS] [SIZE_MB]: the channel to guestfsd, UML
# (vhost-user virtio-console, through imgmount-hv) against TCG (qemu's
# virtio-serial), side by side, rounds interleaved; prints medians.
#   - the seed's tests with guestfish on a 1 GB ext2 image: start-up (run),
#     upload of SIZE_MB (default 500) MB, upload-no-write (to a null device
#     node in the image);
#   - through imgmount: mount ready, cp of 200 MB until fsync returns.
set -euo pipefail
TOP=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$TOP/build}
rounds=${1:-3} size=${2:-500}
W=$(mktemp -d /var/tmp/imgmount-bench.XXXXXX)
trap 'for m in "$W"/mnt-*; do "$BUILD/imgmount" -u "$m" 2>/dev/null || true; done; rm -rf "$W"' EXIT
head -c "${size}M" /dev/urandom > "$W/upload"
head -c 200M /dev/urandom > "$W/cp"
# The UML appliance is built on first use.
truncate -s 64M "$W/warm.img"; mkfs.ext2 -q -F "$W/warm.img"
"$BUILD/imgmount" --backend=uml --list "$W/warm.img" >/dev/null

now () { date +%s%N; }
since () { local ns=$(( $(now) - $1 )); printf '%d.%03d' $((ns / 1000000000)) $((ns / 1000000 % 1000)); }

# guestfish_env BACKEND: the environment that runs guestfish on BACKEND.
guestfish_env () {
  case $1 in
    tcg) echo "LIBGUESTFS_BACKEND_SETTINGS=force_tcg" ;;
    uml) echo "LIBGUESTFS_HV=$BUILD/imgmount-hv IMGMOUNT_HV_MODE=uml" \
              "LIBGUESTFS_PATH=/var/cache/imgmount/uml-appliance.latest" ;;
  esac
}

# elapsed GUESTFISH-OUTPUT N: the Nth "elapsed time" guestfish printed.
elapsed () { grep -o 'elapsed time: [0-9.]*' <<< "$1" | sed -n "${2}s/.* //p"; }

for r in $(seq "$rounds"); do
  for b in tcg uml; do
    echo "round $r/$rounds: $b" >&2
    img=$W/$b.img
    rm -f "$img"; truncate -s 1G "$img"; mkfs.ext2 -q -F "$img"
    printf '%s\n' "time run" "mount /dev/sda /" "mknod-c 0666 1 3 /null" \
      "time upload $W/upload /big" "sync" > "$W/script"
    out=$(env $(guestfish_env $b) guestfish -a "$img" -f "$W/script" 2>&1)
    run_s=$(elapsed "$out" 1) up_s=$(elapsed "$out" 2)
    # Upload-no-write in a session of its own: on UML the appliance has been
    # seen to spin at shutdown after it (a known bug), so it gets a limit.
    printf '%s\n' "run" "mount /dev/sda /" "time upload $W/upload /null" > "$W/script"
    out=$(env $(guestfish_env $b) timeout -k 5 120 guestfish -a "$img" -f "$W/script" 2>&1 || true)
    nowrite_s=$(elapsed "$out" 1)
    pkill -9 -f -- "$img" || true
    [ -n "$nowrite_s" ] || nowrite_s=nan

    rm -f "$img"; truncate -s 1G "$img"; mkfs.ext4 -q -F "$img"
    mkdir -p "$W/mnt-$b"
    t=$(now); "$BUILD/imgmount" --backend=$b "$img" "$W/mnt-$b"; ready_s=$(since "$t")
    t=$(now)
    cp "$W/cp" "$W/mnt-$b/cp"
    python3 -c 'import os, sys; fd = os.open(sys.argv[1], os.O_RDONLY); os.fsync(fd)' "$W/mnt-$b/cp"
    cp_s=$(since "$t")
    "$BUILD/imgmount" -u "$W/mnt-$b"
    echo "$b $run_s $up_s $nowrite_s $ready_s $cp_s" >> "$W/results"
  done
done

echo "$(date -u +%F) $(nproc) cores, rounds=$rounds, upload ${size} MB; medians in s (MB/s)"
printf '%-4s %8s %18s %18s %12s %18s\n' "" "run" "upload" "upload-no-write" "mount ready" "cp 200MB+fsync"
for b in tcg uml; do
  grep "^$b " "$W/results" | python3 -c '
import sys, statistics
size = float(sys.argv[2])
rows = [list(map(float, l.split()[1:])) for l in sys.stdin]
run, up, nw, ready, cp = (statistics.median(c) for c in zip(*rows))
print("%-4s %8.1f %9.1f (%5.1f/s) %9.1f (%5.1f/s) %12.1f %9.1f (%5.1f/s)" %
      (sys.argv[1], run, up, size / up, nw, size / nw, ready, cp, 200 / cp))' "$b" "$size"
done
