#!/usr/bin/env bash
# Attributes answered without a call of their own: every change's reply
# holds the attributes after it (a chmod's, a change of times'), and a
# directory's attributes from the reply to a change of a name in it answer
# the kernel's next look at the directory (fsops/fsops-known-attrs.c).
# What must hold: whoever looks next sees the attributes the appliance
# has, also after a write, a chown, a chmod, a touch or an xattr of the
# directory; and rsync makes no stat between.
. "$(dirname "$0")/../lib/common.sh"

make_ext4 "$T/disk.img" 64M
M=$T/mnt
mkdir -p "$M" "$T/src"
for k in 1 2 3; do echo "file $k" > "$T/src/f$k"; done
chmod 640 "$T/src/f2"

"$IMGMOUNT" -f --trace "$T/disk.img" "$M" 2> "$T/trace" &
daemon=$!
wait_until 900 mounted "$M" || { fail "mount"; finish; }

# forget: the kernel drops what it holds of files nobody holds open.
forget () { sync; for _ in 1 2 3; do echo 2 > /proc/sys/vm/drop_caches; done; }
# attrs PATH: mode, size, ctime (ns) and inode number as stat(2) sees them.
attrs () { python3 -c 'import os,sys; s=os.stat(sys.argv[1]); print(oct(s.st_mode), s.st_size, s.st_ctime_ns, s.st_ino)' "$1"; }

