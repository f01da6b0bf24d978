#!/usr/bin/env bash
# imgmount without root (issue 27): an ordinary user, with no cache or
# runtime directory of imgmount's yet, mounts an image of their own,
# writes, unmounts.  mkfs leaves the image's root directory owned by root,
# so the user cannot write there, as on a local mount; with -o fakeroot
# they act as root inside the image and what they make is theirs.  Run as
# root, the test runs imgmount as the user imgmount-test (made if need
# be); run as an ordinary user, as that user.  The hypervisor and its
# helpers run in a network namespace of their own, which an ordinary user
# may make only inside a user namespace: there they keep the user's uid.
. "$(dirname "$0")/../lib/common.sh"
backend=${IMGMOUNT_BACKEND:-tcg}
case $backend in uml|tcg) ;; *) skip "for the uml and tcg backends" ;; esac
USER_NAME=imgmount-test
if [ "$(id -u)" -eq 0 ]; then
  id -u "$USER_NAME" >/dev/null 2>&1 ||
    useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin \
      "$USER_NAME" || skip "cannot make the user $USER_NAME"
  as_user () { runuser -u "$USER_NAME" -- "$@"; }
else
  as_user () { "$@"; }
fi
U=$T/user
mkdir -p "$U"
# The user must reach $U: the runner's directory above $T is closed to
# others; open it for passing through only, while this test runs.
suite_dir=$(dirname "$T")
suite_mode=$(stat -c %a "$suite_dir")
chmod o+x "$suite_dir"
trap 'chmod "$suite_mode" "$suite_dir"; cleanup' EXIT
chmod 755 "$T"
[ "$(id -u)" -eq 0 ] && chown "$USER_NAME:" "$U"
uid=$(as_user id -u)
gid=$(as_user id -g)

# A home without ~/.cache, as a new user has: imgmount makes what it needs.
user_env=(env -u XDG_RUNTIME_DIR -u XDG_CACHE_HOME -u IMGMOUNT_CACHE_DIR "HOME=$U/home"
  "TMPDIR=$U/tmp" "IMGMOUNT_BACKEND=$backend")
as_user mkdir -p "$U/home" "$U/m" "$U/tmp"
as_user truncate -s 64M "$U/own.img"
as_user mkfs.ext4 -q "$U/own.img"
mount_as_user () { as_user "${user_env[@]}" "$IMGMOUNT" "$@" "$U/own.img" "$U/m"; }

# user_namespaces_of_hypervisor: for each process under the hypervisor
# that handles guest data (not imgmount-hv), "NET USER UIDMAP" when its
# network and user namespaces are not ours.
namespaces_of_hypervisor () {
  local p own_net own_user
  own_net=$(readlink /proc/self/ns/net)
  own_user=$(readlink /proc/self/ns/user)
  for p in $(descendants $(hypervisor_pids "$U/own.img") | sort -un); do
    case $(readlink "/proc/$p/exe") in ""|*/imgmount-hv) continue ;; esac
    echo "$(basename "$(readlink "/proc/$p/exe")"):" \
      "$([ "$(readlink "/proc/$p/ns/net")" != "$own_net" ] && echo own-net || echo host-net)" \
      "$([ "$(readlink "/proc/$p/ns/user")" != "$own_user" ] && echo own-user || echo host-user)" \
      "$(awk '{ print $1 "-" $2 "-" $3 }' "/proc/$p/uid_map" 2>/dev/null)"
  done | sort -u
}

if err=$(mount_as_user -v 2>&1); then
  ok "an ordinary user mounts their image"
  case $err in *"has a network namespace of its own, with no network in it"*)
    ok "-v: the hypervisor has no network, also for an ordinary user" ;;
    *) fail "-v did not say the hypervisor has a network namespace: $err" ;; esac
  seen=$(namespaces_of_hypervisor)
  printf '%s\n' "$seen" | sed 's/^/    /'
  check "hypervisor processes found" test -n "$seen"
  check "each in a network and a user namespace of its own, as the user ($uid)" \
    sh -c "! printf '%s\n' '$seen' | grep -v ': own-net own-user $uid-$uid-1\$'"
  check "the root directory is root's: no write there" \
    as_user sh -c "! touch '$U/m/denied' 2>/dev/null"
  as_user "${user_env[@]}" "$IMGMOUNT" -u "$U/m" || fail "unmount as the user"
else
  fail "mount as an ordinary user: $err"
fi
check "the cache directory was made in the new home" test -d "$U/home/.cache/imgmount"

if err=$(mount_as_user -o fakeroot 2>&1); then
  as_user sh -c "echo 'made as the user' > '$U/m/mine' && mkdir '$U/m/dir' && chmod 600 '$U/m/mine'" ||
    fail "write with -o fakeroot"
  assert_eq "-o fakeroot: what the user made is theirs" "$uid $gid" \
    "$(as_user stat -c '%u %g' "$U/m/mine" 2>&1)"
  assert_eq "-o fakeroot: read back" "made as the user" "$(as_user cat "$U/m/mine" 2>&1)"
  check "-o fakeroot: root's files are the user's to change, as root's" \
    as_user chmod 0700 "$U/m/lost+found"
  as_user "${user_env[@]}" "$IMGMOUNT" -u "$U/m" || fail "unmount -o fakeroot as the user"
else
  fail "mount -o fakeroot as an ordinary user: $err"
fi
# Confined, the daemon cannot run fusermount3 with its privileges any
# more: its unmounter, started before, takes the mount off on SIGTERM.
if mount_as_user --pid-file "$U/tmp/daemon.pid" 2>/dev/null; then
  as_user kill -TERM "$(cat "$U/tmp/daemon.pid")"
  check "SIGTERM to an ordinary user's daemon ends the mount" \
    wait_until 300 sh -c "! mountpoint -q '$U/m'"
  wait_until 300 nothing_left
else
  fail "mount as the user with --pid-file"
fi
check "e2fsck clean" e2fsck -fn "$U/own.img"
assert_eq "in the image, the file is the user's" "$uid" \
  "$(debugfs -R 'stat /mine' "$U/own.img" 2>/dev/null | sed -n 's/^User: *\([0-9]*\).*/\1/p')"
err=$(mount_as_user -o fakeroot,allow_other 2>&1)
case $err in *"fakeroot and -o allow_other"*) ok "fakeroot with allow_other refused" ;;
  *) fail "fakeroot with allow_other: $err" ;; esac

wait_until 100 nothing_left
check "nothing left running" nothing_left
finish
