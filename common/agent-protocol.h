/* agent-protocol.h: the protocol between imgmount's daemon (the host) and
 * imgmount-agent, its file server inside the appliance.  Both ends include
 * this header; it is the protocol's only definition.
 *
 * Why our own: guestfsd answers one call at a time and names every object
 * by a path the host builds.  Here every request carries an id chosen by
 * the host, many requests may be in flight, and replies may come in any
 * order; objects are named by handles the agent hands out (it holds an
 * O_PATH descriptor for each and uses *at() calls with
 * AT_SYMLINK_NOFOLLOW), so no host-built path and no PATH_MAX limit.
 *
 * The stream.  One byte channel each way (a virtio-serial port in the
 * appliance; a socketpair in tests).  Every message is an agent_header
 * followed by its body; header.len counts both and is at most
 * AGENT_MSG_MAX.  Fields are in the byte order of the machine: the
 * appliance runs the host's architecture.  header.flags, error and
 * reserved are 0 in requests (READDIR's flags are in its body).  A
 * virtio-serial port reads end-of-file until the host end connects; end of
 * stream after that ends the conversation.  Bodies are the structures below, in the order given,
 * followed where said by bytes (names, data) without terminator.
 *
 * The conversation.  The host's first request is HELLO (id 0); nothing
 * else is sent before its reply.  The agent's reply gives its version and
 * its credits: the host never has more requests outstanding than that
 * (a request is outstanding from its first byte sent until its reply's
 * last byte received), so the agent's memory is bounded by credits times
 * AGENT_MSG_MAX, and the host's by what it asked for.  Ids are the host's
 * choice, never two outstanding at once.  Each request gets exactly one
 * reply, with the request's id and op; header.error is 0 or a positive
 * Linux errno, and an error reply has no body.  A request the agent
 * cannot serve gets an errno: ENOSYS for an unknown op, EINVAL for a
 * malformed body, EBADF for a handle not in use (every handle, the root's
 * too, before HELLO succeeded).  A HELLO that fails may be sent again.
 *
 * Trust.  The appliance may be owned by a hostile image, so the host
 * takes nothing in a reply on faith (agent-client.c checks every field
 * against what it asked); the agent, for its part, trusts the host. */
#ifndef IMGMOUNT_AGENT_PROTOCOL_H
#define IMGMOUNT_AGENT_PROTOCOL_H

#include <stdint.h>

/* The agent's port in the appliance: /dev/virtio-ports/AGENT_PORT_NAME. */
#define AGENT_PORT_NAME "org.imgmount.agent.0"

#define AGENT_MAGIC 0x41474d49u   /* "IMGA" read as little-endian */
#define AGENT_VERSION 1

/* Data per READ reply or WRITE request. */
#define AGENT_IO_MAX (1u << 20)
/* The largest message either way: I/O data plus room for the rest. */
#define AGENT_MSG_MAX (AGENT_IO_MAX + 4096u)
/* The most requests an agent may let the host have outstanding. */
#define AGENT_CREDITS_MAX 256u
/* A name in a directory, as NAME_MAX. */
#define AGENT_NAME_MAX 255u
/* A symbolic link's target, as PATH_MAX less its terminator. */
#define AGENT_LINK_MAX 4095u

/* The handle of the directory the agent serves (the guest's /sysroot),
 * valid from HELLO's reply on; it is never forgotten. */
#define AGENT_ROOT_HANDLE 1u

enum agent_op {
  AGENT_OP_HELLO = 1,
  AGENT_OP_NOP = 2,        /* nothing to do: a round trip's own cost */
  AGENT_OP_LOOKUP = 3,
  AGENT_OP_FORGET = 4,
  AGENT_OP_GETATTR = 5,
  AGENT_OP_READDIR = 6,
  AGENT_OP_READ = 7,
  AGENT_OP_READLINK = 8,
  AGENT_OP_STATFS = 9,
  AGENT_OP_BYE = 10,
  AGENT_OP_DEVICES = 11,
  AGENT_OP_FSYNC = 12,
  AGENT_OP_WRITE = 13,
  AGENT_OP_CREATE = 14,
  AGENT_OP_SETATTR = 15,
  AGENT_OP_REMOVE = 16,
  AGENT_OP_RENAME = 17,
  AGENT_OP_LINK = 18,
  AGENT_OP_GETXATTR = 19,
  AGENT_OP_LISTXATTR = 20,
  AGENT_OP_SETXATTR = 21,
  AGENT_OP_REMOVEXATTR = 22,
  AGENT_OP_FALLOCATE = 23,
  AGENT_OP_LSEEK = 24,
  AGENT_OP_COPY_RANGE = 25,
  AGENT_OP_SYNC = 26,
};

