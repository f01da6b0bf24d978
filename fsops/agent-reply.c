/* agent-reply.c: the rules a reply from imgmount-agent must pass, and its
 * decoding into host structures (see the header).  Rules of the appliance
 * in general (names, modes, nanoseconds, errnos) are common/reply-check.h's
 * and fsops/errno-map.h's; this adds only what the agent's protocol says. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include "common/reply-check.h"
#include "common/xalloc.h"
#include "fsops/agent-reply.h"
#include "fsops/errno-map.h"

#define HEADER_SIZE sizeof (struct agent_header)

_Static_assert (AGENT_NAME_MAX == REPLY_NAME_MAX, "one limit on names");

bool
agent_frame_ok (const struct agent_header *h)
{
  return h->len >= HEADER_SIZE && h->len <= AGENT_MSG_MAX;
}

size_t
agent_reply_body_max (const struct agent_req *req)
{
  switch (req->op) {
  case AGENT_OP_HELLO:
    return sizeof (struct agent_hello) + sizeof (struct agent_attr);
  case AGENT_OP_LOOKUP:
    return sizeof (struct agent_entry);
  case AGENT_OP_CREATE:
  case AGENT_OP_LINK:
    return sizeof (struct agent_created);
  case AGENT_OP_GETATTR:
  case AGENT_OP_WRITE:
  case AGENT_OP_SETATTR:
  case AGENT_OP_REMOVE:
  case AGENT_OP_FALLOCATE:
    return sizeof (struct agent_attr);
  case AGENT_OP_RENAME:
    return sizeof (struct agent_renamed);
  case AGENT_OP_READDIR:
    return req->max_bytes;
  case AGENT_OP_READ:
    return req->size;
  case AGENT_OP_READLINK:
    return AGENT_LINK_MAX;
  case AGENT_OP_STATFS:
    return sizeof (struct agent_statfs);
  case AGENT_OP_DEVICES:
    return AGENT_IO_MAX;
  case AGENT_OP_GETXATTR:
  case AGENT_OP_LISTXATTR:
    return AGENT_XATTR_MAX;
  case AGENT_OP_LSEEK:
    return sizeof (struct agent_offset);
  case AGENT_OP_COPY_RANGE:
    return sizeof (struct agent_copied);
  default:                      /* NOP, FORGET, BYE, FSYNC */
    return 0;
  }
}

int
agent_reply_check (const struct agent_req *req, const struct agent_header *h, int *err)
{
  if (!agent_frame_ok (h) || h->op != req->op || h->flags != 0 || h->reserved != 0)
    return EIO;
  size_t body = h->len - HEADER_SIZE;
  if (h->error != 0) {
    if (body != 0)
      return EIO;
    /* errno_map turns what no errno is (0 from a negative cast too) into
     * EIO. */
    *err = errno_map (h->error <= INT_MAX ? (int) h->error : 0);
    return 0;
  }
  if (body > agent_reply_body_max (req))
    return EIO;
  *err = 0;
  return 0;
}

/* ---- attributes ---- */

static bool
owner_ok (uint32_t id)
{
  return id != UINT32_MAX;      /* (uid_t) -1 means "no change" to chown */
}

int
agent_attr_decode (const struct agent_attr *a, struct stat *st)
{
  if (!reply_mode_ok (a->mode) || !owner_ok (a->uid) || !owner_ok (a->gid) ||
      a->reserved != 0)
    return EIO;
  /* off_t and blkcnt_t are signed: a larger value would read negative. */
  if (a->size > INT64_MAX || a->blocks > INT64_MAX || a->blksize > INT32_MAX)
    return EIO;
  if (!reply_nsec_ok (a->atime_nsec) || !reply_nsec_ok (a->mtime_nsec) ||
      !reply_nsec_ok (a->ctime_nsec))
    return EIO;
  memset (st, 0, sizeof *st);
  st->st_dev = (dev_t) a->dev;
  st->st_ino = (ino_t) a->ino;
  st->st_mode = (mode_t) a->mode;
  st->st_nlink = (nlink_t) a->nlink;
  st->st_uid = (uid_t) a->uid;
  st->st_gid = (gid_t) a->gid;
  st->st_rdev = (dev_t) a->rdev;
  st->st_size = (off_t) a->size;
  st->st_blksize = (blksize_t) a->blksize;
  st->st_blocks = (blkcnt_t) a->blocks;
  st->st_atim.tv_sec = a->atime;
  st->st_atim.tv_nsec = a->atime_nsec;
  st->st_mtim.tv_sec = a->mtime;
  st->st_mtim.tv_nsec = a->mtime_nsec;
  st->st_ctim.tv_sec = a->ctime;
  st->st_ctim.tv_nsec = a->ctime_nsec;
  return 0;
}

