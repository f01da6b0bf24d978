#!/usr/bin/env bash
# A directory made through the mount, or listed whole, has every name
# known, and a lookup of any other name is answered without an appliance
# call (fsops/fsops-names.c).  What that must never do is hide a name that
# exists: every way a name comes into such a directory, then a lookup
# after the kernel has forgotten its dentries; the calls an rsync into a
# new directory makes; and vfat and ext4 with casefold, where a listing
# does not name everything a lookup finds, so nothing is answered from it.
. "$(dirname "$0")/../lib/common.sh"

mkdir -p "$T/tree/listed"
echo old > "$T/tree/listed/old"
echo linked > "$T/tree/elsewhere"
make_ext4 "$T/disk.img" 64M "$T/tree"
M=$T/mnt
mkdir -p "$M" "$T/src"
for k in 1 2 3; do echo "file $k" > "$T/src/f$k"; done

"$IMGMOUNT" -f --trace "$T/disk.img" "$M" 2> "$T/trace" &
daemon=$!
wait_until 900 mounted "$M" || { fail "mount"; finish; }
# Whether names compare exactly follows from the filesystem's type, which
# the mount found already (in the agent's device list, one request):
# asking guestfsd again costs ~160 ms on UML.
assert_eq "the type of the filesystem is not asked of guestfsd" 0 \
  "$(grep -cE 'trace: (vfs_type|blkid) "' "$T/trace")"

# appliance_asked PATH: some call named PATH since the mark.
mark () { wc -l < "$T/trace" > "$T/mark"; }
# (A lookup goes to imgmount-agent.)
appliance_asked () { tail -n "+$(cat "$T/mark")" "$T/trace" | grep -q "trace: agent_lookup \"$1\""; }

names="created fifo sym sub hard renamed over"
for d in made listed; do
  case $d in made) mkdir "$M/made" ;; listed) ls "$M/listed" > /dev/null ;; esac
  mark
  check "$d: a missing name is answered without the appliance" test ! -e "$M/$d/missing"
  check "$d: ... and no call named it" eval '! appliance_asked "/$d/missing"'
  echo a > "$M/$d/created"
  mkfifo "$M/$d/fifo"
  ln -s created "$M/$d/sym"
  mkdir "$M/$d/sub"
  ln "$M/elsewhere" "$M/$d/hard"
  echo r > "$M/renamed-src"; mv "$M/renamed-src" "$M/$d/renamed"
  echo o > "$M/$d/over"; echo n > "$M/$d/new"; mv "$M/$d/new" "$M/$d/over"
  # Unlinked while open: the name goes at once; the agent's handle keeps
  # the file until close.
  exec 3> "$M/$d/open"; rm "$M/$d/open"; echo still >&3; exec 3>&-
  # The directory stays (held open); the kernel forgets the names in it.
  exec 4< "$M/$d"
  # A dentry used lately survives one pass of the shrinker, and dropping
  # caches is a request, not a promise (CI saw a pass where "created" was
  # still known): try again until the lookup of "created" reaches the
  # appliance, and judge the names found in that pass.
  forgotten=no
  for pass in 1 2 3 4 5; do
    sync; for _ in 1 2 3; do echo 2 > /proc/sys/vm/drop_caches; done
    mark
    found=" "
    for n in $names; do
      if test -e "$M/$d/$n" -o -L "$M/$d/$n"; then found+="$n "; fi
    done
    if appliance_asked "/$d/created"; then forgotten=yes; break; fi
    sleep 1
  done
  for n in $names; do
    check "$d/$n: found after the kernel forgot it" eval '[[ $found == *" $n "* ]]'
  done
  assert_eq "$d/created: the lookup reached the appliance (pass $pass)" yes "$forgotten"
  assert_eq "$d: listing" "created fifo hard over renamed sub sym" \
    "$(cd "$M/$d" && LC_ALL=C ls -A | grep -v '^old$' | tr '\n' ' ' | sed 's/ $//')"
  assert_eq "$d/over: the file renamed over it" n "$(cat "$M/$d/over")"
  for n in $names; do rm -rf "${M:?}/$d/$n"; done
  check "$d: removed names are gone" test ! -e "$M/$d/created" -a ! -e "$M/$d/sub"
  echo again > "$M/$d/created"
  assert_eq "$d: a removed name made again" again "$(cat "$M/$d/created")"
  exec 4<&-
done
rm "$M/made/created"; rmdir "$M/made"
check "rmdir of the made directory" test ! -e "$M/made"

# rsync into a new directory: no call for a name that does not exist yet
# (rsync's look at each destination, its temporary names, the kernel's
# look at each rename target).
mark
rsync -a "$T/src/" "$M/dst/"
for k in 1 2 3; do
  check "rsync: no lookup of dst/f$k" eval '! appliance_asked "/dst/f$k"'
  first=$(tail -n "+$(cat "$T/mark")" "$T/trace" | grep -o "trace: [a-z_]* [0-9 ]*\"/dst/\.f$k\.[^\"]*\"" | head -n 1)
  check "rsync: the temporary name of f$k first seen when made ($first)" \
    eval '[[ $first == "trace: agent_create "* || $first == "trace: mknod "* ]]'
done
check "rsync: the copy is whole" diff -r "$T/src" "$M/dst"
unmount "$M" || fail "unmount"
wait "$daemon" || fail "imgmount exited $?"
check "e2fsck after all that" e2fsck -fn "$T/disk.img"

# ext4 with the casefold feature: a directory may fold case (chattr +F),
# so nothing is answered from known names.  The UML kernel cannot mount it.
if [ "${IMGMOUNT_BACKEND:-}" != uml ]; then
  truncate -s 64M "$T/casefold.img"; mkfs.ext4 -q -O casefold "$T/casefold.img"
  "$IMGMOUNT" -f --trace "$T/casefold.img" "$M" 2> "$T/trace" &
  daemon=$!
  wait_until 900 mounted "$M"
  mkdir "$M/d"; mark
  check "casefold: a missing name" test ! -e "$M/d/missing"
  check "casefold: ... is asked of the appliance" appliance_asked "/d/missing"
  unmount "$M" || fail "casefold unmount"
  wait "$daemon" || fail "casefold: imgmount exited $?"
fi

# vfat folds case: "readme.txt" finds ReadMe.TXT, though a listing names
# only the latter; a name made here is found under another case too.
command -v mkfs.vfat >/dev/null && command -v mcopy >/dev/null || skip "needs dosfstools and mtools"
mkfs.vfat -C "$T/fat.img" 16384 > /dev/null
echo hi > "$T/readme"
mmd -i "$T/fat.img" ::/Dir
mcopy -i "$T/fat.img" "$T/readme" ::/Dir/ReadMe.TXT
mount_img "$T/fat.img" "$M" || { fail "vfat mount"; finish; }
ls "$M/Dir" > /dev/null
assert_eq "vfat: another case of a listed name" hi "$(cat "$M/Dir/readme.txt")"
mkdir "$M/New"; echo x > "$M/New/Made.txt"
assert_eq "vfat: another case of a name made here" x "$(cat "$M/New/MADE.TXT")"
unmount "$M" || fail "vfat unmount"
check "nothing left" nothing_left
finish