struct agent_header {
  uint32_t len;      /* the whole message, this header included */
  uint16_t op;       /* enum agent_op; a reply repeats its request's */
  uint16_t flags;    /* per op; 0 where none is defined */
  uint32_t error;    /* replies: 0 or a positive Linux errno; requests: 0 */
  uint32_t reserved; /* 0 */
  uint64_t id;       /* the host's; a reply repeats its request's */
};

/* An object's attributes, as fstatat(2) gives them. */
struct agent_attr {
  uint64_t dev, ino;
  uint64_t size;
  uint64_t blocks;          /* 512-byte units */
  uint64_t nlink;
  uint64_t rdev;
  uint32_t mode, uid, gid;
  uint32_t blksize;
  int64_t atime, mtime, ctime;
  uint32_t atime_nsec, mtime_nsec, ctime_nsec;
  uint32_t reserved;        /* 0 */
};

/* HELLO.  Request: agent_hello.  Reply: agent_hello (credits: the agent's,
 * 1 to AGENT_CREDITS_MAX) then agent_attr of the root. */
struct agent_hello {
  uint32_t magic;           /* AGENT_MAGIC */
  uint32_t version;         /* AGENT_VERSION */
  uint32_t credits;         /* request: the most the host will use */
  uint32_t reserved;        /* 0 */
};

/* NOP.  Request and reply: no body. */

/* BYE.  Request and reply: no body.  The agent closes every handle, the
 * root's too, before it replies: the host says it before the appliance
 * unmounts the filesystems, which open descriptors would keep busy.  A
 * HELLO may follow. */

/* DEVICES.  Request: no body.  Reply: what blkid's low-level probe
 * (blkid -c /dev/null -p -o export) says of the appliance's block devices
 * other than its own root disk, as text of at most AGENT_IO_MAX bytes:
 * one block per device that blkid found anything on, blocks separated by
 * an empty line, every line "KEY=VALUE" and ending in a newline, each
 * block's first line DEVNAME.  DEVNAME is the name guestfsd gives the
 * device (/dev/sdX, /dev/sdXN: the Xth disk in /dev/disk/by-path's
 * version order, its root disk left out) or, for one of LVM's logical
 * volumes, /dev/mapper/NAME.  Whole disks come first, then partitions,
 * then logical volumes.  Why: one request instead of guestfsd's
 * list_devices, list_partitions, lvs and one blkid per device, each of
 * which starts programs (0.05-0.6 s apiece under TCG and UML).  The host
 * asks before the filesystems are mounted, then says BYE and HELLO again,
 * so that the root it serves is the mounted one. */

/* LOOKUP.  Request: agent_lookup then namelen bytes of name (no '/', no
 * NUL, not "." or "..").  Reply: agent_entry.  Each LOOKUP that succeeds
 * counts one reference to the handle, which FORGET gives back; the same
 * object (dev, ino) has the same handle while it has references. */
struct agent_lookup {
  uint64_t parent;          /* a directory's handle */
  uint32_t namelen;         /* 1 to AGENT_NAME_MAX */
  uint32_t reserved;        /* 0 */
};

struct agent_entry {
  uint64_t handle;
  struct agent_attr attr;
};

/* FORGET.  Request: agent_forget.  Reply: no body.  Gives back COUNT
 * references; the handle goes with the last (and may be given again, to
 * another object, after that).  More than it has: EINVAL, nothing given
 * back.  The root's: accepted, and nothing happens. */
struct agent_forget {
  uint64_t handle;
  uint64_t count;
};

/* GETATTR, READLINK, STATFS.  Request: agent_handle.  Replies: agent_attr;
 * the target's bytes (1 to AGENT_LINK_MAX; EINVAL for a handle that is
 * not a symbolic link); agent_statfs. */
