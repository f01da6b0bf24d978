#!/usr/bin/env bash
# Every process that handles the image's data runs confined (issue 27),
# seen from outside in /proc/PID/status: no new privileges for
# imgmount-hv and everything it starts; a seccomp filter (Seccomp: 2) for
# qemu (its own -sandbox) and for UML's kernel, imgmount-console and
# qemu-storage-daemon (imgmount-hv's, backend-select/hv/confine.c).  And
# that filter's effect: imgmount-hv --self-test-confined confines itself
# the same way, then must fail with EPERM to load a module, mount a tmpfs
# and call bpf (root may do all three unconfined).
. "$(dirname "$0")/../lib/common.sh"
case ${IMGMOUNT_BACKEND:-tcg} in
  uml|tcg) ;;
  *) skip "for the uml and tcg backends" ;;
esac
HV=$(dirname "$IMGMOUNT")/imgmount-hv

out=$("$HV" --self-test-confined 2>&1); rc=$?
printf '%s\n' "$out" | sed 's/^/    /'
assert_eq "self-test: exit status" 0 "$rc"
for what in finit_module mount bpf; do
  assert_eq "self-test: $what denied" "$what: Operation not permitted" \
    "$(printf '%s\n' "$out" | grep "^$what:")"
done
assert_eq "self-test: NoNewPrivs" 1 "$(printf '%s\n' "$out" | awk '$1 == "NoNewPrivs:" { print $2 }')"
assert_eq "self-test: seccomp filter" 2 "$(printf '%s\n' "$out" | awk '$1 == "Seccomp:" { print $2 }')"
check "self-test: no tmpfs left mounted" sh -c "! grep -q imgmount-confine /proc/mounts"

make_ext4 "$T/disk.img" 64M
M=$T/mnt

# status_field PID FIELD: the value of FIELD in /proc/PID/status.
status_field () { awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/status" 2>/dev/null; }

# check_processes WHAT: every process under the hypervisor of the mount
# of $T/disk.img, by the program it runs: all but imgmount-hv itself
# (which handles no guest data) have a filter.
check_processes () {
  local what=$1 p exe name nnp seccomp seen=0 filtered=0
  for p in $(descendants $(hypervisor_pids "$T/disk.img") | sort -un); do
    exe=$(readlink "/proc/$p/exe") || continue   # gone meanwhile
    name=$(basename "$exe")
    nnp=$(status_field "$p" NoNewPrivs)
    seccomp=$(status_field "$p" Seccomp)
    [ -n "$nnp" ] || continue
    seen=$((seen + 1))
    assert_eq "$what: $name ($p) has NoNewPrivs" 1 "$nnp"
    [ "$name" = imgmount-hv ] && continue
    filtered=$((filtered + 1))
    assert_eq "$what: $name ($p) has a seccomp filter" 2 "$seccomp"
  done
  [ "$seen" -gt 0 ] && [ "$filtered" -gt 0 ] || fail "$what: no hypervisor process found"
}

# processes_running NAME: a process running program NAME is under the
# hypervisor of the mount.
processes_running () {
  local p
  for p in $(descendants $(hypervisor_pids "$T/disk.img") | sort -un); do
    [ "$(basename "$(readlink "/proc/$p/exe")")" = "$1" ] && return 0
  done
  return 1
}

mount_img "$T/disk.img" "$M" || { fail "mount"; finish; }
echo confined > "$M/file"
check_processes "mounted"
if [ "${IMGMOUNT_BACKEND:-tcg}" = uml ]; then
  check "imgmount-console among them" processes_running imgmount-console
fi
assert_eq "the mount works" confined "$(cat "$M/file")"
unmount "$M" || fail "unmount"

# On UML, --cache=none serves the disk through qemu-storage-daemon.
if [ "${IMGMOUNT_BACKEND:-tcg}" = uml ]; then
  mount_img "$T/disk.img" "$M" --cache=none || { fail "mount --cache=none"; finish; }
  check "qemu-storage-daemon among them" processes_running qemu-storage-daemon
  check_processes "--cache=none"
  assert_eq "the mount works with --cache=none" confined "$(cat "$M/file")"
  unmount "$M" || fail "unmount --cache=none"
fi

wait_until 100 nothing_left
check "nothing left running" nothing_left
finish
