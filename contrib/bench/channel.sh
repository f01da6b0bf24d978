#!/usr/bin/env bash
# contrib/bench/channel.sh [ROUNDS] [SIZE_MB]: the channel to guestfsd, UML
# (vhost-user virtio-console, through imgmount-hv) against TCG (qemu's
# virtio-serial), side by side, rounds interleaved; prints medians.  A
# selection of the benchmark suite (contrib/bench/run.sh):
#   - the seed's tests with guestfish on a 1 GB ext2 image: start-up (run),
#     upload of SIZE_MB (default 500) MB, upload-no-write (to a null device
#     node in the image), write-no-upload;
#   - through imgmount: mount ready, cp of 200 MB until fsync returns.
set -euo pipefail
exec "$(dirname "$0")/run.sh" --backends tcg,uml --tools imgmount \
  --workloads seed,startup,cp --rounds "${1:-3}" --upload-mb "${2:-500}" --file-mb 200