struct agent_handle {
  uint64_t handle;
};

struct agent_statfs {
  uint64_t blocks, bfree, bavail;   /* in units of frsize */
  uint64_t files, ffree;
  uint32_t bsize, frsize;
  uint32_t namemax;
  uint32_t reserved;                /* 0 */
};

/* READDIR.  Request: agent_readdir.  Reply: agent_dirents then COUNT
 * agent_dirent, each followed by namelen bytes of name and zeros up to the
 * next multiple of 8, all within max_bytes.  Entries are those after
 * COOKIE (0: from the start) in the directory's own order, "." and ".."
 * left out; each entry's cookie continues the listing after it (a
 * filesystem's directory offset: never 0, at most INT64_MAX).  EOF is 1
 * when the reply holds the directory's last entry, or no entry because
 * there are none after COOKIE.  MAX_BYTES is at least AGENT_READDIR_MIN,
 * room for one entry of the longest name.  With AGENT_READDIR_PLUS each entry carries its attributes and
 * a handle, counted as LOOKUP counts them; an entry gone before it could
 * be looked up is left out, and any other failure to look one up ends the
 * reply before it (without EOF), so that the next READDIR reports it.
 * With AGENT_READDIR_ATTRS each entry carries its attributes as with PLUS
 * (gone and failed entries alike) but handle 0, and no reference is
 * taken: the host that wants attributes for a listing need not FORGET a
 * handle for every entry it does not keep, and LOOKUPs the few it does.
 * Both flags: EINVAL.  Without either, handle is 0 and attr has only ino
 * and the type bits of mode. */
#define AGENT_READDIR_PLUS 1u
#define AGENT_READDIR_ATTRS 2u
/* Room for one entry of the longest name: with less, an agent could have
 * no answer but an empty reply that is not the end. */
#define AGENT_READDIR_MIN (sizeof (struct agent_dirents) + sizeof (struct agent_dirent) + \
                           AGENT_NAME_MAX + 1)

struct agent_readdir {
  uint64_t handle;          /* a directory's */
  uint64_t cookie;
  uint32_t max_bytes;       /* of the reply's body, at most AGENT_IO_MAX */
  uint32_t flags;           /* AGENT_READDIR_PLUS, AGENT_READDIR_ATTRS or 0 */
};

struct agent_dirents {
  uint32_t count;
  uint32_t eof;
};

struct agent_dirent {
  uint64_t cookie;
  uint64_t handle;
  struct agent_attr attr;
  uint32_t namelen;         /* 1 to AGENT_NAME_MAX */
  uint32_t reserved;        /* 0 */
};

/* READ.  Request: agent_read.  Reply: the data, at most SIZE bytes; fewer
 * only at the end of the file.  EISDIR for a directory, EINVAL for any
 * other object that is not a regular file. */
struct agent_read {
  uint64_t handle;          /* a regular file's */
  uint64_t offset;
  uint32_t size;            /* 1 to AGENT_IO_MAX */
  uint32_t reserved;        /* 0 */
};

/* SYNC.  Request and reply: no body.  sync(2), then fsync(2) of each
 * disk the appliance has (the flush that qemu turns into fdatasync of the
 * image files); the first disk's error, if any, after all were tried.
 * Why: the sync at unmount, without guestfsd's, which starts a program
 * (~0.1 s under UML) and does not say when a disk refused its flush. */

/* FSYNC.  Request: agent_fsync.  Reply: no body.  fsync(2) of the object
 * (fdatasync(2) with DATASYNC 1): a regular file or a directory, EINVAL
 * for any other.  Why: the guest kernel flushes that file and its disk,
 * where guestfsd's sync flushes every filesystem and starts a program. */
struct agent_fsync {
  uint64_t handle;
  uint32_t datasync;        /* 0 or 1 */
  uint32_t reserved;        /* 0 */
};

/* WRITE.  Request: agent_write then SIZE bytes of data.  Reply: the
 * file's agent_attr after the write.  All SIZE bytes are written at
 * OFFSET, or the reply is an error (some of them may be written then, as
 * with a failed write(2)).  EISDIR for a directory, EINVAL for any other
 * object that is not a regular file; EROFS on a read-only mount.  Why:
 * guestfsd's pwrite names the file by a path and opens it per call; here
 * the file stays open, several WRITEs may be in flight, and the reply
 * holds the attributes no stat need follow. */
