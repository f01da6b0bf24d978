#!/usr/bin/env bash
# Every process that handles the image's data runs confined (issue 27),
# seen from outside in /proc/PID/status: no new privileges for
# imgmount-hv and everything it starts; a seccomp filter (Seccomp: 2) for
# qemu (its own -sandbox) and for UML's kernel, imgmount-console and
# qemu-storage-daemon (imgmount-hv's, backend-select/hv/confine.c).  And
# that filter's effect: imgmount-hv --self-test-confined confines itself
# the same way, then must fail with EPERM to load a module, mount a tmpfs
# and call bpf (root may do all three unconfined), and, under Landlock as
# UML gets it, to read a file of the test's, connect to the test's TCP
# listener and signal the test's shell.  And on UML, an attack from inside
# a taken-over appliance (libguestfs's debug sh, as root there): hostfs,
# built into Debian's UML, mounted on a directory of the test's and on
# /etc, must neither read nor write a host file.  Each process but
# imgmount-hv runs in a network namespace of its own, with only lo.  The
# daemon confines all its threads once mounted; a SIGTERM still unmounts.
. "$(dirname "$0")/../lib/common.sh"
case ${IMGMOUNT_BACKEND:-tcg} in
  uml|tcg) ;;
  *) skip "for the uml and tcg backends" ;;
esac
HV=$(dirname "$IMGMOUNT")/imgmount-hv

secret_dir=$T/host-secret
mkdir -p "$secret_dir"
echo "host secret 7fa3" > "$secret_dir/secret"
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
python3 -c 'import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(8); time.sleep(120)' "$port" &
listener=$!
wait_until 50 sh -c "ss -ltn 2>/dev/null | grep -q ':$port '" || true
out=$("$HV" --self-test-confined "$secret_dir/secret" "$port" $$ 2>&1); rc=$?
kill "$listener" 2>/dev/null; wait "$listener" 2>/dev/null
printf '%s\n' "$out" | sed 's/^/    /'
assert_eq "self-test: exit status" 0 "$rc"
for what in finit_module mount bpf; do
  assert_eq "self-test: $what denied" "$what: Operation not permitted" \
    "$(printf '%s\n' "$out" | grep "^$what:")"
done
assert_eq "self-test: a network namespace of its own" "network namespace: of its own" \
  "$(printf '%s\n' "$out" | grep "^network namespace:")"
assert_eq "self-test: NoNewPrivs" 1 "$(printf '%s\n' "$out" | awk '$1 == "NoNewPrivs:" { print $2 }')"
assert_eq "self-test: seccomp filter" 2 "$(printf '%s\n' "$out" | awk '$1 == "Seccomp:" { print $2 }')"
check "self-test: no tmpfs left mounted" sh -c "! grep -q imgmount-confine /proc/mounts"
abi=$(printf '%s\n' "$out" | awk '$1 == "landlock" { print $3 }')
if [ "${abi:-0}" -ge 1 ]; then
  assert_eq "self-test: a host file not given is refused (Landlock)" \
    "open $secret_dir/secret: Permission denied" "$(printf '%s\n' "$out" | grep "^open ")"
else
  ok "self-test: no Landlock in this kernel (said: $(printf '%s\n' "$out" | grep landlock))"
fi
if [ "${abi:-0}" -ge 4 ]; then
  assert_eq "self-test: no TCP connection to the test's listener" \
    "connect 127.0.0.1:$port: Permission denied" "$(printf '%s\n' "$out" | grep "^connect ")"
fi
if [ "${abi:-0}" -ge 6 ]; then
  assert_eq "self-test: no signal to a process it did not start" \
    "signal $$: Operation not permitted" "$(printf '%s\n' "$out" | grep "^signal ")"
fi

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

# check_networks WHAT: every process under the hypervisor that handles
# guest data (all but imgmount-hv) is in a network namespace other than
# ours, and the first one seen has no interface but lo.
check_networks () {
  local p own_net net seen=
  own_net=$(readlink /proc/self/ns/net)
  for p in $(descendants $(hypervisor_pids "$T/disk.img") | sort -un); do
    case $(readlink "/proc/$p/exe") in ""|*/imgmount-hv) continue ;; esac
    net=$(readlink "/proc/$p/ns/net") || continue
    [ "$net" != "$own_net" ] || fail "$1: $(basename "$(readlink "/proc/$p/exe")") ($p) shares the host's network namespace"
    [ -n "$seen" ] && continue
    seen=$p
    assert_eq "$1: $(basename "$(readlink "/proc/$p/exe")") ($p) has no interface but lo" lo \
      "$(nsenter -t "$p" -n awk -F: 'NR > 2 { gsub(/ /, "", $1); print $1 }' /proc/net/dev 2>&1)"
  done
  [ -n "$seen" ] || fail "$1: no hypervisor process found to check its network namespace"
}

# check_daemon PIDFILE: every thread of the daemon has no new privileges
# (Landlock's condition; test-confine-daemon shows what each may open)
# and the seccomp filter.
check_daemon () {
  local d t n=0 nnp seccomp
  d=$(cat "$1" 2>/dev/null)
  [ -n "$d" ] || { fail "no daemon pid in $1"; return; }
  for t in /proc/"$d"/task/*; do
    nnp=$(awk '$1 == "NoNewPrivs:" { print $2 }' "$t/status" 2>/dev/null) || continue
    seccomp=$(awk '$1 == "Seccomp:" { print $2 }' "$t/status" 2>/dev/null)
    n=$((n + 1))
    [ "$nnp:$seccomp" = 1:2 ] || fail "daemon thread ${t##*/}: NoNewPrivs $nnp, Seccomp $seccomp"
  done
  check "the daemon's $n threads all have NoNewPrivs and a seccomp filter" test "$n" -gt 1
}

