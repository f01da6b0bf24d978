#!/usr/bin/env bash
# contrib/bench/report.py makes its table, JSON and chart from whatever a
# run measured, also when --workloads left out every timed workload (a
# run of the memory workload alone once ended in a Python traceback, with
# no table for the figures it had).
. "$(dirname "$0")/../lib/common.sh"
[ "${IMGMOUNT_BACKEND:-}" = uml ] && skip "the report is tested in the tcg pass"
command -v gnuplot >/dev/null || skip "gnuplot is not installed (contrib/deps.sh --bench)"

# run_report WHAT RESULTS-LINES...: report.py over a run of those results.
run_report () {
  local what=$1 rc; shift
  rm -rf "$T/run" && mkdir -p "$T/run"
  printf '%s\n' "$@" | tr ' ' '\t' > "$T/run/results.tsv"
  cat > "$T/run/meta.json" <<JSON
{"date": "2026-11-28 23:59 UTC", "machine": "test", "versions": "test", "rounds": 1,
 "backends": "uml,tcg", "tools": "imgmount", "cache_modes": "writeback", "workloads": "mem",
 "upload_mb": 500, "file_mb": 100, "tree_files": 0, "tree_mb": 0, "fsync_samples": 20,
 "mem_mb": 2000, "mem_image_mb": 2756, "image_mb": 1024, "run_seconds": 149}
JSON
  python3 "$TOP/contrib/bench/report.py" "$T/run" > "$T/out" 2>&1; rc=$?
  assert_eq "$what: report.py exits 0 ($(tail -n 1 "$T/out"))" 0 "$rc"
}

run_report "memory alone" "1 uml imgmount mem-copy 78.938 s" "1 uml imgmount mem-peak-rss 21.1 MB" \
  "1 tcg imgmount mem-copy 40.473 s" "1 tcg imgmount mem-peak-rss 19.1 MB"
check "memory alone: the UML peak RSS is in the table" grep -q "image of 2756 MB (MB; round 1) | 21.1 |" "$T/run/results.md"
check "memory alone: the TCG copy is in the table" grep -q "until fsync returns (round 1) | 40.5 " "$T/run/results.md"
check "memory alone: the JSON has it" python3 -c 'import json, sys
r = json.load(open(sys.argv[1]))["results"]
assert r["tcg"]["imgmount"]["mem-peak-rss"]["median"] == 19.1' "$T/run/results.json"
check "memory alone: no chart is promised" not grep -q "chart.svg" "$T/run/results.md"

run_report "a timed workload" "1 tcg imgmount startup 6.0 s" "1 tcg imgmount cat 1.0 s"
check "a timed workload: in the table" grep -q "| 1.0 (100 MB/s) |" "$T/run/results.md"
check "a timed workload: the chart is drawn" test -s "$T/run/chart.svg"
check "a timed workload: and shown" grep -q "chart.svg" "$T/run/results.md"

# The seed's tests on both backends: the chart's panel for them is
# coloured by backend (a colour short once the sandbox column came, and
# a full run's report ended in a KeyError for 'uml').
run_report "the seed's tests" "1 uml guestfish startup 7.0 s" "1 tcg guestfish startup 13.6 s" \
  "1 uml guestfish upload 40.0 s" "1 tcg guestfish upload 12.0 s"
check "the seed's tests: the chart is drawn" test -s "$T/run/chart.svg"
check "the seed's tests: in the table" grep -q "| upload 500 MB + sync | 40.0 (12 MB/s) | 12.0 (42 MB/s) |" \
  "$T/run/results.md"

# The OS image row (issue 29), without building the image: automatic
# against imgmount -m (difference per round, then the median) and against
# guestmount -i, with the targets; no empty "Through the mount" table.
run_report "the OS image" "1 tcg imgmount osimage 9.0 s" "1 tcg imgmount-m osimage 8.5 s" \
  "1 tcg guestmount osimage 20.0 s" "1 tcg imgmount osimage-unmount 0.5 s" \
  "1 uml imgmount osimage 9.0 s" "1 uml imgmount-m osimage 7.0 s" "1 uml guestmount osimage 10.0 s" \
  "1 tcg imgmount osimage-find 1.5 s" "1 tcg imgmount-m osimage-find 0.75 s"
check "the OS image: TCG row, one target met, one missed" grep -q \
  "| TCG | ready | 9.0 | 8.5 | 20.0 | 0.5 (target <= 1: met) | 0.45 (target <= 0.3: missed) |" "$T/run/results.md"
check "the OS image: UML row, no guestmount target" grep -q \
  "| UML | ready | 9.0 | 7.0 | 10.0 | 2.0 (target <= 1: missed) | 0.90 |" "$T/run/results.md"
check "the OS image: the unmount" grep -q "| TCG | unmount, until the appliance has let go of the image | 0.50 | - | - |" "$T/run/results.md"
check "the OS image: imgmount's own finding phase" grep -q \
  "| TCG | of which finding and mounting the filesystems (imgmount -v) | 1.5 | 0.75 | - | 0.8 | |" "$T/run/results.md"
check "the OS image: no empty table" not grep -q "Through the mount" "$T/run/results.md"
check "the OS image: the JSON has the comparisons" python3 -c 'import json, sys
o = json.load(open(sys.argv[1]))["osimage"]
assert o["tcg"]["automatic_minus_m_met"] is True and o["tcg"]["automatic_over_guestmount_met"] is False
assert o["uml"]["automatic_minus_m_s"] == 2.0 and o["uml"]["target_automatic_over_guestmount"] is None' "$T/run/results.json"
# Issue 26's targets, figures made from the rows they compare: per
# backend, only those measured; a ratio to fuse2fs from the host's row.
run_report "the agent's targets" "1 uml imgmount rt-median 0.3 ms" "1 uml imgmount rt-parallel 0.2 ms" \
  "1 uml imgmount rsync-in 4.0 s" "1 uml guestmount rsync-in 16.0 s" "1 host fuse2fs rsync-in 3.0 s" \
  "1 uml imgmount rsync-in-4 6.0 s" "1 uml imgmount parallel-peak-rss 30.0 MB" \
  "1 tcg imgmount fsync-median 25.0 ms"
check "the agent's targets: a round trip met" grep -q \
  "| getxattr through the mount, one at a time (median, ms) | 0.30 (target <= 0.4): met | - (target <= 0.25) |" \
  "$T/run/results.md"
check "the agent's targets: parallel stats missed" grep -q "| 0.20 (target <= 0.15): missed |" "$T/run/results.md"
check "the agent's targets: rsync in against guestmount and fuse2fs" grep -q \
  "| 0.25 (target <= 0.25): met |.*| 1.33 (target < 1): missed |" <(tr -d '\n' < "$T/run/results.md")
check "the agent's targets: the parallel row" grep -q "| 4 rsyncs in at once / 4 times one alone | 0.38 (target <= 0.5): met |" "$T/run/results.md"
check "the agent's targets: TCG's fsync missed, what was not measured says so" grep -q \
  "| 4 KB write + fsync, median (ms) | - (target <= 40) | 25.0 (target <= 20): missed |" "$T/run/results.md"
check "the agent's targets: in the JSON" python3 -c 'import json, sys
t = json.load(open(sys.argv[1]))["agent_targets"]
assert [r["met"] for r in t["uml"] if r["label"].startswith("daemon peak RSS")] == [True]' "$T/run/results.json"

check "run.sh --help lists the osimage workload" grep -q "mem,osimage" <(bash "$TOP/contrib/bench/run.sh" --help)
finish