static bool
is_root (uint64_t root_dev, uint64_t root_ino, const struct stat *st)
{
  return (uint64_t) st->st_dev == root_dev && (uint64_t) st->st_ino == root_ino;
}

bool
agent_identity_ok (uint64_t root_dev, uint64_t root_ino, uint64_t handle,
                   const struct stat *st)
{
  if (handle == 0)
    return false;
  return is_root (root_dev, root_ino, st) == (handle == AGENT_ROOT_HANDLE);
}

/* ---- fixed-size replies ---- */

int
agent_hello_decode (const void *body, size_t len, uint32_t *credits, struct stat *root)
{
  struct agent_hello h;
  struct agent_attr a;
  if (len != sizeof h + sizeof a)
    return EIO;
  memcpy (&h, body, sizeof h);
  memcpy (&a, (const char *) body + sizeof h, sizeof a);
  if (h.magic != AGENT_MAGIC || h.version != AGENT_VERSION || h.reserved != 0 ||
      h.credits < 1 || h.credits > AGENT_CREDITS_MAX)
    return EIO;
  if (agent_attr_decode (&a, root) != 0 || !S_ISDIR (root->st_mode))
    return EIO;
  *credits = h.credits;
  return 0;
}

int
agent_entry_decode (const struct agent_req *req, const void *body, size_t len,
                    uint64_t *handle, struct stat *st)
{
  struct agent_entry e;
  if (len != sizeof e)
    return EIO;
  memcpy (&e, body, sizeof e);
  if (e.handle == 0 || e.handle == req->handle || agent_attr_decode (&e.attr, st) != 0)
    return EIO;
  *handle = e.handle;
  return 0;
}

/* CREATE's and LINK's reply: an agent_created whose entry passes as
 * LOOKUP's and whose parent is a directory. */
static int
created_decode (const struct agent_req *req, const void *body, size_t len, uint64_t *handle,
                struct stat *st, struct stat *parent_st)
{
  struct agent_created c;
  if (len != sizeof c)
    return EIO;
  memcpy (&c, body, sizeof c);
  if (agent_entry_decode (req, &c.entry, sizeof c.entry, handle, st) != 0 ||
      agent_attr_decode (&c.parent, parent_st) != 0 || !S_ISDIR (parent_st->st_mode))
    return EIO;
  return 0;
}

int
agent_created_decode (const struct agent_req *req, const void *body, size_t len,
                      uint64_t *handle, struct stat *st, struct stat *parent_st)
{
  if (created_decode (req, body, len, handle, st, parent_st) != 0 ||
      (st->st_mode & S_IFMT) != (req->mode & S_IFMT))
    return EIO;
  return 0;
}

int
agent_linked_decode (const struct agent_req *req, const void *body, size_t len,
                     struct stat *st, struct stat *parent_st)
{
  uint64_t handle;
  if (created_decode (req, body, len, &handle, st, parent_st) != 0 ||
      handle != req->object || S_ISDIR (st->st_mode))
    return EIO;
  return 0;
}

int
agent_getattr_decode (const void *body, size_t len, struct stat *st)
{
  struct agent_attr a;
  if (len != sizeof a)
    return EIO;
  memcpy (&a, body, sizeof a);
  return agent_attr_decode (&a, st);
}

