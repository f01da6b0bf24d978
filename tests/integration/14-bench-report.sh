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
finish
