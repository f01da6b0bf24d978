/* agent-ops.c: imgmount-agent's handler for each request (see
 * agent-protocol.h for what each must answer).
 *
 * The dispatcher checks what every request shares (the header, a body of
 * the op's size) so that each handler starts from a well-formed body and
 * only checks its own fields.  Handlers write their reply's body in place
 * in the output buffer and return 0 or an errno, which becomes the
 * reply's error (and then the body is dropped).  Bodies sit at any byte
 * offset in the stream, so they are copied in and out with memcpy, never
 * cast. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/xattr.h>
#include <unistd.h>
#include "backend-select/appliance/agent/agent-devices.h"
#include "backend-select/appliance/agent/agent-handles.h"
#include "backend-select/appliance/agent/agent-ops.h"
#include "common/agent-protocol.h"
#include "common/xalloc.h"

/* What the agent lets the host have outstanding: enough to keep a
 * virtio-serial port busy, with memory to spare (see agent-io.c). */
#define AGENT_CREDITS 64u

/* BODY has the request's body, LEN bytes; OUT has room for the largest
 * reply body, and *OUT_LEN is set to the reply's. */
typedef int op_fn (const unsigned char *body, size_t len, unsigned char *out, size_t *out_len);

static void
attr_from_stat (struct agent_attr *a, const struct stat *st)
{
  *a = (struct agent_attr) {
    .dev = st->st_dev, .ino = st->st_ino, .size = (uint64_t) st->st_size,
    .blocks = (uint64_t) st->st_blocks, .nlink = st->st_nlink,
    .rdev = st->st_rdev, .mode = st->st_mode, .uid = st->st_uid,
    .gid = st->st_gid, .blksize = (uint32_t) st->st_blksize,
    .atime = st->st_atim.tv_sec, .mtime = st->st_mtim.tv_sec,
    .ctime = st->st_ctim.tv_sec,
    .atime_nsec = (uint32_t) st->st_atim.tv_nsec,
    .mtime_nsec = (uint32_t) st->st_mtim.tv_nsec,
    .ctime_nsec = (uint32_t) st->st_ctim.tv_nsec };
}

/* Its attributes, as GETATTR and HELLO give them. */
static int
put_attr_of (int fd, unsigned char *out, size_t *out_len)
{
  struct stat st;
  if (fstatat (fd, "", &st, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) < 0)
    return errno;
  struct agent_attr a;
  attr_from_stat (&a, &st);
  memcpy (out, &a, sizeof a);
  *out_len = sizeof a;
  return 0;
}

/* The directory served, opened at the first HELLO (agent_ops_set_root). */
static const char *root_path;

void
agent_ops_set_root (const char *path)
{
  root_path = path;
}

/* In the appliance the agent starts at boot, before guestfsd mounts the
 * image's filesystems on ROOT: opened earlier, the root would be the empty
 * directory under them. */
