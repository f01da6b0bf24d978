#!/usr/bin/env bash
# Every filesystem operation through one read-write mount, checked against
# expected results, then some of them again from the image file itself.
. "$(dirname "$0")/../lib/common.sh"

# A name that imgmount's guestfsd data path used for files unlinked while
# open: now an ordinary name like any other.
mkdir -p "$T/tree/stale"; echo leftover > "$T/tree/stale/.imgmount-hidden-c-1"
# A file with a file capability (cap_net_bind_service, effective).
echo capped > "$T/tree/capped"
python3 -c 'import os, struct, sys; os.setxattr(sys.argv[1], "security.capability", struct.pack("<5I", 0x02000001, 1 << 10, 0, 0, 0))' "$T/tree/capped"
make_ext4 "$T/disk.img" 256M "$T/tree"
M=$T/mnt
mount_img "$T/disk.img" "$M" -o allow_other || { fail "mount"; finish; }
cd "$M"

# Files, directories, links.
echo hello > file.txt
assert_eq "write+read" hello "$(cat file.txt)"
assert_eq "size" 6 "$(stat -c %s file.txt)"
mkdir -p dir/sub
check "mkdir -p" test -d dir/sub
ln -s file.txt sym
assert_eq "readlink" file.txt "$(readlink sym)"
assert_eq "read through symlink" hello "$(cat sym)"
ln file.txt hard
assert_eq "hard link count" 2 "$(stat -c %h file.txt)"
assert_eq "hard link same inode" "$(stat -c %i file.txt)" "$(stat -c %i hard)"
echo more >> hard
assert_eq "write through one link seen by the other" "hello
more" "$(cat file.txt)"
rm hard
assert_eq "link count after unlink" 1 "$(stat -c %h file.txt)"
mkfifo fifo; assert_eq "mkfifo" fifo "$(stat -c %F fifo | sed 's/ //g')"
mknod chardev c 1 3; assert_eq "mknod char" "1,3" "$(stat -c '%t,%T' chardev)"
rmdir dir/sub; check "rmdir" test ! -e dir/sub
touch dir/f; expect_errno "rmdir non-empty dir" "not empty" rmdir dir
expect_errno "unlink missing" "No such file" rm missing

# The kernel asks for security.capability before each write, to remove it:
# imgmount answers from what it knows, which must stay exact.
check "a capability in the image is seen" sh -c "getcap capped | grep -q cap_net_bind_service"
echo more >> capped
assert_eq "a write removes the capability, as on a kernel filesystem" "" "$(getcap capped)"
echo again >> capped
assert_eq "written again: data kept" "capped
more
again" "$(cat capped)"
echo new > fresh; echo more >> fresh
expect_errno "a new file has no capability" "No such attribute" getfattr -n security.capability fresh
rm fresh

# Attributes.
chmod 640 file.txt; assert_eq "chmod" 640 "$(stat -c %a file.txt)"
chown 1234:5678 file.txt; assert_eq "chown" "1234:5678" "$(stat -c %u:%g file.txt)"
truncate -s 3 file.txt; assert_eq "truncate down" hel "$(cat file.txt)"
echo "a longer line" > otrunc; echo x > otrunc
assert_eq "> on an existing file truncates it (O_TRUNC)" x "$(cat otrunc)"
: > otrunc; assert_eq "O_TRUNC to empty" 0 "$(stat -c %s otrunc)"
truncate -s 10 file.txt; assert_eq "truncate up" 10 "$(stat -c %s file.txt)"
touch -m -d '2001-02-03 04:05:06.123456789' file.txt
assert_eq "utimens mtime with ns" "2001-02-03 04:05:06.123456789" "$(stat -c %y file.txt | cut -c1-29)"
touch -a -d '2002-02-03 04:05:06.5' file.txt
assert_eq "atime set, mtime kept" "2001-02-03 04:05:06.123456789" "$(stat -c %y file.txt | cut -c1-29)"
assert_eq "atime" "2002-02-03 04:05:06.500000000" "$(stat -c %x file.txt | cut -c1-29)"
before=$(stat -c %Y file.txt); sleep 1.1; echo x >> file.txt
check "mtime moves on write" test "$(stat -c %Y file.txt)" -gt "$before"