# Created, then chmod twice through the descriptor (as rsync does), with
# time between: the ctime seen afterwards is the later one, and it is the
# one the appliance has (seen again after the kernel forgot the file).
read -r created after < <(python3 - "$M/made" <<'EOF'
import os, sys, time
fd = os.open(sys.argv[1], os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
before = os.fstat(fd).st_ctime_ns
time.sleep(0.05)
os.fchmod(fd, 0o600)
time.sleep(0.05)
os.fchmod(fd, 0o4751)
st = os.fstat(fd)
os.close(fd)
print(before, oct(st.st_mode) + ":" + str(st.st_ctime_ns))
EOF
)
assert_eq "after two chmods: the mode" 0o104751 "${after%%:*}"
check "after two chmods: ctime moved ($created -> ${after#*:})" test "${after#*:}" -gt "$created"
forget
assert_eq "the same ctime from the appliance" "${after#*:}" \
  "$(python3 -c 'import os,sys; print(os.stat(sys.argv[1]).st_ctime_ns)' "$M/made")"

# A chmod after a write: the size is the written one, the mode the new one.
echo "four" > "$M/written"; chmod 604 "$M/written"
got=$(attrs "$M/written"); forget
assert_eq "a chmod after a write, then the appliance's view" "$got" "$(attrs "$M/written")"
check "... and the size is the written one" eval '[[ "$got" == "0o100604 5 "* ]]'

# Times set right after a stat, then a chmod (as cp -a and tar do): the
# times are the ones given, to the nanosecond, and what is seen is what
# the appliance has.  The calls: the change of times, then the chmod,
# with no stat between (each call's reply holds the attributes).
mark () { wc -l < "$T/trace" > "$T/mark"; }
# The lines after the mark (tail counts from 1: the mark's own line is
# the last one before it).
since_mark () { tail -n "+$(( $(cat "$T/mark") + 1 ))" "$T/trace" | grep -v ' = '; }
touch "$M/timed"
mark
python3 -c 'import os, sys
os.stat(sys.argv[1])
os.utime(sys.argv[1], ns=(os.stat(sys.argv[1]).st_atime_ns, 1000000000123456789))
os.chmod(sys.argv[1], 0o612)' "$M/timed"
got="$(attrs "$M/timed") $(stat -c %.9Y "$M/timed")"
changes=$(since_mark | grep '"/timed"$' | grep -o 'trace: [a-z_]*' | sed 's/trace: //' |
          sed -n '/^agent_setattr$/,$p' | head -n 2 | tr '\n' ' ')
check "times then chmod: the two changes, nothing between ($changes)" \
  eval '[[ "$changes" == "agent_setattr agent_setattr " ]]'
forget
assert_eq "times then chmod, then the appliance's view" "$got" "$(attrs "$M/timed") $(stat -c %.9Y "$M/timed")"
check "... mode 612, mtime as given ($got)" eval '[[ "$got" == "0o100612 "*" 1000000000.123456789" ]]'

# A directory: chmod right after mkdir (the mkdir's stat), then a look.
mkdir "$M/dir"; chmod 711 "$M/dir"
got=$(attrs "$M/dir"); forget
assert_eq "a directory chmodded after mkdir" "$got" "$(attrs "$M/dir")"
check "... mode 711" eval '[[ "$got" == "0o40711 "* ]]'

# A chown, then a chmod of the same file: the chmod may not reuse a stat
# taken before the chown.
touch "$M/owned"; chown 1234:5678 "$M/owned"; chmod 2755 "$M/owned"
got=$(attrs "$M/owned"); forget
assert_eq "chown then chmod" "$got" "$(attrs "$M/owned")"
assert_eq "... owner" "1234:5678" "$(stat -c %u:%g "$M/owned")"

# A directory just created in: its attributes as the appliance has them,
# whatever came after the create.
dir_case () {   # dir_case WHAT COMMAND...: runs it after a create in d-WHAT
  local d=$M/d-$1 what=$1 before got; shift
  mkdir "$d"; before=$(attrs "$d"); forget
  sleep 0.05; echo x > "$d/new"; "$@" "$d"
  got=$(attrs "$d"); forget
  assert_eq "dir, $what: as the appliance has it" "$(attrs "$d")" "$got"
  check "dir, $what: changed ($before -> $got)" test "$before" != "$got"
}
nothing () { :; }
write_new () { echo more >> "$1/new"; }
make_sub () { mkdir "$1/sub"; }
dir_case "create" nothing
dir_case "create, write" write_new
dir_case "create, chmod" chmod 700
dir_case "create, touch" touch -d @1000000000
dir_case "create, xattr" setfattr -n user.k -v v
dir_case "mkdir" make_sub
assert_eq "dir, mkdir: two links more" 3 "$(stat -c %h "$M/d-mkdir")"

# rsync -a chmods each temporary file just before renaming it: no stat
# between the chmod and the rename; and the directory, just created in,
# is not asked for until the rename.
mark
rsync -a "$T/src/" "$M/dst/"
calls=$(since_mark | grep -o 'trace: [a-z_]*' | tr '\n' ' ')
for k in 1 2 3; do
  after_chmod=$(since_mark | grep -E -A1 "trace: agent_setattr \"/dst/\.f$k\." |
                tail -n 1 | grep -o 'trace: [a-z_]*')
  check "rsync f$k: the call after its last chmod is the rename ($after_chmod)" \
    eval '[[ "$after_chmod" == "trace: agent_rename" ]]'
  span=$(since_mark | sed -En "/trace: agent_create \"\/dst\/\.f$k\./,/trace: agent_rename \"\/dst\/\.f$k\./p")
  check "rsync f$k: its create and rename traced" eval '[[ "$(tail -n 1 <<< "$span")" == *rename* ]]'
  assert_eq "rsync f$k: stats of dst between its create and its rename" 0 \
    "$(grep -c 'trace: agent_getattr "/dst"$' <<< "$span")"
done
check "rsync: the copy is whole" diff -r "$T/src" "$M/dst"
assert_eq "rsync: modes" "644 640 644" "$(stat -c %a "$M"/dst/f1 "$M"/dst/f2 "$M"/dst/f3 | tr '\n' ' ' | sed 's/ $//')"
for k in 1 2 3; do
  got=$(attrs "$M/dst/f$k"); forget
  assert_eq "rsync f$k: attributes as the appliance has them" "$got" "$(attrs "$M/dst/f$k")"
done
echo "calls during rsync: $calls" > "$T/calls"

# A listing's files open without a lookup of their own: readdirplus hands
# each inode it makes the agent's handle with its attributes.
forget; mark
ls -l "$M/dst" > /dev/null
assert_eq "ls -l then cat: the files read" "file 1file 2file 3" "$(cat "$M"/dst/f1 "$M"/dst/f2 "$M"/dst/f3 | tr -d '\n')"
assert_eq "ls -l then cat: lookups of the files listed" 0 "$(since_mark | grep -c 'trace: agent_lookup "/dst/')"
check "ls -l then cat: the directory itself was looked up (the trace shows lookups)" \
  eval '[[ "$(since_mark | grep -c "trace: agent_lookup \"/dst\"")" -ge 1 ]]'

# cp within the image copies in the guest: one COPY_RANGE, no write.
head -c 300000 /dev/urandom > "$M/cfr"; sync -f "$M/cfr"
mark
cp "$M/cfr" "$M/cfr-copy"
assert_eq "cp within the image: copied in the guest" "1 0" \
  "$(since_mark | grep -c 'trace: agent_copy_range "/cfr-copy"') $(since_mark | grep -c 'trace: agent_write')"
check "cp within the image: the copy is whole" cmp "$M/cfr" "$M/cfr-copy"
unmount "$M" || fail "unmount"
wait "$daemon" || fail "imgmount exited $?"
# The sync at unmount is the agent's (90-durability proves it reaches the
# disk): guestfsd's sync call is not made.
assert_eq "unmount: no guestfsd sync" 0 "$(grep -c 'libguestfs: trace: sync$' "$T/trace")"
check "e2fsck" e2fsck -fn "$T/disk.img"
check "nothing left" nothing_left
finish