struct agent_write {
  uint64_t handle;          /* a regular file's */
  uint64_t offset;
  uint32_t size;            /* 1 to AGENT_IO_MAX */
  uint32_t reserved;        /* 0 */
};

/* CREATE.  Request: agent_create, then namelen bytes of name (as
 * LOOKUP's), then targetlen bytes of a symbolic link's target (1 to
 * AGENT_LINK_MAX, no NUL; 0 for any other type).  Makes NAME in the
 * directory PARENT: a regular file, directory, symbolic link, FIFO,
 * socket or device node as MODE's type says (mknodat, mkdirat,
 * symlinkat; the permission bits as given, no umask), owned by UID and
 * GID, or by UID and the directory's group when the directory is
 * set-group-ID (as the kernel gives it).  Reply: agent_created: the new
 * object's entry, counted as LOOKUP counts one, and the directory's
 * attributes after it.  EEXIST when NAME exists.  Why: guestfsd makes it,
 * stats it and changes its owner in three calls, by path. */
struct agent_create {
  uint64_t parent;          /* a directory's handle */
  uint64_t rdev;            /* device nodes' */
  uint32_t mode;            /* type and permission bits */
  uint32_t uid, gid;
  uint32_t namelen;         /* 1 to AGENT_NAME_MAX */
  uint32_t targetlen;       /* symbolic links: 1 to AGENT_LINK_MAX; else 0 */
  uint32_t reserved;        /* 0 */
};

struct agent_created {
  struct agent_entry entry;
  struct agent_attr parent;
};

/* SETATTR.  Request: agent_setattr.  Reply: the object's agent_attr
 * after it.  VALID says which of its fields apply, and they are applied
 * in this order, as chown(1) then chmod(1) would: the owner (UID, GID,
 * either or both; fchownat, which may clear set-user-ID bits), the
 * permission bits of MODE (EOPNOTSUPP for a symbolic link, as Linux's
 * fchmodat refuses one), SIZE (a regular file's only: EISDIR for a
 * directory, EINVAL for the rest), then the times (ATIME, MTIME as given,
 * or the appliance's clock with _NOW; utimensat).  The first failure is
 * the reply; what came before it stays done.  No bit set: only the
 * attributes.  Why: guestfsd takes a call per attribute, each naming the
 * file by path, and a stat after them. */
#define AGENT_SET_MODE 0x01u
#define AGENT_SET_UID 0x02u
#define AGENT_SET_GID 0x04u
#define AGENT_SET_SIZE 0x08u
#define AGENT_SET_ATIME 0x10u
#define AGENT_SET_MTIME 0x20u
#define AGENT_SET_ATIME_NOW 0x40u
#define AGENT_SET_MTIME_NOW 0x80u
#define AGENT_SET_ALL 0xffu

struct agent_setattr {
  uint64_t handle;
  uint64_t size;            /* at most INT64_MAX */
  int64_t atime, mtime;
  uint32_t atime_nsec, mtime_nsec;  /* below 1 000 000 000 */
  uint32_t mode;            /* only the permission bits (07777) */
  uint32_t uid, gid;        /* not (uint32_t) -1 */
  uint32_t valid;           /* AGENT_SET_* */
};

/* REMOVE.  Request: agent_remove then namelen bytes of name (as
 * LOOKUP's).  Reply: the directory's agent_attr after it.  Removes NAME
 * from directory PARENT as rmdir(2) does when DIR is 1 (ENOTDIR for what
 * is no directory), else as unlink(2) (EISDIR for a directory).  An
 * object the host holds a handle of lives on until FORGET, as an open
 * file does: the host reads and writes a file unlinked while open through
 * its handle, with no hidden name to keep it.  Why: guestfsd's rm and
 * rmdir name it by path and say nothing of the directory after. */
struct agent_remove {
  uint64_t parent;          /* a directory's handle */
  uint32_t namelen;         /* 1 to AGENT_NAME_MAX */
  uint32_t dir;             /* 0 or 1 */
};