# Renames.
echo a > ra; echo b > rb
mv ra rb; assert_eq "rename replaces" a "$(cat rb)"; check "source gone" test ! -e ra
mkdir -p d1/deep; echo deep > d1/deep/f; mv d1 d2
assert_eq "rename directory moves children" deep "$(cat d2/deep/f)"
echo c > rc
python3 - <<'PY' && ok "RENAME_NOREPLACE refuses with EEXIST" || fail "RENAME_NOREPLACE"
import ctypes, errno
libc = ctypes.CDLL(None, use_errno=True)
r = libc.renameat2(-100, b"rc", -100, b"rb", 1)
assert r == -1 and ctypes.get_errno() == errno.EEXIST
assert libc.renameat2(-100, b"rc", -100, b"rnew", 1) == 0
PY
assert_eq "RENAME_NOREPLACE to a new name" c "$(cat rnew)"
mkdir -p xd; echo in-dir > xd/f; echo file > xf
python3 - <<'PY' && ok "RENAME_EXCHANGE swaps a directory and a file" || fail "RENAME_EXCHANGE"
import ctypes, os
libc = ctypes.CDLL(None, use_errno=True)
assert libc.renameat2(-100, b"xd", -100, b"xf", 2) == 0, ctypes.get_errno()
assert open("xd").read() == "file\n" and open("xf/f").read() == "in-dir\n"
assert libc.renameat2(-100, b"xd", -100, b"xf", 2) == 0
assert open("xf").read() == "file\n" and open("xd/f").read() == "in-dir\n"
assert libc.renameat2(-100, b"xd", -100, b"absent", 2) == -1
PY
check "after the exchanges: the names as the appliance has them" sh -c \
  "sync; echo 2 > /proc/sys/vm/drop_caches; [ \"\$(cat xd/f xf)\" = \"in-dir
file\" ]"

# Extended attributes and ACLs.
setfattr -n user.colour -v blue rb
assert_eq "user xattr" blue "$(getfattr --only-values -n user.colour rb)"
setfattr -n trusted.t -v 1 rb; assert_eq "trusted xattr" 1 "$(getfattr --only-values -n trusted.t rb)"
check "listxattr" sh -c "getfattr -d -m - rb | grep -q user.colour"
setfattr -x user.colour rb
expect_errno "removed xattr" "No such attribute" getfattr -n user.colour rb
# A value with NUL bytes comes back whole; XATTR_CREATE and XATTR_REPLACE
# are the guest kernel's.
python3 - <<'PY' && ok "xattr values with NUL bytes, create and replace" || fail "xattr NUL/flags"
import errno, os
os.setxattr("rb", "user.bin", b"a\0b\0\0c")
assert os.getxattr("rb", "user.bin") == b"a\0b\0\0c"
for flags, name, err in ((os.XATTR_CREATE, "user.bin", errno.EEXIST),
                         (os.XATTR_REPLACE, "user.none", errno.ENODATA)):
    try:
        os.setxattr("rb", name, b"x", flags)
        raise SystemExit("%s: no error" % name)
    except OSError as e:
        assert e.errno == err, e
os.setxattr("rb", "user.bin", b"\0", os.XATTR_REPLACE)
assert os.getxattr("rb", "user.bin") == b"\0"
os.removexattr("rb", "user.bin")
PY
if command -v setfacl >/dev/null; then
  setfacl -m u:1000:rw rb
  check "ACL set and read back" sh -c "getfacl -n rb | grep -q '^user:1000:rw-'"
  mkdir acldir; setfacl -d -m g:100:rx acldir; touch acldir/inherits
  check "default ACL inherited" sh -c "getfacl -n acldir/inherits | grep -q '^group:100:r-x'"
fi

# Ownership and permissions as on a local filesystem.
chmod 1777 "$M"
as_user () { setpriv --reuid=1000 --regid=1000 --clear-groups "$@"; }
as_user sh -c 'umask 027; echo mine > owned; mkdir owneddir'
assert_eq "creator owns the file" "1000:1000 640" "$(stat -c '%u:%g %a' owned)"
assert_eq "umask on mkdir" "1000:1000 750" "$(stat -c '%u:%g %a' owneddir)"
as_user chmod 600 owned
expect_errno "other user denied" "Permission denied" setpriv --reuid=1001 --regid=1001 --clear-groups cat owned
mkdir sgid; chown 0:4321 sgid; chmod 2777 sgid; as_user touch sgid/f
assert_eq "set-group-ID directory gives its group" "1000:4321" "$(stat -c %u:%g sgid/f)"
assert_eq "root creates root's files" "0:0" "$(stat -c %u:%g rnew)"

