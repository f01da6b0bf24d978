# tests/lib/sync-trace.sh: counts the fsync/fdatasync calls that reach one
# file, whoever makes them, with the kernel's ext4_sync_file_enter
# tracepoint in a tracefs instance of the test's own.  ptrace is no use
# here: UML cannot run under strace.

TRACEFS=/sys/kernel/tracing

# sync_trace_available FILE: tracefs is there and FILE is on ext4.
sync_trace_available () {
  [ -d "$TRACEFS/instances" ] || mount -t tracefs nodev "$TRACEFS" 2>/dev/null
  [ -d "$TRACEFS/instances" ] && [ -d "$TRACEFS/events/ext4/ext4_sync_file_enter" ] &&
    [ "$(stat -f -c %T "$1")" = ext2/ext3 ]
}

# sync_trace_start FILE: starts counting syncs of FILE's inode.
sync_trace_start () {
  SYNC_TRACE=$TRACEFS/instances/imgmount-test-$$
  rmdir "$SYNC_TRACE" 2>/dev/null
  mkdir "$SYNC_TRACE" || return 1
  local ev=$SYNC_TRACE/events/ext4/ext4_sync_file_enter
  echo "ino == $(stat -c %i "$1")" > "$ev/filter" &&
  echo 1 > "$ev/enable"
}

# sync_trace_stop: prints one line per sync seen ("COMM datasync N") and
# removes the instance.
sync_trace_stop () {
  echo 0 > "$SYNC_TRACE/events/ext4/ext4_sync_file_enter/enable"
  sed -n 's/^ *\(.*\)-[0-9]\+ .*ext4_sync_file_enter:.* datasync \([01]\).*/\1 datasync \2/p' \
    "$SYNC_TRACE/trace"
  rmdir "$SYNC_TRACE"
}

# open_flags PID FILE: the open flags (octal) of PID's descriptor for FILE.
open_flags () {
  local fd
  for fd in /proc/"$1"/fd/*; do
    if [ "$(readlink "$fd")" = "$2" ]; then
      awk '/^flags:/ { print $2 }' /proc/"$1"/fdinfo/"${fd##*/}"
      return
    fi
  done
}

# has_o_direct FLAGS: whether octal FLAGS include O_DIRECT (x86: 040000).
has_o_direct () { [ $(( 0$1 & 040000 )) -ne 0 ]; }
