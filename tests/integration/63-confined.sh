#!/usr/bin/env bash
# Every process that handles the image's data runs confined (issue 27),
# seen from outside in /proc/PID/status: no new privileges for
# imgmount-hv and everything it starts; a seccomp filter (Seccomp: 2)
# for qemu (its own -sandbox).
. "$(dirname "$0")/../lib/common.sh"
case ${IMGMOUNT_BACKEND:-tcg} in
  uml|tcg) ;;
  *) skip "for the uml and tcg backends" ;;
esac
make_ext4 "$T/disk.img" 64M
M=$T/mnt

# status_field PID FIELD: the value of FIELD in /proc/PID/status.
status_field () { awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/status" 2>/dev/null; }

# check_processes WHAT: every process under the hypervisor of the mount
# of $T/disk.img, by the program it runs.
check_processes () {
  local what=$1 p exe name nnp seccomp seen=0
  for p in $(descendants $(hypervisor_pids "$T/disk.img")); do
    exe=$(readlink "/proc/$p/exe") || continue   # gone meanwhile
    name=$(basename "$exe")
    nnp=$(status_field "$p" NoNewPrivs)
    [ -n "$nnp" ] || continue
    seen=$((seen + 1))
    assert_eq "$what: $name ($p) has NoNewPrivs" 1 "$nnp"
    seccomp=$(status_field "$p" Seccomp)
    case $name in
      qemu-system-*) assert_eq "$what: $name ($p) has a seccomp filter" 2 "$seccomp" ;;
    esac
  done
  [ "$seen" -gt 0 ] || fail "$what: no hypervisor process found"
}

mount_img "$T/disk.img" "$M" || { fail "mount"; finish; }
echo confined > "$M/file"
check_processes "mounted"
assert_eq "the mount works" confined "$(cat "$M/file")"
unmount "$M" || fail "unmount"

wait_until 100 nothing_left
check "nothing left running" nothing_left
finish