# statfs, fsync, open-unlinked.
check "statfs" sh -c "df -P '$M' | tail -1 | grep -q disk.img"
python3 - <<'PY' && ok "fsync, and a file unlinked while open stays usable" || fail "fsync/unlink-open"
import os
fd = os.open("keep", os.O_CREAT | os.O_RDWR, 0o644)
os.write(fd, b"still here"); os.fsync(fd)
os.unlink("keep")
assert not os.path.exists("keep")
assert os.pread(fd, 10, 0) == b"still here"
os.pwrite(fd, b"S", 0); assert os.pread(fd, 10, 0) == b"Still here"
os.close(fd)
assert not any(n.startswith(".imgmount-hidden") for n in os.listdir("."))
PY
# A directory whose only entries are open files unlinked or renamed over
# can be removed, as on a kernel filesystem; the descriptors stay usable
# and nothing is left behind once they close.  (The soak's intermittent
# rmdir ENOTEMPTY: a close whose RELEASE reached the daemon after the
# unlink left such an entry.)
python3 - <<'PY' && ok "rmdir of a directory holding only open unlinked files" || fail "rmdir with open unlinked files"
import os
os.makedirs("rmd/inner")
a = os.open("rmd/inner/a", os.O_CREAT | os.O_RDWR, 0o644)
os.write(a, b"A data")
with open("rmd/inner/n", "w") as f:
    f.write("new")
b = os.open("rmd/inner/b", os.O_CREAT | os.O_RDWR, 0o644)
os.write(b, b"B data")
os.unlink("rmd/inner/a")
os.rename("rmd/inner/n", "rmd/inner/b")
os.unlink("rmd/inner/b")
os.rmdir("rmd/inner")
os.rmdir("rmd")
assert not os.path.exists("rmd")
assert os.pread(a, 6, 0) == b"A data" and os.pread(b, 6, 0) == b"B data"
os.pwrite(a, b"a", 0); assert os.pread(a, 6, 0) == b"a data"
os.close(a); os.close(b)
assert not any(n.startswith(".imgmount-hidden") for n in os.listdir("."))
PY
assert_eq "a name with the old hidden prefix is listed" ".imgmount-hidden-c-1" "$(ls -A stale)"
check "and removed as any file" sh -c 'rm stale/.imgmount-hidden-c-1 && rmdir stale'
# A hard-linked file unlinked while open, then linked again: closing it
# removes only the name it was hidden under, not the newest link.
python3 - <<'PY' && ok "closing an unlinked, re-linked file keeps its links" || fail "unlinked re-linked file"
import os
with open("hl-a", "w") as f:
    f.write("linked")
os.link("hl-a", "hl-b")
fd = os.open("hl-b", os.O_RDONLY)
os.unlink("hl-b")
os.link("hl-a", "hl-c")
os.close(fd)
names = sorted(n for n in os.listdir(".") if n.startswith("hl-") or n.startswith(".imgmount-hidden"))
assert names == ["hl-a", "hl-c"], names
assert open("hl-c").read() == "linked"
PY
# Writes the daemon still buffers count in every size the kernel is told:
# a listing (readdirplus), a lookup and a hard link made meanwhile must not
# hand the kernel the appliance's older, shorter size (found by the soak).
mkdir buffered
python3 - <<'PY' && ok "sizes stay right while writes are buffered" || fail "sizes while writes are buffered"
import os
os.chdir("buffered")
fd = os.open("listed", os.O_CREAT | os.O_RDWR, 0o644)
os.write(fd, b"x" * 5000)
os.listdir(".")
assert os.fstat(fd).st_size == 5000, "listing: %d" % os.fstat(fd).st_size
os.close(fd)
with open("listed", "rb") as f:
    assert len(f.read()) == 5000, "listing: read back short"