/* RENAME.  Request: agent_rename, then namelen bytes of name, then
 * newnamelen bytes of newname (each as LOOKUP's).  Reply: agent_renamed,
 * both directories' attributes after it (the same twice when they are
 * one).  renameat2(2) of PARENT/NAME to NEWPARENT/NEWNAME with FLAGS 0 or
 * Linux's own combinations of these: NOREPLACE (EEXIST when NEWNAME
 * exists), EXCHANGE (the two swap; both must exist), WHITEOUT (a whiteout
 * is left at NAME, as overlayfs wants); any other bit is EINVAL.  An
 * object renamed over lives on while the host holds its handle, as with
 * REMOVE.  Why: guestfsd's rename needs a stat first to refuse to
 * replace, one after for the directories, and knows no exchange. */
#define AGENT_RENAME_NOREPLACE 1u   /* Linux's RENAME_NOREPLACE */
#define AGENT_RENAME_EXCHANGE 2u    /* RENAME_EXCHANGE */
#define AGENT_RENAME_WHITEOUT 4u    /* RENAME_WHITEOUT */
#define AGENT_RENAME_FLAGS 7u

struct agent_rename {
  uint64_t parent, newparent;       /* directories' handles */
  uint32_t namelen, newnamelen;     /* 1 to AGENT_NAME_MAX each */
  uint32_t flags;                   /* AGENT_RENAME_* */
  uint32_t reserved;                /* 0 */
};

struct agent_renamed {
  struct agent_attr parent, newparent;
};

/* LINK.  Request: agent_link then namelen bytes of name (as LOOKUP's).
 * Reply: agent_created: the object's entry after it (its own handle, one
 * more reference to it as LOOKUP counts them; one more link) and the
 * directory's attributes.  Makes NEWPARENT/NAME another name of HANDLE's
 * object, as link(2) (EPERM for a directory; a symbolic link is linked
 * itself, not its target).  Why: guestfsd's ln names both by path, and a
 * stat of each must follow. */
struct agent_link {
  uint64_t handle;          /* the object's */
  uint64_t newparent;       /* a directory's */
  uint32_t namelen;         /* 1 to AGENT_NAME_MAX */
  uint32_t reserved;        /* 0 */
};

/* GETXATTR, LISTXATTR, SETXATTR, REMOVEXATTR: an object's extended
 * attributes as raw bytes both ways (a value may hold NUL bytes; a POSIX
 * ACL's is the kernel's binary form).  Each request is agent_xattr, then
 * namelen bytes of the attribute's name (1 to AGENT_XATTR_NAME_MAX, no
 * NUL; LISTXATTR: none), then (SETXATTR only) valuelen bytes of value.
 * Replies: GETXATTR the value (ENODATA when there is none); LISTXATTR the
 * names, each followed by a NUL; both at most AGENT_XATTR_MAX bytes
 * (E2BIG beyond).  SETXATTR: no body; FLAGS 0, AGENT_XATTR_CREATE (EEXIST
 * when the attribute exists) or AGENT_XATTR_REPLACE (ENODATA when not).
 * REMOVEXATTR: no body.  Why: guestfsd carries values as C strings (a NUL
 * cuts them short), takes ACLs only as text, and cannot honour CREATE or
 * REPLACE without a call before. */
#define AGENT_XATTR_NAME_MAX 255u   /* XATTR_NAME_MAX */
#define AGENT_XATTR_MAX 65536u      /* XATTR_SIZE_MAX, XATTR_LIST_MAX */
#define AGENT_XATTR_CREATE 1u       /* Linux's XATTR_CREATE */
#define AGENT_XATTR_REPLACE 2u      /* Linux's XATTR_REPLACE */

struct agent_xattr {
  uint64_t handle;
  uint32_t namelen;
  uint32_t valuelen;        /* SETXATTR: 0 to AGENT_XATTR_MAX; else 0 */
  uint32_t flags;           /* SETXATTR: 0 or one of AGENT_XATTR_*; else 0 */
  uint32_t reserved;        /* 0 */
};

/* FALLOCATE.  Request: agent_fallocate.  Reply: the file's agent_attr
 * after it.  fallocate(2) of a regular file (EISDIR for a directory,
 * EINVAL for the rest) with MODE as Linux's (FALLOC_FL_*): the guest's
 * filesystem says which it supports (EOPNOTSUPP otherwise).  Why:
 * libguestfs has no call that allocates a range of an existing file. */
