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
check "run.sh --help lists the osimage workload" grep -q "mem,osimage" <(bash "$TOP/contrib/bench/run.sh" --help)
finish