fd = os.open("linked", os.O_CREAT | os.O_RDWR, 0o644)
os.write(fd, b"y" * 6000)
os.link("linked", "link2")
assert os.stat("link2").st_size == 6000, "link: %d" % os.stat("link2").st_size
os.close(fd)
PY
# A directory opened, then changed, then read: the kernel keeps the first
# listing read after opendir as the directory's, so that listing must be
# what the directory holds when it is read (found by 76-concurrency: an
# rsync's temporary name stayed listed after its rename).
mkdir listed-late
python3 - <<'PY' && ok "a listing read after a rename shows the new name" || fail "a listing read after a rename"
import os
os.chdir("listed-late")
open("before", "w").close()
fd = os.open(".", os.O_RDONLY | os.O_DIRECTORY)
os.rename("before", "after")
os.listdir(fd)
os.close(fd)
assert os.listdir(".") == ["after"], "listed: %s" % os.listdir(".")
PY
# Files unlinked or renamed over while open (found by the soak): usable
# through their descriptor, never listed, and gone once closed.
mkdir gone
python3 - <<'PY' && ok "open files that lost their name: usable, not listed" || fail "open files that lost their name"
import os
os.chdir("gone")
fd = os.open("unlinked", os.O_CREAT | os.O_RDWR, 0o644)
os.write(fd, b"first")
os.unlink("unlinked")
assert os.listdir(".") == [], "listed after unlink: %s" % os.listdir(".")
with open("target", "w") as f:
    f.write("old contents")
old = os.open("target", os.O_RDWR)
with open("new", "w") as f:
    f.write("new contents")
os.rename("new", "target")
assert os.pread(old, 100, 0) == b"old contents", "renamed over: old file unreadable"
os.pwrite(old, b"OLD", 0)
assert os.pread(old, 3, 0) == b"OLD"
assert open("target").read() == "new contents", "renamed over: new file changed"
assert sorted(os.listdir(".")) == ["target"], "listed: %s" % os.listdir(".")
os.close(fd); os.close(old)
assert sorted(os.listdir(".")) == ["target"], "listed after close: %s" % os.listdir(".")
PY
# fallocate(2) as the guest's ext4 does it: allocation, a hole punched
# into written data (zeros, the size kept), and the range at the end.
printf 'xxxxxxxxxxxxxxxx' > falloc
check "fallocate -l 1M" fallocate -l 1M falloc
assert_eq "fallocate: size" 1048576 "$(stat -c %s falloc)"
check "fallocate: blocks allocated" test "$(stat -c %b falloc)" -ge 2048
check "fallocate --punch-hole" fallocate -p -o 4 -l 4 falloc
assert_eq "punched: zeros where the hole is, the rest kept" "xxxx0000xxxxxxxx" \
  "$(head -c 16 falloc | od -An -c | tr -d ' \n' | sed 's/\\0/0/g')"
assert_eq "punched: size kept" 1048576 "$(stat -c %s falloc)"
check "fallocate --keep-size past the end" fallocate -n -o 1M -l 1M falloc
assert_eq "kept size" 1048576 "$(stat -c %s falloc)"

# copy_file_range within the image: into the middle of another file, short
# at the source's end; and cp's own copy.  Read back from cold caches.
head -c 3000000 /dev/urandom > "$T/cfr-src"; cp "$T/cfr-src" cfr-src
python3 - "$T/cfr-src" <<'PY' && ok "copy_file_range: offsets, a short copy at the end" || fail "copy_file_range"
import os, sys
src = open(sys.argv[1], "rb").read()
i = os.open("cfr-src", os.O_RDONLY)
o = os.open("cfr-dst", os.O_WRONLY | os.O_CREAT, 0o644)
os.write(o, b"y" * 100)
assert os.copy_file_range(i, o, 2000000, 1000, 50) == 2000000
assert os.copy_file_range(i, o, 5000000, 2999000, 2000050) == 1000
assert os.copy_file_range(i, o, 10, 3000000, 0) == 0
os.close(i); os.close(o)
want = b"y" * 50 + src[1000:2001000] + src[2999000:]
assert open("cfr-dst", "rb").read() == want
open(sys.argv[1] + ".want", "wb").write(want)
PY
check "cp of a file within the image" cp cfr-src cfr-cp
check "copy_file_range: both copies from cold caches" sh -c \
  "sync; echo 2 > /proc/sys/vm/drop_caches; cmp cfr-dst '$T/cfr-src.want' && cmp cfr-cp '$T/cfr-src'"

cd /
unmount "$M" || fail "unmount"
check "e2fsck clean" e2fsck -fn "$T/disk.img"
assert_eq "image holds the data" deep "$(debugfs -R 'cat /d2/deep/f' "$T/disk.img" 2>/dev/null)"
check "image: the capability removed by the write is gone" \
  sh -c "! debugfs -R 'ea_list /capped' '$T/disk.img' 2>/dev/null | grep -q capability"
assert_eq "image holds the owner" "1000" "$(debugfs -R 'stat /owned' "$T/disk.img" 2>/dev/null | sed -n 's/.*User: *\([0-9]*\).*/\1/p')"
check "nothing left" nothing_left
finish