struct agent_fallocate {
  uint64_t handle;
  uint64_t offset, length;  /* offset + length at most INT64_MAX; length >= 1 */
  uint32_t mode;
  uint32_t reserved;        /* 0 */
};

/* LSEEK.  Request: agent_lseek.  Reply: agent_offset.  lseek(2) of a
 * regular file with WHENCE SEEK_DATA or SEEK_HOLE (3 or 4, as Linux's):
 * the offset at or after OFFSET where data or a hole begins (a hole at
 * the end of the file at the latest); ENXIO when OFFSET is at or past the
 * end, or (SEEK_DATA) no data follows.  Why: cp and tar copy a sparse
 * file's data only, and libguestfs has no such call. */
struct agent_lseek {
  uint64_t handle;
  uint64_t offset;          /* at most INT64_MAX */
  uint32_t whence;          /* 3 (SEEK_DATA) or 4 (SEEK_HOLE) */
  uint32_t reserved;        /* 0 */
};

struct agent_offset {
  uint64_t offset;
};

/* COPY_RANGE.  Request: agent_copy_range.  Reply: agent_copied.
 * copy_file_range(2) from regular file IN at IN_OFFSET to regular file
 * OUT at OUT_OFFSET, of up to SIZE bytes: COPIED, fewer only at IN's end
 * (0 when IN_OFFSET is at or past it) or where the guest's kernel stopped
 * short; ATTR is OUT's attributes after it.  EISDIR for a directory,
 * EINVAL for the rest (and for ranges of one file that overlap); EXDEV
 * across the guest's filesystems.  SIZE is at most AGENT_COPY_MAX, so
 * that one call ends well within the host's call timeout; a short copy
 * is a complete answer, as copy_file_range(2)'s own.  Why: cp within the
 * image copies in the guest, the data never crossing the channel. */
#define AGENT_COPY_MAX (64u << 20)
struct agent_copy_range {
  uint64_t in_handle, in_offset;
  uint64_t out_handle, out_offset;
  uint64_t size;            /* 1 to AGENT_COPY_MAX; each offset + size at most INT64_MAX */
  uint64_t reserved;        /* 0 */
};

struct agent_copied {
  uint64_t copied;
  struct agent_attr attr;   /* OUT's */
};

/* The layout both ends were built with: no padding the compiler could
 * choose, and entries that keep the next one 8-byte aligned. */
_Static_assert (sizeof (struct agent_header) == 24, "agent_header");
_Static_assert (sizeof (struct agent_attr) == 104, "agent_attr");
_Static_assert (sizeof (struct agent_entry) == 112, "agent_entry");
_Static_assert (sizeof (struct agent_dirent) == 128, "agent_dirent");
_Static_assert (sizeof (struct agent_dirents) == 8, "agent_dirents");
_Static_assert (sizeof (struct agent_statfs) == 56, "agent_statfs");
_Static_assert (sizeof (struct agent_fsync) == 16, "agent_fsync");
_Static_assert (sizeof (struct agent_write) == 24, "agent_write");
_Static_assert (sizeof (struct agent_create) == 40, "agent_create");
_Static_assert (sizeof (struct agent_created) == 216, "agent_created");
_Static_assert (sizeof (struct agent_setattr) == 56, "agent_setattr");
_Static_assert (sizeof (struct agent_remove) == 16, "agent_remove");
_Static_assert (sizeof (struct agent_rename) == 32, "agent_rename");
_Static_assert (sizeof (struct agent_renamed) == 208, "agent_renamed");
_Static_assert (sizeof (struct agent_link) == 24, "agent_link");
_Static_assert (sizeof (struct agent_xattr) == 24, "agent_xattr");
_Static_assert (sizeof (struct agent_fallocate) == 32, "agent_fallocate");
_Static_assert (sizeof (struct agent_lseek) == 24, "agent_lseek");
_Static_assert (sizeof (struct agent_copy_range) == 48, "agent_copy_range");
_Static_assert (sizeof (struct agent_copied) == 112, "agent_copied");

#endif
