#!/usr/bin/env bash
# tests/run-integration.sh: runs tests/integration/*.sh (or those named),
# each on its own, once per backend in $IMGMOUNT_TEST_BACKENDS (default
# "tcg uml"), and checks that none leaves a mount or a process behind.
# Prints PASS/FAIL/SKIP lines and "N passed, N failed, N skipped".
# With IMGMOUNT_TEST_USER=NAME (the runner as root), each test runs as that
# user instead (made if missing), with a home of its own, as a user with
# no cache or runtime directory of imgmount's yet; the runner still
# checks, as root, what each left behind.
set -uo pipefail
cd "$(dirname "$0")/.."

tests=("$@")
[ ${#tests[@]} -eq 0 ] && tests=(tests/integration/*.sh)
passed=0 failed=0 skipped=0

# Each test's files, mounts and processes name a directory under this one,
# so what a test leaves behind is told apart from anything else running.
SUITE_TMP=$(mktemp -d "${TMPDIR:-/tmp}/imgmount-suite.XXXXXX")
SUITE_LOGS=$(mktemp -d "${TMPDIR:-/tmp}/imgmount-logs.XXXXXX")
export TMPDIR=$SUITE_TMP
run_test=(env)
label=
if [ -n "${IMGMOUNT_TEST_USER:-}" ]; then
  user=$IMGMOUNT_TEST_USER
  id -u "$user" >/dev/null 2>&1 ||
    useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$user" ||
    { echo "cannot make the user $user"; echo "0 passed, 1 failed, 0 skipped"; exit 1; }
  mkdir "$SUITE_TMP/home"
  chown "$user:" "$SUITE_TMP" "$SUITE_TMP/home"
  run_test=(runuser -u "$user" -- env -u XDG_RUNTIME_DIR -u XDG_CACHE_HOME -u IMGMOUNT_CACHE_DIR
    "HOME=$SUITE_TMP/home" "TMPDIR=$SUITE_TMP")
  label="as-$user/"
fi
# libguestfs's socket directories are in /tmp whatever $TMPDIR says (it
# is root's), so those a test made there count too (socket_dirs); under
# $SUITE_TMP only the tests' own directories (removed by each test) and
# libguestfs's shared appliance cache (.guestfs-UID) may be.
. tests/lib/appliance-dirs.sh
. tests/lib/wait.sh
# A socket directory is the test's if one of the test's processes made it
# (they carry IMGMOUNT_SUITE): a guestfish, a guestmount or a bench beside
# the suite makes its own, and may do so during a test, bound or not yet.
# dir-creators.py says who made each; without fanotify (not root, an old
# kernel) the runner falls back to blaming a test for the new directories
# in which no socket is bound, which may blame it for another program's.
# (The mark it looks for goes in its environment, not on its command
# line, where suite_pids would take it for one of the tests' processes.)
creators_log=$SUITE_LOGS/creators
DIR_CREATORS_MARK="IMGMOUNT_SUITE=$SUITE_TMP" \
  python3 tests/lib/dir-creators.py /tmp 'libguestfs??????' > "$creators_log" &
creators_pid=$!
trap 'kill $creators_pid 2>/dev/null; rm -rf "$SUITE_TMP" "$SUITE_LOGS"' EXIT
creators_started () { grep -q '^ready$' "$creators_log" || ! kill -0 "$creators_pid" 2>/dev/null; }
wait_until 100 creators_started
if ! grep -q '^ready$' "$creators_log"; then
  echo "note: no fanotify, so a socket directory that appears during a test counts as its own"
  creators_pid=
fi
suite_socket_dirs () {
  local d
  if [ -n "$creators_pid" ]; then
    tail -n +"$creators_from" "$creators_log" | awk '$2 == "ours" { print "/tmp/" $1 }' |
      while read -r d; do [ -d "$d" ] && echo "$d"; done | sort -u
    return
  fi
  for d in $(comm -13 <(echo "$socket_dirs_before") <(socket_dirs)); do
    awk -v d="$d/" 'index($NF, d) == 1 { f = 1 } END { exit !f }' /proc/net/unix || echo "$d"
  done
}
# The processes a test started: they name $SUITE_TMP, or carry it in
# IMGMOUNT_SUITE, which each test's environment (not the runner's) has;
# a UML kernel and imgmount-console name no file of the test.
suite_pids () {
  { pgrep -f "$SUITE_TMP"
    grep -l -z -x -F "IMGMOUNT_SUITE=$SUITE_TMP" /proc/[0-9]*/environ 2>/dev/null | cut -d/ -f3
  } | sort -un
}
no_suite_pids () { [ -z "$(suite_pids)" ]; }
leftovers () {
  local p
  grep " fuse.imgmount $SUITE_TMP" /proc/mounts
  for p in $(suite_pids); do
    [ -r "/proc/$p/cmdline" ] && echo "$p $(tr '\0' ' ' < "/proc/$p/cmdline")"
  done
  suite_socket_dirs
  find "$SUITE_TMP" -mindepth 1 -maxdepth 1 ! -name '.guestfs-*' ! -name home
}

for backend in ${IMGMOUNT_TEST_BACKENDS:-tcg uml}; do
export IMGMOUNT_BACKEND=$backend
for t in "${tests[@]}"; do
  name=$label$backend/$(basename "$t" .sh)
  start=$(date +%s)
  log=$(mktemp "$SUITE_LOGS/log.XXXXXX")
  socket_dirs_before=$(socket_dirs)
  creators_from=$(( $(wc -l < "$creators_log") + 1 ))
  "${run_test[@]}" IMGMOUNT_BACKEND="$backend" IMGMOUNT_SUITE="$SUITE_TMP" timeout -k 10 900 bash "$t" > "$log" 2>&1
  rc=$?
  secs=$(( $(date +%s) - start ))
  left=$(leftovers)
  if [ -n "$left" ] && [ "$rc" -ne 77 ]; then
    echo "    left behind: $left" >> "$log"
    rc=1
    # Clean up so the next test starts from nothing.
    grep " fuse.imgmount $SUITE_TMP" /proc/mounts | awk '{print $2}' | xargs -r -n1 umount -l
    suite_pids | xargs -r kill -9
    wait_until 50 no_suite_pids   # their sockets go with them
    suite_socket_dirs | xargs -r rm -rf
    find "$SUITE_TMP" -mindepth 1 -maxdepth 1 ! -name '.guestfs-*' ! -name home -exec rm -rf {} +
  fi
  case $rc in
    0) echo "PASS $name (${secs}s)"; passed=$((passed + 1)) ;;
    77) echo "SKIP $name"; skipped=$((skipped + 1)) ;;
    *) echo "FAIL $name (${secs}s, exit $rc)"; sed 's/^/    /' "$log"; failed=$((failed + 1)) ;;
  esac
  [ -n "${VERBOSE:-}" ] && [ "$rc" -eq 0 ] && sed 's/^/    /' "$log"
  rm -f "$log"
done
done
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
