#!/usr/bin/env bash
# tests/run-fuzz.sh: builds the libFuzzer targets of tests/fuzz with clang
# (in build-fuzz, configured with -Dfuzz=true if need be) and runs each over
# its corpus, tests/fuzz/corpus/NAME, then fuzzes it for
# $IMGMOUNT_FUZZ_SECONDS (default 15) seconds.  Prints "PASS fuzz/NAME" (or
# FAIL, with the report and where the crashing input is; SKIP without
# clang) per target, and last "N passed, N failed, N skipped".
#
#   tests/run-fuzz.sh [--merge] [NAME...]
#
# NAMEs pick targets (default all).  New inputs go to a temporary directory,
# never into the corpus, unless --merge is given: then, after a run that
# passed, the corpus is rewritten as its hand-made seeds plus the fewest
# inputs, old or new, that reach all they reach (merge_into_corpus).
set -uo pipefail
cd "$(dirname "$0")/.."
. tests/lib/results.sh

seconds=${IMGMOUNT_FUZZ_SECONDS:-15}
build=${IMGMOUNT_FUZZ_BUILD:-build-fuzz}
merge=false
if [ "${1:-}" = --merge ]; then
  merge=true
  shift
fi

if ! command -v clang >/dev/null; then
  result "fuzz (clang is not installed: bash contrib/deps.sh --tests)" 77
  print_counts
  exit 0
fi

# merge_into_corpus EXE CORPUS FOUND LOG: CORPUS becomes its hand-made
# seeds (seed-*) plus the smallest set of inputs, from CORPUS and FOUND,
# that reaches all the code they reach (libFuzzer -merge=1 into an empty
# directory; it names them by their SHA-1).  Code reached, not how often:
# counting hits too (-use_counters) keeps four times the inputs.
merge_into_corpus () {
  local merged f
  merged=$(mktemp -d)
  "$1" -merge=1 -use_counters=0 "$merged" "$2" "$3" > "$4" 2>&1 ||
    { rm -rf "$merged"; return 1; }
  for f in "$2"/seed-*; do
    rm -f "$merged/$(sha1sum < "$f" | cut -d' ' -f1)"
  done
  find "$2" -type f ! -name 'seed-*' -delete
  find "$merged" -type f -exec mv -t "$2" {} +
  rm -rf "$merged"
}

log=$(mktemp)
if [ ! -d "$build" ]; then
  CC=clang meson setup "$build" -Dfuzz=true -Db_lundef=false > "$log" 2>&1
elif [ "$(meson introspect "$build" --buildoptions |
          python3 -c 'import json, sys; print([o["value"] for o in json.load(sys.stdin) if o["name"] == "fuzz"][0])')" != True ]; then
  meson configure "$build" -Dfuzz=true > "$log" 2>&1
fi
# The targets are what tests/fuzz/meson.build builds.
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  mapfile -t targets < <(meson introspect "$build" --targets 2>/dev/null | python3 -c '
import json, sys
for t in json.load(sys.stdin):
    if t["type"] == "executable" and t["name"].startswith("fuzz-"):
        print(t["name"][len("fuzz-"):])')
fi
if [ ${#targets[@]} -eq 0 ]; then
  result "fuzz (no targets built: see $build/meson-logs/meson-log.txt)" 1
  sed 's/^/    /' "$log" | tail -20
  rm -f "$log"
  print_counts
  exit 1
fi
if ! ninja -C "$build" "${targets[@]/#/tests/fuzz/fuzz-}" >> "$log" 2>&1; then
  result "fuzz/build" 1
  grep -E 'error|FAILED' "$log" | sed 's/^/    /' | head -20
  rm -f "$log"
  print_counts
  exit 1
fi
rm -f "$log"

for name in "${targets[@]}"; do
  corpus=tests/fuzz/corpus/$name
  found=$(mktemp -d)              # what this run adds to the corpus
  artifacts=$(mktemp -d "${TMPDIR:-/tmp}/imgmount-fuzz-$name.XXXXXX")
  log=$artifacts/log
  mkdir -p "$corpus"
  # -max_total_time includes the pass over the corpus; -timeout catches a
  # hang in one input, -rss_limit_mb a leak that grows without bound.
  # libFuzzer's own exit code for a finding is 77, which means SKIP here.
  "$build/tests/fuzz/fuzz-$name" -max_total_time="$seconds" -timeout=10 \
    -rss_limit_mb=1024 -max_len=8192 -print_final_stats=1 \
    -error_exitcode=1 -timeout_exitcode=1 \
    -artifact_prefix="$artifacts/" "$found" "$corpus" > "$log" 2>&1
  rc=$?
  result "fuzz/$name" $rc
  if [ $rc -eq 0 ]; then
    # "#N DONE cov: C ft: F corp: U/Sb ...", then the final stats
    done_line=$(grep -E '^#[0-9]+[[:space:]]+DONE' "$log" | tail -1)
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
    echo "    ${execs:-?} runs, ${rate:-?} exec/s," \
         "$(echo "$done_line" | grep -oE 'cov: [0-9]+ ft: [0-9]+ corp: [0-9]+/[0-9]+[a-zA-Z]*')," \
         "$(find "$found" -type f | wc -l) new inputs"
    if $merge && [ -n "$(ls -A "$found")" ]; then
      if merge_into_corpus "$build/tests/fuzz/fuzz-$name" "$corpus" "$found" "$log"; then
        echo "    corpus: $(ls "$corpus" | wc -l) inputs, $(cat "$corpus"/* | wc -c) bytes"
      else
        echo "    merging into $corpus failed: see $log"
        continue
      fi
    fi
    rm -rf "$artifacts"
  else
    grep -vE '^(#[0-9]+|INFO:|[[:space:]]+NEW_FUNC)' "$log" | head -40 | sed 's/^/    /'
    echo "    log and crashing input in $artifacts"
  fi
  rm -rf "$found"
done
print_counts
[ "$failed" -eq 0 ]
