# tests/lib/results.sh: the result lines of tests/run.sh and the runners it
# calls, sourced.  Counts go in $passed, $failed and $skipped.
passed=0 failed=0 skipped=0

result () {   # result NAME STATUS: 0 passed, 77 skipped, else failed
  case $2 in
    0) echo "PASS $1"; passed=$((passed + 1)) ;;
    77) echo "SKIP $1"; skipped=$((skipped + 1)) ;;
    *) echo "FAIL $1"; failed=$((failed + 1)) ;;
  esac
}

# add_counts NAME FILE: adds the last "N passed, N failed, N skipped" line
# of a runner's output FILE to the counts; a runner that printed none
# counts as one failure.
add_counts () {
  local counts p f s
  counts=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$2" | tail -1)
  if [ -n "$counts" ]; then
    read -r p _ f _ s _ <<< "$(echo "$counts" | tr -d ',')"
    passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + ${s:-0}))
  else
    echo "FAIL $1 (the runner printed no count)"
    failed=$((failed + 1))
  fi
}

print_counts () {
  echo "$passed passed, $failed failed, $skipped skipped"
}
