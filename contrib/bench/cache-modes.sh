#!/usr/bin/env bash
# contrib/bench/cache-modes.sh [BACKEND] [ROUNDS]: compares imgmount's
# --cache modes (writeback, none, unsafe) side by side on one backend
# (default tcg), ROUNDS rounds (default 3), modes interleaved so that machine
# noise hits each alike.  A selection of the benchmark suite
# (contrib/bench/run.sh): mount ready, cp of 200 MB until fsync returns, cat
# of it back after dropping caches, and 4 KB write+fsync latency.
set -euo pipefail
exec "$(dirname "$0")/run.sh" --backends "${1:-tcg}" --rounds "${2:-3}" \
  --tools imgmount --cache writeback,none,unsafe --workloads startup,cp,cat,fsync \
  --file-mb 200 --fsync-samples 20