int
agent_write_decode (const struct agent_req *req, const void *body, size_t len, struct stat *st)
{
  if (agent_getattr_decode (body, len, st) != 0 || !S_ISREG (st->st_mode))
    return EIO;
  return (uint64_t) st->st_size >= req->offset + req->size ? 0 : EIO;
}

int
agent_setattr_decode (const struct agent_req *req, const void *body, size_t len,
                      struct stat *st)
{
  if (agent_getattr_decode (body, len, st) != 0)
    return EIO;
  if (req->flags & AGENT_SET_SIZE)
    return S_ISREG (st->st_mode) && (uint64_t) st->st_size == req->offset ? 0 : EIO;
  return 0;
}

int
agent_dir_attr_decode (const void *body, size_t len, struct stat *st)
{
  return agent_getattr_decode (body, len, st) == 0 && S_ISDIR (st->st_mode) ? 0 : EIO;
}

int
agent_renamed_decode (const void *body, size_t len, struct stat *parent, struct stat *newparent)
{
  struct agent_renamed r;
  if (len != sizeof r)
    return EIO;
  memcpy (&r, body, sizeof r);
  if (agent_attr_decode (&r.parent, parent) != 0 || agent_attr_decode (&r.newparent, newparent) != 0
      || !S_ISDIR (parent->st_mode) || !S_ISDIR (newparent->st_mode))
    return EIO;
  return 0;
}

int
agent_xattr_list_check (const void *body, size_t len)
{
  if (len == 0)
    return 0;   /* no names, and BODY may be NULL: NULL + 0 is undefined */
  const char *p = body, *end = p + len;
  if (end[-1] != '\0')
    return EIO;
  while (p < end) {
    size_t n = strlen (p);   /* within the body: its last byte is a NUL */
    if (n == 0 || n > AGENT_XATTR_NAME_MAX)
      return EIO;
    p += n + 1;
  }
  return 0;
}

int
agent_offset_decode (const struct agent_req *req, const void *body, size_t len, uint64_t *at)
{
  struct agent_offset o;
  if (len != sizeof o)
    return EIO;
  memcpy (&o, body, sizeof o);
  if (o.offset < req->offset || o.offset > INT64_MAX)
    return EIO;
  *at = o.offset;
  return 0;
}

int
agent_copied_decode (const struct agent_req *req, const void *body, size_t len,
                     uint64_t *copied, struct stat *st)
{
  struct agent_copied c;
  if (len != sizeof c)
    return EIO;
  memcpy (&c, body, sizeof c);
  if (c.copied > req->size || agent_attr_decode (&c.attr, st) != 0 || !S_ISREG (st->st_mode))
    return EIO;
  if (c.copied && (uint64_t) st->st_size < req->offset + c.copied)
    return EIO;
  *copied = c.copied;
  return 0;
}

int
agent_readlink_decode (const void *body, size_t len, char *target)
{
  if (len < 1 || len > AGENT_LINK_MAX || memchr (body, '\0', len))
    return EIO;
  memcpy (target, body, len);
  target[len] = '\0';
  return 0;
}

int
agent_statfs_decode (const void *body, size_t len, struct statvfs *sv)
{
  struct agent_statfs s;
  if (len != sizeof s)
    return EIO;
  memcpy (&s, body, sizeof s);
  if (s.bsize == 0 || s.frsize == 0 || s.namemax == 0 || s.reserved != 0 ||
      s.bfree > s.blocks || s.bavail > s.blocks || s.ffree > s.files)
    return EIO;
  *sv = (struct statvfs) {
    .f_bsize = s.bsize, .f_frsize = s.frsize,
    .f_blocks = s.blocks, .f_bfree = s.bfree, .f_bavail = s.bavail,
    .f_files = s.files, .f_ffree = s.ffree, .f_favail = s.ffree,
    .f_namemax = s.namemax > AGENT_NAME_MAX ? AGENT_NAME_MAX : s.namemax,
  };
  return 0;
}

int
agent_read_check (const struct agent_req *req, size_t len)
{
  return len <= req->size ? 0 : EIO;
}