static int
open_root (void)
{
  if (handle_get (AGENT_ROOT_HANDLE))
    return 0;
  int fd = open (root_path, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return errno;
  handles_init (fd);
  return 0;
}

static int
op_hello (const unsigned char *body, size_t len, unsigned char *out, size_t *out_len)
{
  struct agent_hello rq;
  memcpy (&rq, body, sizeof rq);
  if (rq.magic != AGENT_MAGIC)
    return EPROTO;
  if (rq.version != AGENT_VERSION)
    return EPROTONOSUPPORT;
  int e = open_root ();
  if (e)
    return e;
  struct agent_hello reply = {
    .magic = AGENT_MAGIC, .version = AGENT_VERSION, .credits = AGENT_CREDITS };
  memcpy (out, &reply, sizeof reply);
  int err = put_attr_of (handle_get (AGENT_ROOT_HANDLE)->fd, out + sizeof reply, out_len);
  *out_len += sizeof reply;
  return err;
}

static int
op_nop (const unsigned char *body, size_t len, unsigned char *out, size_t *out_len)
{
  return 0;
}

static int
op_bye (const unsigned char *body, size_t len, unsigned char *out, size_t *out_len)
{
  handles_reset ();
  return 0;
}

static int
op_devices (const unsigned char *body, size_t len, unsigned char *out, size_t *out_len)
{
  return agent_devices_report ((char *) out, AGENT_IO_MAX, out_len);
}

/* A name the protocol allows: one component, neither "." nor "..". */
static bool
name_ok (const char *name, size_t len)
{
  if (len < 1 || len > AGENT_NAME_MAX || memchr (name, '/', len) || memchr (name, 0, len))
    return false;
  return strcmp (name, ".") != 0 && strcmp (name, "..") != 0;
}

/* The directory of handle H, into *FD: 0, EBADF or ENOTDIR. */
static int
dir_of (uint64_t h, int *fd)
{
  struct agent_handle_entry *e = handle_get (h);
  if (!e)
    return EBADF;
  if (!S_ISDIR (e->mode))
    return ENOTDIR;
  *fd = e->fd;
  return 0;
}

/* The name of LEN bytes at P into NAME (AGENT_NAME_MAX + 1 bytes),
 * terminated: 0 or EINVAL. */
static int
take_name (const unsigned char *p, uint32_t len, char *name)
{
  if (len > AGENT_NAME_MAX)
    return EINVAL;
  memcpy (name, p, len);
  name[len] = '\0';
  return name_ok (name, len) ? 0 : EINVAL;
}

static int
op_lookup (const unsigned char *body, size_t len, unsigned char *out, size_t *out_len)
{
  struct agent_lookup rq;
  memcpy (&rq, body, sizeof rq);
  char name[AGENT_NAME_MAX + 1];
  if (len != sizeof rq + rq.namelen || take_name (body + sizeof rq, rq.namelen, name))
    return EINVAL;
  struct agent_handle_entry *parent = handle_get (rq.parent);
  if (!parent)
    return EBADF;
  struct agent_entry e = { 0 };
  struct stat st;
  int err = handle_lookup (parent->fd, name, &e.handle, &st);
  if (err)
    return err;
  attr_from_stat (&e.attr, &st);
  memcpy (out, &e, sizeof e);
  *out_len = sizeof e;
  return 0;
}

static int
op_forget (const unsigned char *body, size_t len, unsigned char *out, size_t *out_len)
{
  struct agent_forget rq;
  memcpy (&rq, body, sizeof rq);
  return handle_forget (rq.handle, rq.count);
}

/* The handle of a GETATTR, READLINK or STATFS request, or NULL. */
static struct agent_handle_entry *
handle_of (const unsigned char *body)
{
  struct agent_handle rq;
  memcpy (&rq, body, sizeof rq);
  return handle_get (rq.handle);
}

static int
op_getattr (const unsigned char *body, size_t len, unsigned char *out, size_t *out_len)
{
  struct agent_handle_entry *e = handle_of (body);
  return e ? put_attr_of (e->fd, out, out_len) : EBADF;
}

static int
op_readlink (const unsigned char *body, size_t len, unsigned char *out, size_t *out_len)
{
  struct agent_handle_entry *e = handle_of (body);
  if (!e)
    return EBADF;
  if (!S_ISLNK (e->mode))
    return EINVAL;    /* as readlink(2) says of what is not a link */
  ssize_t n = readlinkat (e->fd, "", (char *) out, AGENT_LINK_MAX + 1);
  if (n < 0)
    return errno;
  if (n == 0 || n > (ssize_t) AGENT_LINK_MAX)
    return ENAMETOOLONG;
  *out_len = (size_t) n;
  return 0;
}

static int
op_statfs (const unsigned char *body, size_t len, unsigned char *out, size_t *out_len)
{
  struct agent_handle_entry *e = handle_of (body);
  struct statfs s;
  if (!e)
    return EBADF;
  if (fstatfs (e->fd, &s) < 0)
    return errno;
  struct agent_statfs r = {
    .blocks = s.f_blocks, .bfree = s.f_bfree, .bavail = s.f_bavail,
    .files = s.f_files, .ffree = s.f_ffree, .bsize = (uint32_t) s.f_bsize,
    .frsize = (uint32_t) (s.f_frsize ? s.f_frsize : s.f_bsize),
    .namemax = (uint32_t) s.f_namelen };
  memcpy (out, &r, sizeof r);
  *out_len = sizeof r;
  return 0;
}

/* E's object as a path: /proc's link to its descriptor reaches that very
 * inode (a symbolic link's own, not its target), whatever happened to its
 * names since, also once it has none.  For the calls that cannot take an
 * O_PATH descriptor themselves. */
struct proc_path {
  char path[32];
};

static struct proc_path
proc_path_of (const struct agent_handle_entry *e)
{
  struct proc_path p;
  snprintf (p.path, sizeof p.path, "/proc/self/fd/%d", e->fd);
  return p;
}

/* A descriptor of the file opened with FLAGS, kept in *SLOT: the O_PATH
 * one can neither read nor write, and reopening it through /proc reaches
 * the very same inode, whatever happened to its names since. */
static int
reopened (struct agent_handle_entry *e, int *slot, int flags)
{
  if (*slot < 0) {
    struct proc_path p = proc_path_of (e);
    *slot = open (p.path, flags | O_CLOEXEC);
  }
  return *slot;
}

static int
read_fd_of (struct agent_handle_entry *e)
{
  return reopened (e, &e->read_fd, O_RDONLY);
}

/* Regular file H's descriptor for reading or (WRITE) writing into *FD,
 * its entry into *E (unless NULL); 0 or an errno: EISDIR for a
 * directory, EINVAL for any other object that is not a regular file. */
static int
file_fd (uint64_t h, bool write, struct agent_handle_entry **e_out, int *fd)
{
  struct agent_handle_entry *e = handle_get (h);
  if (!e)
    return EBADF;
  if (!S_ISREG (e->mode))
    return S_ISDIR (e->mode) ? EISDIR : EINVAL;
  *fd = write ? reopened (e, &e->write_fd, O_WRONLY) : read_fd_of (e);
  if (*fd < 0)
    return errno;
  if (e_out)
    *e_out = e;
  return 0;
}

/* Only regular files: opening a device node or a FIFO of the image would
 * open the appliance's own device, or wait for a writer forever. */
static int
op_read (const unsigned char *body, size_t len, unsigned char *out, size_t *out_len)
{
  struct agent_read rq;
  memcpy (&rq, body, sizeof rq);
  if (rq.size < 1 || rq.size > AGENT_IO_MAX || rq.offset > (uint64_t) INT64_MAX - rq.size)
    return EINVAL;
  int fd, err = file_fd (rq.handle, false, NULL, &fd);
  if (err)
    return err;
  size_t done = 0;
  while (done < rq.size) {    /* short only at the end, as promised */
    ssize_t n = pread (fd, out + done, rq.size - done, (off_t) (rq.offset + done));
    if (n < 0 && errno != EINTR)
      return errno;
    if (n == 0)
      break;
    done += n > 0 ? (size_t) n : 0;
  }
  *out_len = done;
  return 0;
}

/* A READDIR reply being filled. */
struct listing {
  unsigned char *out;
  size_t used, max;
  uint32_t count;
  uint32_t flags;   /* the request's: AGENT_READDIR_PLUS, _ATTRS or 0 */
  int dir;          /* the directory's O_PATH descriptor, for *at() */
};

#define ENTRY_FULL (-1)

/* The attributes READDIR without PLUS or ATTRS gives: ino and the type
 * bits, the latter asked of the file system when getdents does not know. */
static void
plain_attr (struct agent_attr *a, const struct dirent64 *d, int dir)
{
  struct stat st;
  a->ino = d->d_ino;
  a->mode = DTTOIF (d->d_type);
  if (d->d_type == DT_UNKNOWN && fstatat (dir, d->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0)
    a->mode = st.st_mode & S_IFMT;
}

/* Appends D; returns 0, ENTRY_FULL, or an errno.  An entry gone since
 * getdents is left out, as if listed a moment later. */
static int
add_entry (struct listing *l, const struct dirent64 *d)
{
  size_t namelen = strlen (d->d_name);
  size_t size = sizeof (struct agent_dirent) + ((namelen + 7) & ~(size_t) 7);
  if (l->used + size > l->max)
    return ENTRY_FULL;
  struct agent_dirent de = { .cookie = (uint64_t) d->d_off, .namelen = (uint32_t) namelen };
  if (l->flags) {
    /* PLUS and ATTRS alike, but only PLUS opens the entry and counts a
     * reference; ATTRS leaves handle 0. */
    struct stat st;
    int err = l->flags & AGENT_READDIR_PLUS ? handle_lookup (l->dir, d->d_name, &de.handle, &st)
      : fstatat (l->dir, d->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ? errno : 0;
    if (err)
      return err == ENOENT ? 0 : err;
    attr_from_stat (&de.attr, &st);
  } else {
    plain_attr (&de.attr, d, l->dir);
  }
  unsigned char *p = l->out + l->used;
  memcpy (p, &de, sizeof de);
  memcpy (p + sizeof de, d->d_name, namelen);
  memset (p + sizeof de + namelen, 0, size - sizeof de - namelen);
  l->used += size;
  l->count++;
  return 0;
}

/* Fills L from DFD's position on.  *EOF is set when getdents has nothing
 * more: only then is the last entry known to be in the reply. */
static int
list (struct listing *l, int dfd, bool *eof)
{
  static unsigned char buf[32 * 1024] __attribute__ ((aligned (8)));
  for (;;) {
    ssize_t n = getdents64 (dfd, buf, sizeof buf);
    if (n <= 0) {
      *eof = n == 0;
      return n < 0 ? errno : 0;
    }
    for (ssize_t off = 0; off < n;) {
      const struct dirent64 *d = (const struct dirent64 *) (buf + off);
      off += d->d_reclen;
      if (strcmp (d->d_name, ".") == 0 || strcmp (d->d_name, "..") == 0)
        continue;
      int r = add_entry (l, d);
      if (r)
        return r == ENTRY_FULL ? (l->count ? 0 : EINVAL) : r;
    }
  }
}

/* The directory opened for listing, kept for the next READDIR of the
 * same handle: a listing is many READDIRs in a row. */
static int
dir_fd_of (struct agent_handle_entry *e)
{
  if (e->dir_fd < 0)
    e->dir_fd = openat (e->fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  return e->dir_fd;
}

/* An error after some entries ends the reply before it, not EOF: the host
 * asks again from there and gets the error then. */
static int
op_readdir (const unsigned char *body, size_t len, unsigned char *out, size_t *out_len)
{
  struct agent_readdir rq;
  memcpy (&rq, body, sizeof rq);
  if (rq.max_bytes > AGENT_IO_MAX || rq.max_bytes < AGENT_READDIR_MIN
      || (rq.flags & ~(AGENT_READDIR_PLUS | AGENT_READDIR_ATTRS))
      || rq.flags == (AGENT_READDIR_PLUS | AGENT_READDIR_ATTRS) || rq.cookie > INT64_MAX)
    return EINVAL;
  struct agent_handle_entry *e = handle_get (rq.handle);
  if (!e)
    return EBADF;
  if (!S_ISDIR (e->mode))
    return ENOTDIR;
  int dfd = dir_fd_of (e);
  if (dfd < 0 || lseek (dfd, (off_t) rq.cookie, SEEK_SET) < 0)
    return errno;
  /* E moves if the table grows under the PLUS lookups: only its fd. */
  struct listing l = { .out = out, .used = sizeof (struct agent_dirents),
    .max = rq.max_bytes, .flags = rq.flags, .dir = e->fd };
  bool eof = false;
  int err = list (&l, dfd, &eof);
  if (err && l.count == 0)
    return err;
  struct agent_dirents h = { .count = l.count, .eof = !err && eof };
  memcpy (out, &h, sizeof h);
  *out_len = l.used;
  return 0;
}

/* Is NAME, of /sys/block, one of the disks whose flush reaches the host
 * (virtio-scsi, virtio-blk, UML's ubd), not a loop or device-mapper
 * device the flush of its disk covers? */
static bool
is_disk (const char *name)
{
  return strncmp (name, "sd", 2) == 0 || strncmp (name, "vd", 2) == 0 ||
         strncmp (name, "ubd", 3) == 0;
}

static int
op_sync (const unsigned char *body, size_t len, unsigned char *out, size_t *out_len)
{
  sync ();
  DIR *d = opendir ("/sys/block");
  if (!d)
    return errno;
  int first = 0;
  struct dirent *e;
  while ((e = readdir (d)) != NULL) {
    if (!is_disk (e->d_name))
      continue;
    char path[300];
    snprintf (path, sizeof path, "/dev/%s", e->d_name);
    int fd = open (path, O_RDONLY | O_CLOEXEC);
    if ((fd < 0 || fsync (fd) < 0) && !first)
      first = errno;
    if (fd >= 0)
      close (fd);
  }
  closedir (d);
  return first;
}

/* Directories sync through their READDIR descriptor, files through their
 * READ one: an O_PATH descriptor cannot be synced. */
static int
op_fsync (const unsigned char *body, size_t len, unsigned char *out, size_t *out_len)
{
  struct agent_fsync rq;
  memcpy (&rq, body, sizeof rq);
  if (rq.datasync > 1 || rq.reserved)
    return EINVAL;
  struct agent_handle_entry *e = handle_get (rq.handle);
  if (!e)
    return EBADF;
  int fd = S_ISREG (e->mode) ? read_fd_of (e) : S_ISDIR (e->mode) ? dir_fd_of (e) : -2;
  if (fd == -2)
    return EINVAL;
  if (fd < 0)
    return errno;
  return (rq.datasync ? fdatasync (fd) : fsync (fd)) == 0 ? 0 : errno;
}

/* Writes all of DATA or fails; the file's attributes after it are the
 * reply. */
static int
op_write (const unsigned char *body, size_t len, unsigned char *out, size_t *out_len)
{
  struct agent_write rq;
  memcpy (&rq, body, sizeof rq);
  if (rq.size < 1 || rq.size > AGENT_IO_MAX || rq.reserved || len != sizeof rq + rq.size
      || rq.offset > (uint64_t) INT64_MAX - rq.size)
    return EINVAL;
  struct agent_handle_entry *e;
  int fd, err = file_fd (rq.handle, true, &e, &fd);
  if (err)
    return err;
  const unsigned char *data = body + sizeof rq;
  for (size_t done = 0; done < rq.size;) {
    ssize_t n = pwrite (fd, data + done, rq.size - done, (off_t) (rq.offset + done));
    if (n < 0 && errno != EINTR)
      return errno;
    if (n == 0)
      return EIO;   /* pwrite(2) gives 0 for nothing asked, and more was */
    done += n > 0 ? (size_t) n : 0;
  }
  return put_attr_of (e->fd, out, out_len);
}

/* Makes NAME in DIR as MODE's type says; -1 and errno when it fails. */
static int
make_node (int dir, const char *name, uint32_t mode, uint64_t rdev, const char *target)
{
  switch (mode & S_IFMT) {
  case S_IFDIR:
    return mkdirat (dir, name, mode & 07777);
  case S_IFLNK:
    return symlinkat (target, dir, name);
  case S_IFREG: case S_IFIFO: case S_IFSOCK: case S_IFCHR: case S_IFBLK:
    return mknodat (dir, name, mode, (dev_t) rdev);
  default:
    errno = EINVAL;
    return -1;
  }
}

/* Gives NAME in DIR (of attributes *DIR_ST) to UID and GID as CREATE
 * says; on failure it is removed again, so that a CREATE that fails
 * leaves nothing. */
static int
give_node (int dir, const struct stat *dir_st, const char *name, uint32_t mode, uint32_t uid,
           uint32_t gid)
{
  /* The agent's uid and gid are 0; a set-group-ID directory gave its. */
  uint32_t has_gid = dir_st->st_mode & S_ISGID ? (uint32_t) dir_st->st_gid : 0;
  if (dir_st->st_mode & S_ISGID)
    gid = has_gid;
  if (uid == 0 && gid == has_gid)
    return 0;
  if (fchownat (dir, name, uid, gid, AT_SYMLINK_NOFOLLOW) == 0)
    return 0;
  int e = errno;
  unlinkat (dir, name, S_ISDIR (mode) ? AT_REMOVEDIR : 0);
  return e;
}

/* CREATE's and LINK's reply: DIR/NAME's entry (a reference) and DIR's
 * attributes. */
static int
put_created (int dir, const char *name, unsigned char *out, size_t *out_len)
{
  struct agent_created c = { 0 };
  struct stat st, dir_st;
  int err = handle_lookup (dir, name, &c.entry.handle, &st);
  if (err)
    return err;
  attr_from_stat (&c.entry.attr, &st);
  if (fstatat (dir, "", &dir_st, AT_EMPTY_PATH) < 0) {
    err = errno;
    handle_forget (c.entry.handle, 1);
    return err;
  }
  attr_from_stat (&c.parent, &dir_st);
  memcpy (out, &c, sizeof c);
  *out_len = sizeof c;
  return 0;
}

static int
op_create (const unsigned char *body, size_t len, unsigned char *out, size_t *out_len)
{
  struct agent_create rq;
  memcpy (&rq, body, sizeof rq);
  char name[AGENT_NAME_MAX + 1], target[AGENT_LINK_MAX + 1] = "";
  bool link = S_ISLNK (rq.mode);
  if (rq.namelen > AGENT_NAME_MAX || rq.targetlen > AGENT_LINK_MAX || rq.reserved ||
      len != sizeof rq + rq.namelen + rq.targetlen || (rq.targetlen > 0) != link ||
      take_name (body + sizeof rq, rq.namelen, name))
    return EINVAL;
  memcpy (target, body + sizeof rq + rq.namelen, rq.targetlen);
  if (strlen (target) != rq.targetlen)
    return EINVAL;
  /* The descriptor, not the entry: handle_lookup may move the table. */
  int dir, err = dir_of (rq.parent, &dir);
  if (err)
    return err;
  struct stat dir_st;
  if (fstatat (dir, "", &dir_st, AT_EMPTY_PATH) < 0 ||
      make_node (dir, name, rq.mode, rq.rdev, target) < 0)
    return errno;
  err = give_node (dir, &dir_st, name, rq.mode, rq.uid, rq.gid);
  return err ? err : put_created (dir, name, out, out_len);
}

/* Through /proc: fchmodat with AT_EMPTY_PATH on an O_PATH descriptor
 * needs the fchmodat2 syscall (Linux 6.6), which the appliance's 6.1 lacks
 * and Debian 12's glibc does not call (EINVAL, also on a newer kernel). */
static int
chmod_of (const struct agent_handle_entry *e, uint32_t mode)
{
  if (S_ISLNK (e->mode))
    return EOPNOTSUPP;
  return chmod (proc_path_of (e).path, mode & 07777) == 0 ? 0 : errno;
}

/* One of utimensat's times: as given, now, or left alone. */
static struct timespec
time_of (uint32_t valid, uint32_t set_bit, uint32_t now_bit, int64_t sec, uint32_t nsec)
{
  if (valid & now_bit)
    return (struct timespec) { .tv_nsec = UTIME_NOW };
  if (valid & set_bit)
    return (struct timespec) { .tv_sec = sec, .tv_nsec = nsec };
  return (struct timespec) { .tv_nsec = UTIME_OMIT };
}

static int
set_times (int fd, const struct agent_setattr *rq)
{
  struct timespec ts[2] = {
    time_of (rq->valid, AGENT_SET_ATIME, AGENT_SET_ATIME_NOW, rq->atime, rq->atime_nsec),
    time_of (rq->valid, AGENT_SET_MTIME, AGENT_SET_MTIME_NOW, rq->mtime, rq->mtime_nsec) };
  return utimensat (fd, "", ts, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) == 0 ? 0 : errno;
}

static int
op_setattr (const unsigned char *body, size_t len, unsigned char *out, size_t *out_len)
{
  struct agent_setattr rq;
  memcpy (&rq, body, sizeof rq);
  if ((rq.valid & ~AGENT_SET_ALL) || rq.size > INT64_MAX || rq.atime_nsec >= 1000000000u ||
      rq.mtime_nsec >= 1000000000u || rq.mode & ~07777u ||
      ((rq.valid & AGENT_SET_UID) && rq.uid == UINT32_MAX) ||
      ((rq.valid & AGENT_SET_GID) && rq.gid == UINT32_MAX))
    return EINVAL;
  struct agent_handle_entry *e = handle_get (rq.handle);
  if (!e)
    return EBADF;
  int err = 0, fd = e->fd;
  if (rq.valid & (AGENT_SET_UID | AGENT_SET_GID) &&
      fchownat (fd, "", rq.valid & AGENT_SET_UID ? rq.uid : (uint32_t) -1,
                rq.valid & AGENT_SET_GID ? rq.gid : (uint32_t) -1,
                AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) < 0)
    return errno;
  if (rq.valid & AGENT_SET_MODE && (err = chmod_of (e, rq.mode)))
    return err;
  if (rq.valid & AGENT_SET_SIZE) {
    int wfd;
    if ((err = file_fd (rq.handle, true, NULL, &wfd)))
      return err;
    if (ftruncate (wfd, (off_t) rq.size) < 0)
      return errno;
  }
  if (rq.valid & (AGENT_SET_ATIME | AGENT_SET_MTIME | AGENT_SET_ATIME_NOW | AGENT_SET_MTIME_NOW)
      && (err = set_times (fd, &rq)))
    return err;
  return put_attr_of (fd, out, out_len);
}

static int
op_remove (const unsigned char *body, size_t len, unsigned char *out, size_t *out_len)
{
  struct agent_remove rq;
  memcpy (&rq, body, sizeof rq);
  char name[AGENT_NAME_MAX + 1];
  int dir, err;
  if (rq.dir > 1 || len != sizeof rq + rq.namelen || take_name (body + sizeof rq, rq.namelen, name))
    return EINVAL;
  if ((err = dir_of (rq.parent, &dir)))
    return err;
  if (unlinkat (dir, name, rq.dir ? AT_REMOVEDIR : 0) < 0)
    return errno;
  return put_attr_of (dir, out, out_len);
}

/* The flags go to renameat2 as they are. */
_Static_assert (AGENT_RENAME_NOREPLACE == RENAME_NOREPLACE &&
                AGENT_RENAME_EXCHANGE == RENAME_EXCHANGE &&
                AGENT_RENAME_WHITEOUT == RENAME_WHITEOUT, "renameat2's flags");

static int
op_rename (const unsigned char *body, size_t len, unsigned char *out, size_t *out_len)
{
  struct agent_rename rq;
  memcpy (&rq, body, sizeof rq);
  char name[AGENT_NAME_MAX + 1], newname[AGENT_NAME_MAX + 1];
  int dir, newdir, err;
  if ((rq.flags & ~AGENT_RENAME_FLAGS) || rq.reserved || rq.namelen > AGENT_NAME_MAX ||
      len != sizeof rq + rq.namelen + rq.newnamelen ||
      take_name (body + sizeof rq, rq.namelen, name) ||
      take_name (body + sizeof rq + rq.namelen, rq.newnamelen, newname))
    return EINVAL;
  if ((err = dir_of (rq.parent, &dir)) || (err = dir_of (rq.newparent, &newdir)))
    return err;
  if (renameat2 (dir, name, newdir, newname, rq.flags) < 0)
    return errno;
  struct agent_renamed r;
  size_t n;
  if ((err = put_attr_of (dir, out, &n)) || (err = put_attr_of (newdir, out + sizeof r.parent, &n)))
    return err;
  *out_len = sizeof r;
  return 0;
}

/* Through /proc: linkat with AT_EMPTY_PATH needs CAP_DAC_READ_SEARCH,
 * which an ordinary user's agent (test-agent) lacks. */
static int
op_link (const unsigned char *body, size_t len, unsigned char *out, size_t *out_len)
{
  struct agent_link rq;
  memcpy (&rq, body, sizeof rq);
  char name[AGENT_NAME_MAX + 1];
  if (rq.reserved || len != sizeof rq + rq.namelen || take_name (body + sizeof rq, rq.namelen, name))
    return EINVAL;
  struct agent_handle_entry *e = handle_get (rq.handle);
  int dir, err = e ? dir_of (rq.newparent, &dir) : EBADF;
  if (err)
    return err;
  if (S_ISDIR (e->mode))
    return EPERM;
  if (linkat (AT_FDCWD, proc_path_of (e).path, dir, name, AT_SYMLINK_FOLLOW) < 0)
    return errno;
  return put_created (dir, name, out, out_len);
}

static int
op_fallocate (const unsigned char *body, size_t len, unsigned char *out, size_t *out_len)
{
  struct agent_fallocate rq;
  memcpy (&rq, body, sizeof rq);
  if (rq.reserved || rq.length < 1 || rq.offset > INT64_MAX || rq.length > INT64_MAX - rq.offset)
    return EINVAL;
  struct agent_handle_entry *e;
  int fd, err = file_fd (rq.handle, true, &e, &fd);
  if (err)
    return err;
  if (fallocate (fd, (int) rq.mode, (off_t) rq.offset, (off_t) rq.length) < 0)
    return errno;
  return put_attr_of (e->fd, out, out_len);
}

static int
op_lseek (const unsigned char *body, size_t len, unsigned char *out, size_t *out_len)
{
  struct agent_lseek rq;
  memcpy (&rq, body, sizeof rq);
  if (rq.reserved || rq.offset > INT64_MAX || (rq.whence != SEEK_DATA && rq.whence != SEEK_HOLE))
    return EINVAL;
  int fd, err = file_fd (rq.handle, false, NULL, &fd);
  if (err)
    return err;
  off_t at = lseek (fd, (off_t) rq.offset, (int) rq.whence);
  if (at < 0)
    return errno;
  struct agent_offset r = { .offset = (uint64_t) at };
  memcpy (out, &r, sizeof r);
  *out_len = sizeof r;
  return 0;
}

/* The guest kernel's copy_file_range, until SIZE is copied or it copies
 * nothing more (IN's end). */
static int
op_copy_range (const unsigned char *body, size_t len, unsigned char *out, size_t *out_len)
{
  struct agent_copy_range rq;
  memcpy (&rq, body, sizeof rq);
  if (rq.reserved || rq.size < 1 || rq.size > AGENT_COPY_MAX || rq.in_offset > INT64_MAX - rq.size
      || rq.out_offset > INT64_MAX - rq.size)
    return EINVAL;
  int in_fd, out_fd, err = file_fd (rq.in_handle, false, NULL, &in_fd);
  struct agent_handle_entry *e;
  if (!err)
    err = file_fd (rq.out_handle, true, &e, &out_fd);
  if (err)
    return err;
  loff_t in_off = (loff_t) rq.in_offset, out_off = (loff_t) rq.out_offset;
  uint64_t done = 0;
  while (done < rq.size) {
    ssize_t n = copy_file_range (in_fd, &in_off, out_fd, &out_off, rq.size - done, 0);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0 && done == 0)
      return errno;
    if (n <= 0)
      break;       /* IN's end, or an error after a part: the part is the answer */
    done += (uint64_t) n;
  }
  memcpy (out, &done, sizeof done);
  *out_len = sizeof (struct agent_copied);
  size_t attr_len;
  return put_attr_of (e->fd, out + offsetof (struct agent_copied, attr), &attr_len);
}

/* An xattr request's fields, its name into NAME (AGENT_XATTR_NAME_MAX +
 * 1 bytes) and its object into *E, the fields the op does not take being
 * 0: 0, EINVAL or EBADF.  The calls go through /proc: the *xattr calls
 * on a descriptor cannot take an O_PATH one, and the path reaches a
 * symbolic link itself, as the l*xattr calls would. */
static int
xattr_request (const unsigned char *body, size_t len, bool named, bool valued,
               struct agent_xattr *rq, char *name, struct agent_handle_entry **e)
{
  memcpy (rq, body, sizeof *rq);
  if (rq->reserved || rq->namelen > AGENT_XATTR_NAME_MAX || rq->valuelen > AGENT_XATTR_MAX ||
      (rq->namelen > 0) != named || (!valued && (rq->valuelen || rq->flags)) ||
      len != sizeof *rq + rq->namelen + rq->valuelen)
    return EINVAL;
  memcpy (name, body + sizeof *rq, rq->namelen);
  name[rq->namelen] = '\0';
  if (strlen (name) != rq->namelen)
    return EINVAL;
  *e = handle_get (rq->handle);
  return *e ? 0 : EBADF;
}

/* A getxattr or listxattr result of N bytes into the reply. */
static int
xattr_reply (ssize_t n, size_t *out_len)
{
  if (n < 0)
    return errno == ERANGE ? E2BIG : errno;
  *out_len = (size_t) n;
  return 0;
}

static int
op_getxattr (const unsigned char *body, size_t len, unsigned char *out, size_t *out_len)
{
  struct agent_xattr rq;
  struct agent_handle_entry *e;
  char name[AGENT_XATTR_NAME_MAX + 1];
  int err = xattr_request (body, len, true, false, &rq, name, &e);
  return err ? err : xattr_reply (getxattr (proc_path_of (e).path, name, out, AGENT_XATTR_MAX),
                                  out_len);
}

static int
op_listxattr (const unsigned char *body, size_t len, unsigned char *out, size_t *out_len)
{
  struct agent_xattr rq;
  struct agent_handle_entry *e;
  char name[AGENT_XATTR_NAME_MAX + 1];
  int err = xattr_request (body, len, false, false, &rq, name, &e);
  return err ? err : xattr_reply (listxattr (proc_path_of (e).path, (char *) out, AGENT_XATTR_MAX),
                                  out_len);
}

static int
op_setxattr (const unsigned char *body, size_t len, unsigned char *out, size_t *out_len)
{
  struct agent_xattr rq;
  struct agent_handle_entry *e;
  char name[AGENT_XATTR_NAME_MAX + 1];
  int err = xattr_request (body, len, true, true, &rq, name, &e);
  if (err)
    return err;
  if (rq.flags != 0 && rq.flags != AGENT_XATTR_CREATE && rq.flags != AGENT_XATTR_REPLACE)
    return EINVAL;
  const void *value = body + sizeof rq + rq.namelen;
  return setxattr (proc_path_of (e).path, name, value, rq.valuelen, (int) rq.flags) == 0 ? 0 : errno;
}

static int
op_removexattr (const unsigned char *body, size_t len, unsigned char *out, size_t *out_len)
{
  struct agent_xattr rq;
  struct agent_handle_entry *e;
  char name[AGENT_XATTR_NAME_MAX + 1];
  int err = xattr_request (body, len, true, false, &rq, name, &e);
  return err ? err : removexattr (proc_path_of (e).path, name) == 0 ? 0 : errno;
}

/* Each op's handler and its body's size: the exact size, or for those
 * whose name or data follows (MORE), the least. */
static const struct {
  op_fn *fn;
  size_t body;
  bool more;
} ops[] = {
  [AGENT_OP_HELLO] = { .fn = op_hello, .body = sizeof (struct agent_hello) },
  [AGENT_OP_NOP] = { .fn = op_nop, .body = 0 },
  [AGENT_OP_LOOKUP] = { .fn = op_lookup, .body = sizeof (struct agent_lookup), .more = true },
  [AGENT_OP_FORGET] = { .fn = op_forget, .body = sizeof (struct agent_forget) },
  [AGENT_OP_GETATTR] = { .fn = op_getattr, .body = sizeof (struct agent_handle) },
  [AGENT_OP_READDIR] = { .fn = op_readdir, .body = sizeof (struct agent_readdir) },
  [AGENT_OP_READ] = { .fn = op_read, .body = sizeof (struct agent_read) },
  [AGENT_OP_READLINK] = { .fn = op_readlink, .body = sizeof (struct agent_handle) },
  [AGENT_OP_STATFS] = { .fn = op_statfs, .body = sizeof (struct agent_handle) },
  [AGENT_OP_BYE] = { .fn = op_bye, .body = 0 },
  [AGENT_OP_DEVICES] = { .fn = op_devices, .body = 0 },
  [AGENT_OP_FSYNC] = { .fn = op_fsync, .body = sizeof (struct agent_fsync) },
  [AGENT_OP_WRITE] = { .fn = op_write, .body = sizeof (struct agent_write), .more = true },
  [AGENT_OP_CREATE] = { .fn = op_create, .body = sizeof (struct agent_create), .more = true },
  [AGENT_OP_SETATTR] = { .fn = op_setattr, .body = sizeof (struct agent_setattr) },
  [AGENT_OP_REMOVE] = { .fn = op_remove, .body = sizeof (struct agent_remove), .more = true },
  [AGENT_OP_RENAME] = { .fn = op_rename, .body = sizeof (struct agent_rename), .more = true },
  [AGENT_OP_LINK] = { .fn = op_link, .body = sizeof (struct agent_link), .more = true },
  [AGENT_OP_GETXATTR] = { .fn = op_getxattr, .body = sizeof (struct agent_xattr), .more = true },
  [AGENT_OP_LISTXATTR] = { .fn = op_listxattr, .body = sizeof (struct agent_xattr), .more = true },
  [AGENT_OP_SETXATTR] = { .fn = op_setxattr, .body = sizeof (struct agent_xattr), .more = true },
  [AGENT_OP_REMOVEXATTR] = { .fn = op_removexattr, .body = sizeof (struct agent_xattr),
                             .more = true },
  [AGENT_OP_FALLOCATE] = { .fn = op_fallocate, .body = sizeof (struct agent_fallocate) },
  [AGENT_OP_LSEEK] = { .fn = op_lseek, .body = sizeof (struct agent_lseek) },
  [AGENT_OP_COPY_RANGE] = { .fn = op_copy_range, .body = sizeof (struct agent_copy_range) },
  [AGENT_OP_SYNC] = { .fn = op_sync, .body = 0 },
};

static int
dispatch (const struct agent_header *rq, const unsigned char *body, size_t len,
          unsigned char *out, size_t *out_len)
{
  if (rq->op >= ARRAY_SIZE (ops) || !ops[rq->op].fn)
    return ENOSYS;
  if (rq->flags || rq->error || rq->reserved)
    return EINVAL;
  size_t want = ops[rq->op].body;
  if (ops[rq->op].more ? len < want : len != want)
    return EINVAL;
  return ops[rq->op].fn (body, len, out, out_len);
}

void
agent_ops_reply (struct agent_io *io, const unsigned char *msg, size_t len)
{
  struct agent_header hdr;
  memcpy (&hdr, msg, sizeof hdr);
  unsigned char *out = agent_io_reply_space (io);
  size_t body_len = 0;
  int err = dispatch (&hdr, msg + sizeof hdr, len - sizeof hdr, out + sizeof hdr, &body_len);
  if (err)
    body_len = 0;
  hdr.len = (uint32_t) (sizeof hdr + body_len);
  hdr.error = (uint32_t) err;
  hdr.flags = 0;
  hdr.reserved = 0;
  memcpy (out, &hdr, sizeof hdr);
  agent_io_commit (io, hdr.len);
}