said=$(mount_img "$T/disk.img" "$M" -v --pid-file "$T/daemon.pid" 2>&1) || { fail "mount: $said"; finish; }
case "${abi:-0}:$said" in
  0:*"the daemon is not confined: no Landlock in this kernel"*|[1-9]*:*"the daemon confined by Landlock (ABI $abi)"*)
    ok "-v says how the daemon is confined" ;;
  *) fail "-v did not say how the daemon is confined: $said" ;; esac
[ "${abi:-0}" -ge 1 ] && check_daemon "$T/daemon.pid"
if [ "${IMGMOUNT_BACKEND:-tcg}" = uml ]; then
  case "${abi:-0}:$said" in
    0:*"no Landlock in this kernel"*|[1-9]*:*"UML's files confined by Landlock (ABI $abi)"*)
      ok "-v says how UML is confined" ;;
    *) fail "-v did not say how UML is confined: $said" ;; esac
fi
echo confined > "$M/file"
check_processes "mounted"
[ "${IMGMOUNT_BACKEND:-tcg}" = uml ] && check "imgmount-console among them" processes_running imgmount-console
case $said in *"has a network namespace of its own, with no network in it"*)
  ok "-v says the hypervisor has no network" ;;
  *) fail "-v did not say the hypervisor has a network namespace: $said" ;; esac
check_networks "mounted"
assert_eq "the mount works" confined "$(cat "$M/file")"
# Confined, the daemon cannot unmount: on SIGTERM its unmounter does, and
# the daemon still removes its pid file.
kill -TERM "$(cat "$T/daemon.pid")"
check "SIGTERM to the confined daemon ends the mount" wait_until 300 sh -c "! mountpoint -q '$M'"
check "... and its pid file is removed" wait_until 300 test ! -e "$T/daemon.pid"
wait_until 300 nothing_left
mount_img "$T/disk.img" "$M" || { fail "mount again"; finish; }
assert_eq "the data written before the SIGTERM is there" confined "$(cat "$M/file")"
unmount "$M" || fail "unmount"

# On UML, --cache=none serves the disk through qemu-storage-daemon.
if [ "${IMGMOUNT_BACKEND:-tcg}" = uml ]; then
  mount_img "$T/disk.img" "$M" --cache=none || { fail "mount --cache=none"; finish; }
  check "qemu-storage-daemon among them" processes_running qemu-storage-daemon
  check_processes "--cache=none"
  check_networks "--cache=none"
  assert_eq "the mount works with --cache=none" confined "$(cat "$M/file")"
  unmount "$M" || fail "unmount --cache=none"
fi

# --sandbox=off takes imgmount's confinement away (to measure it); strict
# mounts here only when the kernel has all of it, else says why not.
mount_img "$T/disk.img" "$M" --sandbox=off || fail "mount --sandbox=off"
hv_seccomp=$(for p in $(hypervisor_pids "$T/disk.img"); do status_field "$p" Seccomp; done | sort -u)
assert_eq "--sandbox=off: no seccomp filter on the hypervisor" 0 "$hv_seccomp"
unmount "$M" || fail "unmount --sandbox=off"
if said=$(mount_img "$T/disk.img" "$M" --sandbox=strict 2>&1); then
  check "--sandbox=strict: mounted where Landlock has ABI 6 ($abi)" test "${abi:-0}" -ge 6
  assert_eq "--sandbox=strict: the mount works" confined "$(cat "$M/file")"
  unmount "$M" || fail "unmount --sandbox=strict"
else
  case $said in *"--sandbox=strict: this kernel's Landlock is ABI ${abi:-0}"*)
    check "--sandbox=strict: refused only below ABI 6" test "${abi:-0}" -lt 6 ;;
    *) fail "--sandbox=strict: $said" ;; esac
fi

# A taken-over UML appliance: root inside, with Debian's hostfs built in.
if [ "${IMGMOUNT_BACKEND:-tcg}" = uml ] && command -v guestfish >/dev/null &&
   [ "${abi:-0}" -ge 1 ]; then
  tool_env=(LIBGUESTFS_BACKEND=direct "LIBGUESTFS_HV=$HV" IMGMOUNT_HV_MODE=uml
    "LIBGUESTFS_PATH=${IMGMOUNT_CACHE_DIR:-/var/cache/imgmount}/uml-appliance.latest")
  attack="mkdir -p /h /e; mount -t hostfs none /h -o $secret_dir; echo mounted=\$?
cat /h/secret; echo read=\$?; echo pwned > /h/pwned; echo wrote=\$?
mount -t hostfs none /e -o /etc; cat /e/hostname; echo etc=\$?"
  out=$(env "${tool_env[@]}" timeout 300 guestfish --ro --format=raw -a "$T/disk.img" \
    run : debug sh "$attack" 2>&1)
  printf '%s\n' "$out" | sed 's/^/    /'
  case $out in *"host secret 7fa3"*) fail "hostfs: the appliance read a host file" ;;
    *read=0*) fail "hostfs: cat succeeded" ;;
    *read=[1-9]*) ok "hostfs: the host file could not be read from the appliance" ;;
    *) fail "hostfs: the attack did not run: $out" ;; esac
  check "hostfs: nothing written on the host" test ! -e "$secret_dir/pwned"
  case $out in *etc=0*) fail "hostfs: the host's /etc/hostname was read" ;;
    *etc=[1-9]*) ok "hostfs: the host's /etc could not be read" ;;
    *) fail "hostfs: the /etc attack did not run" ;; esac
fi

wait_until 100 nothing_left
check "nothing left running" nothing_left
finish