/* ---- directories ---- */

static size_t
padded (size_t n)
{
  return (n + 7) & ~(size_t) 7;
}

static bool
all_zero (const char *p, size_t n)
{
  for (size_t k = 0; k < n; k++)
    if (p[k])
      return false;
  return true;
}

/* Decodes the entry at BODY + *OFF (within LEN) into E, its name copied
 * to *NAMES; advances both. */
static int
dirent_decode (const struct agent_req *req, const char *body, size_t len, size_t *off,
               uint64_t root_dev, uint64_t root_ino,
               struct agent_dirent_host *e, char **names)
{
  struct agent_dirent d;
  if (len - *off < sizeof d)
    return EIO;
  memcpy (&d, body + *off, sizeof d);
  *off += sizeof d;
  if (d.cookie == 0 || d.reserved != 0 || d.namelen < 1 || d.namelen > AGENT_NAME_MAX ||
      len - *off < padded (d.namelen))
    return EIO;
  const char *name = body + *off;
  if (memchr (name, '\0', d.namelen) || !all_zero (name + d.namelen, padded (d.namelen) - d.namelen))
    return EIO;
  *off += padded (d.namelen);
  memcpy (*names, name, d.namelen);
  (*names)[d.namelen] = '\0';
  if (!reply_name_ok (*names))
    return EIO;
  e->name = *names;
  *names += d.namelen + 1;
  e->cookie = d.cookie;
  e->handle = d.handle;
  if (req->flags & AGENT_READDIR_PLUS)
    return d.handle != req->handle && agent_attr_decode (&d.attr, &e->st) == 0 &&
           agent_identity_ok (root_dev, root_ino, d.handle, &e->st) ? 0 : EIO;
  /* With ATTRS no handle vouches for an identity: the one the host can
   * tell is the root's, which no entry of the root may have. */
  if (req->flags & AGENT_READDIR_ATTRS)
    return d.handle == 0 && agent_attr_decode (&d.attr, &e->st) == 0 &&
           !(req->handle == AGENT_ROOT_HANDLE && is_root (root_dev, root_ino, &e->st)) ? 0 : EIO;
  /* Without either only the inode number and the type are the protocol's;
   * the rest is ignored rather than trusted. */
  if (d.handle != 0 || !reply_mode_ok (d.attr.mode & S_IFMT))
    return EIO;
  memset (&e->st, 0, sizeof e->st);
  e->st.st_ino = (ino_t) d.attr.ino;
  e->st.st_mode = d.attr.mode & S_IFMT;
  return 0;
}

int
agent_readdir_decode (const struct agent_req *req, const void *body, size_t len,
                      uint64_t root_dev, uint64_t root_ino, struct agent_dirlist *list)
{
  struct agent_dirents head;
  memset (list, 0, sizeof *list);
  if (len < sizeof head || len > req->max_bytes)
    return EIO;
  memcpy (&head, body, sizeof head);
  /* Each entry takes at least its struct and 8 bytes of name: a count
   * beyond that is a lie, caught before anything is allocated for it. */
  size_t most = (len - sizeof head) / (sizeof (struct agent_dirent) + 8);
  if (head.eof > 1 || head.count > most || (head.count == 0 && !head.eof))
    return EIO;
  list->count = head.count;
  list->eof = head.eof;
  list->entries = xcalloc (head.count ? head.count : 1, sizeof *list->entries);
  /* Names and terminators take no more room than the body. */
  list->names = xmalloc (len);
  char *names = list->names;
  size_t off = sizeof head;
  for (size_t k = 0; k < head.count; k++)
    if (dirent_decode (req, body, len, &off, root_dev, root_ino, &list->entries[k], &names)) {
      agent_dirlist_free (list);
      return EIO;
    }
  if (off != len) {             /* bytes beyond the last entry */
    agent_dirlist_free (list);
    return EIO;
  }
  return 0;
}

void
agent_dirlist_free (struct agent_dirlist *list)
{
  free (list->entries);
  free (list->names);
  memset (list, 0, sizeof *list);
}
