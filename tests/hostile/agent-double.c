/* agent-double.c: a hostile imgmount-agent on a socketpair (see the
 * header).  It builds each honest reply, then bends it as the script
 * says: the honest reply is the baseline every bent one differs from in
 * one respect, so a test that fails names one rule. */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include "common/xalloc.h"
#include "tests/hostile/agent-double.h"

#define HDR sizeof (struct agent_header)
#define MAX_PENDING 512
#define MAX_SCRIPT 64

struct request {
  struct agent_header h;
  char *body;
  enum ad_kind kind;
};

struct agent_double {
  int fd, stop_fd;
  enum ad_kind hello_kind;
  uint32_t credits;
  unsigned batch_ms;
  pthread_t thread;

  pthread_mutex_t lock;         /* all below */
  enum ad_kind script[MAX_SCRIPT];
  size_t script_len;
  ad_chooser choose;            /* past the script, or NULL */
  void *choose_arg;
  uint32_t fail_errno;
  unsigned requests, max_outstanding;
  struct agent_header last;
  char last_body[512];

  struct request pending[MAX_PENDING];   /* the thread's own */
  size_t n_pending;
};

/* ---- the stream ---- */

/* Waits until FD has EVENTS, at most MS (-1: for ever): 1, 0 on timeout,
 * -1 once stopped or the peer has gone. */
static int
wait_fd (struct agent_double *d, short events, int ms)
{
  struct pollfd p[2] = { { .fd = d->fd, .events = events }, { .fd = d->stop_fd, .events = POLLIN } };
  int r;
  while ((r = poll (p, 2, ms)) < 0)
    if (errno != EINTR)
      return -1;
  if (p[1].revents)
    return -1;
  if (r == 0)
    return 0;
  return p[0].revents & events ? 1 : -1;
}

static int
send_all (struct agent_double *d, const void *buf, size_t len)
{
  const char *p = buf;
  while (len > 0) {
    if (wait_fd (d, POLLOUT, -1) != 1)
      return -1;
    ssize_t w = send (d->fd, p, len, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (w < 0 && errno != EAGAIN && errno != EINTR)
      return -1;
    if (w > 0) {
      p += w;
      len -= (size_t) w;
    }
  }
  return 0;
}

static int
recv_all (struct agent_double *d, void *buf, size_t len)
{
  char *p = buf;
  while (len > 0) {
    if (wait_fd (d, POLLIN, -1) != 1)
      return -1;
    ssize_t r = recv (d->fd, p, len, MSG_DONTWAIT);
    if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR))
      return -1;
    if (r > 0) {
      p += r;
      len -= (size_t) r;
    }
  }
  return 0;
}

/* ---- the tree ---- */

static struct agent_attr
attr_of (uint64_t handle)
{
  struct agent_attr a = { .dev = AD_DEV, .nlink = 1, .blksize = 4096,
                          .mtime = 1700000000, .mtime_nsec = 5 };
  switch (handle) {
  case AGENT_ROOT_HANDLE:
    a.ino = AD_ROOT_INO; a.mode = S_IFDIR | 0755; a.nlink = 3; a.size = 4096;
    break;
  case AD_FILE_HANDLE:
    a.ino = AD_FILE_INO; a.mode = S_IFREG | 0644; a.size = AD_FILE_SIZE; a.blocks = 24;
    break;
  case AD_LINK_HANDLE:
    a.ino = 13; a.mode = S_IFLNK | 0777; a.size = strlen (AD_LINK_TARGET);
    break;
  default:
    a.ino = 14; a.mode = S_IFDIR | 0700; a.nlink = 2; a.size = 4096;
    break;
  }
  return a;
}

static const struct { const char *name; uint64_t handle; } tree[] = {
  { "f", AD_FILE_HANDLE }, { "l", AD_LINK_HANDLE }, { "d", AD_DIR_HANDLE },
};

static uint64_t
handle_of (const char *name, size_t len)
{
  for (size_t k = 0; k < sizeof tree / sizeof tree[0]; k++)
    if (strlen (tree[k].name) == len && memcmp (tree[k].name, name, len) == 0)
      return tree[k].handle;
  return 0;
}

static bool
bad_handle (uint64_t h)
{
  return h < AGENT_ROOT_HANDLE || h > AD_DIR_HANDLE;
}

/* ---- honest replies ---- */

/* A reply under construction: header, then the body at MSG + HDR. */
struct reply {
  char *msg;
  size_t body;                  /* its length */
};

static void *
body_at (struct reply *r, size_t off)
{
  return r->msg + HDR + off;
}

static void
put (struct reply *r, const void *p, size_t len)
{
  memcpy (body_at (r, r->body), p, len);
  r->body += len;
}

static void
hello_reply (struct agent_double *d, struct reply *r, enum ad_kind kind)
{
  struct agent_hello h = { .magic = AGENT_MAGIC, .version = AGENT_VERSION, .credits = d->credits };
  struct agent_attr root = attr_of (AGENT_ROOT_HANDLE);
  if (kind == AD_BAD_MAGIC)
    h.magic = __builtin_bswap32 (AGENT_MAGIC);
  if (kind == AD_BAD_VERSION)
    h.version = AGENT_VERSION + 1;
  if (kind == AD_CREDITS_ZERO)
    h.credits = 0;
  if (kind == AD_CREDITS_OVER)
    h.credits = AGENT_CREDITS_MAX + 1;
  if (kind == AD_ROOT_NOT_DIR)
    root.mode = S_IFREG | 0644;
  put (r, &h, sizeof h);
  put (r, &root, sizeof root);
}

/* The first entry's name, as the kind bends it. */
static void
first_name (enum ad_kind kind, const char **name, uint32_t *len)
{
  static char long_name[AGENT_NAME_MAX + 1];
  memset (long_name, 'x', sizeof long_name);
  switch (kind) {
  case AD_NAME_SLASH: *name = "a/b"; *len = 3; break;
  case AD_NAME_DOT: *name = "."; *len = 1; break;
  case AD_NAME_DOTDOT: *name = ".."; *len = 2; break;
  case AD_NAME_NUL: *name = "a\0b"; *len = 3; break;
  case AD_NAME_LONG: *name = long_name; *len = sizeof long_name; break;
  case AD_NAME_EMPTY: *name = ""; *len = 0; break;
  default: break;
  }
}

static void
readdir_reply (struct reply *r, const struct agent_readdir *q, enum ad_kind kind)
{
  struct agent_dirents head = { 0 };
  bool plus = q->flags & AGENT_READDIR_PLUS, attrs = q->flags & AGENT_READDIR_ATTRS;
  size_t limit = kind == AD_OVERSIZE ? SIZE_MAX : q->max_bytes;
  r->body = sizeof head;
  size_t n = q->handle == AGENT_ROOT_HANDLE ? sizeof tree / sizeof tree[0] : 0;
  head.eof = 1;
  for (size_t k = q->cookie; k < n && kind != AD_NO_PROGRESS; k++) {
    const char *name = tree[k].name;
    uint32_t len = (uint32_t) strlen (name);
    if (head.count == 0)
      first_name (kind, &name, &len);
    size_t size = sizeof (struct agent_dirent) + ((len + 7) & ~7u);
    if (r->body + size > limit) {
      head.eof = 0;
      break;
    }
    struct agent_dirent e = { .cookie = k + 1, .namelen = len };
    e.attr = attr_of (tree[k].handle);
    if (plus)
      e.handle = tree[k].handle;
    else if (!attrs)
      e.attr = (struct agent_attr) { .ino = e.attr.ino, .mode = e.attr.mode & S_IFMT };
    put (r, &e, sizeof e);
    put (r, name, len);
    memset (body_at (r, r->body), 0, ((len + 7) & ~7u) - len);
    r->body += ((len + 7) & ~7u) - len;
    head.count++;
  }
  if (kind == AD_NO_PROGRESS)
    head.eof = 0;
  memcpy (body_at (r, 0), &head, sizeof head);
}

static void
honest_reply (struct agent_double *d, const struct request *q, struct reply *r)
{
  struct agent_header *h = (struct agent_header *) r->msg;
  uint64_t handle = 0;
  if (q->h.len >= HDR + sizeof handle)
    memcpy (&handle, q->body, sizeof handle);
  switch (q->h.op) {
  case AGENT_OP_HELLO:
    hello_reply (d, r, d->hello_kind);
    return;
  case AGENT_OP_LOOKUP: {
    struct agent_lookup l;
    memcpy (&l, q->body, sizeof l);
    struct agent_entry e = { .handle = handle_of (q->body + sizeof l, l.namelen) };
    if (l.parent != AGENT_ROOT_HANDLE || !e.handle) {
      h->error = ENOENT;
      return;
    }
    e.attr = attr_of (e.handle);
    put (r, &e, sizeof e);
    return;
  }
  case AGENT_OP_GETATTR: {
    struct agent_attr a = attr_of (handle);
    if (bad_handle (handle))
      h->error = ESTALE;
    else
      put (r, &a, sizeof a);
    return;
  }
  case AGENT_OP_READDIR: {
    struct agent_readdir rd;
    memcpy (&rd, q->body, sizeof rd);
    if (rd.handle != AGENT_ROOT_HANDLE && rd.handle != AD_DIR_HANDLE)
      h->error = ENOTDIR;
    else
      readdir_reply (r, &rd, q->kind);
    return;
  }
  case AGENT_OP_READ: {
    struct agent_read rq;
    memcpy (&rq, q->body, sizeof rq);
    if (rq.handle != AD_FILE_HANDLE) {
      h->error = EISDIR;
      return;
    }
    for (uint64_t k = rq.offset; k < AD_FILE_SIZE && r->body < rq.size; k++)
      ((unsigned char *) body_at (r, 0))[r->body++] = (unsigned char) (k * 7);
    return;
  }
  case AGENT_OP_WRITE: {
    /* The data goes nowhere; the file grows as far as it reached. */
    struct agent_write w;
    memcpy (&w, q->body, sizeof w);
    struct agent_attr a = attr_of (AD_FILE_HANDLE);
    if (w.handle != AD_FILE_HANDLE) {
      h->error = EISDIR;
      return;
    }
    if (w.offset + w.size > a.size)
      a.size = w.offset + w.size;
    put (r, &a, sizeof a);
    return;
  }
  case AGENT_OP_SETATTR: {
    /* Nothing changes but the file's size, when asked. */
    struct agent_setattr set;
    memcpy (&set, q->body, sizeof set);
    struct agent_attr a = attr_of (set.handle);
    if (set.valid & AGENT_SET_SIZE) {
      if (set.handle != AD_FILE_HANDLE) {
        h->error = EISDIR;
        return;
      }
      a.size = set.size;
    }
    put (r, &a, sizeof a);
    return;
  }
  case AGENT_OP_REMOVE:
  case AGENT_OP_RENAME: {
    /* The directories, unchanged (both fields' handles lead the body). */
    uint64_t dirs[2] = { handle, handle };
    if (q->h.op == AGENT_OP_RENAME)
      memcpy (dirs, q->body, sizeof dirs);
    for (int k = 0; k < (q->h.op == AGENT_OP_RENAME ? 2 : 1); k++) {
      struct agent_attr a = attr_of (dirs[k]);
      if (!S_ISDIR (a.mode) || bad_handle (dirs[k])) {
        h->error = ENOTDIR;
        r->body = 0;
        return;
      }
      put (r, &a, sizeof a);
    }
    return;
  }
  case AGENT_OP_CREATE: {
    /* A new object of the type asked, in a directory that is one. */
    struct agent_create c;
    memcpy (&c, q->body, sizeof c);
    struct agent_created made = { .entry = { .handle = AD_NEW_HANDLE, .attr = attr_of (0) },
                                  .parent = attr_of (c.parent) };
    if (bad_handle (c.parent) || !S_ISDIR (made.parent.mode)) {
      h->error = ENOTDIR;
      return;
    }
    made.entry.attr.ino = AD_NEW_INO;
    made.entry.attr.mode = c.mode;
    made.entry.attr.nlink = S_ISDIR (c.mode) ? 2 : 1;
    made.entry.attr.size = S_ISDIR (c.mode) ? 4096 : S_ISLNK (c.mode) ? c.targetlen : 0;
    made.entry.attr.uid = c.uid;
    made.entry.attr.gid = c.gid;
    put (r, &made, sizeof made);
    return;
  }
  case AGENT_OP_LINK: {
    /* The object under its own handle, and its directory. */
    struct agent_link l;
    memcpy (&l, q->body, sizeof l);
    struct agent_created c = { .entry = { .handle = l.handle, .attr = attr_of (l.handle) },
                               .parent = attr_of (l.newparent) };
    if (bad_handle (l.handle) || S_ISDIR (c.entry.attr.mode) || !S_ISDIR (c.parent.mode)) {
      h->error = EPERM;
      return;
    }
    c.entry.attr.nlink++;
    put (r, &c, sizeof c);
    return;
  }
  case AGENT_OP_FALLOCATE: {
    struct agent_attr a = attr_of (handle);
    if (!S_ISREG (a.mode))
      h->error = S_ISDIR (a.mode) ? EISDIR : EINVAL;
    else
      put (r, &a, sizeof a);
    return;
  }
  case AGENT_OP_LSEEK: {
    /* Data everywhere, as a file without holes has. */
    struct agent_lseek l;
    memcpy (&l, q->body, sizeof l);
    struct agent_offset o = { .offset = l.whence == SEEK_DATA ? l.offset : AD_FILE_SIZE };
    if (handle != AD_FILE_HANDLE)
      h->error = EISDIR;
    else if (l.offset >= AD_FILE_SIZE)
      h->error = ENXIO;
    else
      put (r, &o, sizeof o);
    return;
  }
  case AGENT_OP_COPY_RANGE: {
    /* From the file to itself: what IN has from its offset on is copied,
     * and OUT grows as far as that reached. */
    struct agent_copy_range c;
    memcpy (&c, q->body, sizeof c);
    if (c.in_handle != AD_FILE_HANDLE || c.out_handle != AD_FILE_HANDLE) {
      h->error = EISDIR;
      return;
    }
    struct agent_copied done = { .attr = attr_of (AD_FILE_HANDLE) };
    if (c.in_offset < AD_FILE_SIZE)
      done.copied = c.size < AD_FILE_SIZE - c.in_offset ? c.size : AD_FILE_SIZE - c.in_offset;
    if (done.copied && c.out_offset + done.copied > done.attr.size)
      done.attr.size = c.out_offset + done.copied;
    put (r, &done, sizeof done);
    return;
  }
  case AGENT_OP_GETXATTR:
    put (r, AD_XATTR_VALUE, sizeof AD_XATTR_VALUE - 1);
    return;
  case AGENT_OP_LISTXATTR:
    put (r, AD_XATTR_LIST, sizeof AD_XATTR_LIST - 1);
    return;
  case AGENT_OP_READLINK:
    if (handle != AD_LINK_HANDLE)
      h->error = EINVAL;
    else
      put (r, AD_LINK_TARGET, strlen (AD_LINK_TARGET));
    return;
  case AGENT_OP_STATFS: {
    struct agent_statfs s = { .blocks = 1000, .bfree = 500, .bavail = 400, .files = 100,
                              .ffree = 50, .bsize = 4096, .frsize = 4096, .namemax = 255 };
    put (r, &s, sizeof s);
    return;
  }
  case AGENT_OP_DEVICES:
    put (r, AD_DEVICES_TEXT, strlen (AD_DEVICES_TEXT));
    return;
  default:                      /* NOP, FORGET, FSYNC */
    return;
  }
}

/* ---- bending ---- */

/* Where the reply's (first) attributes are, or -1. */
static long
attr_offset (const struct request *q, bool *plus)
{
  switch (q->h.op) {
  case AGENT_OP_HELLO: return sizeof (struct agent_hello);
  case AGENT_OP_LOOKUP: return offsetof (struct agent_entry, attr);
  case AGENT_OP_LINK: return offsetof (struct agent_created, entry.attr);
  case AGENT_OP_CREATE: return offsetof (struct agent_created, entry.attr);
  case AGENT_OP_GETATTR: return 0;
  case AGENT_OP_WRITE: return 0;
  case AGENT_OP_SETATTR: return 0;
  case AGENT_OP_FALLOCATE: return 0;
  case AGENT_OP_COPY_RANGE: return offsetof (struct agent_copied, attr);
  case AGENT_OP_REMOVE: return 0;
  case AGENT_OP_RENAME: return 0;
  case AGENT_OP_READDIR:
    *plus = true;
    return sizeof (struct agent_dirents) + offsetof (struct agent_dirent, attr);
  default: return -1;
  }
}

/* READDIR's flags, 0 for any other op. */
static uint32_t
readdir_flags (const struct request *q)
{
  struct agent_readdir rd;
  if (q->h.op != AGENT_OP_READDIR || q->h.len < HDR + sizeof rd)
    return 0;
  memcpy (&rd, q->body, sizeof rd);
  return rd.flags;
}

/* Where the reply's (first) handle is, or -1. */
static long
handle_offset (const struct request *q)
{
  if (q->h.op == AGENT_OP_LOOKUP || q->h.op == AGENT_OP_LINK || q->h.op == AGENT_OP_CREATE)
    return 0;
  if (q->h.op == AGENT_OP_READDIR)
    return sizeof (struct agent_dirents) + offsetof (struct agent_dirent, handle);
  return -1;
}

static void
bend_attr (struct reply *r, const struct request *q, enum ad_kind kind)
{
  bool dirent = false;
  long off = attr_offset (q, &dirent);
  if (off < 0 || r->body < (size_t) off + sizeof (struct agent_attr))
    return;
  struct agent_attr a;
  memcpy (&a, body_at (r, (size_t) off), sizeof a);
  if (kind == AD_BAD_MODE)
    a.mode = 0170000 | 0644;
  if (kind == AD_BAD_NSEC)
    a.mtime_nsec = 1000000000;
  if (kind == AD_ROOT_ELSEWHERE || kind == AD_SELF) {
    a.dev = AD_DEV;
    a.ino = AD_ROOT_INO;
  }
  if (kind == AD_WRITE_SHORT)
    a.size = 0;
  if (kind == AD_NOT_FILE)
    a.mode = S_IFDIR | 0755;
  if (kind == AD_NOT_DIR)
    a.mode = S_IFREG | 0644;
  if (kind == AD_ROOT_IMPOSTOR && q->h.op == AGENT_OP_GETATTR)
    a.ino = AD_FILE_INO;
  memcpy (body_at (r, (size_t) off), &a, sizeof a);
}

static void
bend_dirents (struct reply *r, enum ad_kind kind)
{
  struct agent_dirents head;
  struct agent_dirent e;
  size_t off = sizeof head;
  memcpy (&head, body_at (r, 0), sizeof head);
  if (kind == AD_COUNT_MORE)
    head.count++;
  if (kind == AD_COUNT_LESS && head.count)
    head.count--;
  if (kind == AD_EOF_2)
    head.eof = 2;
  memcpy (body_at (r, 0), &head, sizeof head);
  if (r->body < off + sizeof e)
    return;
  memcpy (&e, body_at (r, off), sizeof e);
  if (kind == AD_COOKIE_ZERO)
    e.cookie = 0;
  memcpy (body_at (r, off), &e, sizeof e);
  if (kind == AD_BAD_PAD && e.namelen % 8)
    ((char *) body_at (r, off + sizeof e))[e.namelen] = 'p';
}

/* Bends R, an honest reply to Q, as Q's kind says: the body and header. */
static void
bend (struct reply *r, const struct request *q, uint32_t fail_errno)
{
  struct agent_header *h = (struct agent_header *) r->msg;
  long hoff = handle_offset (q);
  switch (q->kind) {
  case AD_FAIL: h->error = fail_errno; r->body = 0; break;
  case AD_UNKNOWN_ID: h->id += 1000; break;
  case AD_WRONG_OP: h->op = q->h.op == AGENT_OP_NOP ? AGENT_OP_GETATTR : AGENT_OP_NOP; break;
  case AD_OVERSIZE:
    if (q->h.op == AGENT_OP_READ)
      for (int k = 0; k < 8; k++)
        ((char *) body_at (r, 0))[r->body++] = 'x';
    else if (q->h.op == AGENT_OP_DEVICES)
      r->body = AGENT_IO_MAX + 8;
    else if (q->h.op == AGENT_OP_GETXATTR || q->h.op == AGENT_OP_LISTXATTR)
      r->body = AGENT_XATTR_MAX + 8;
    else if (q->h.op != AGENT_OP_READDIR)
      r->body += 8;             /* zeros: the buffer is zeroed */
    break;
  case AD_TRUNCATED: r->body = r->body > 8 ? r->body - 8 : 0; break;
  case AD_ERROR_BODY: h->error = EACCES; break;
  case AD_ERRNO_999: h->error = 999; r->body = 0; break;
  case AD_FLAGS: h->flags = 1; break;
  case AD_RESERVED: h->reserved = 1; break;
  case AD_HANDLE_ZERO:
  case AD_ROOT_IMPOSTOR:
  case AD_SELF:                 /* (the tree's directories: the root) */
    /* With ATTRS the directory itself comes as itself: by its identity,
     * handle 0 (bend_attr), so that only the identity gives it away. */
    if (q->kind == AD_SELF && (readdir_flags (q) & AGENT_READDIR_ATTRS))
      break;
    if (hoff >= 0 && r->body >= (size_t) hoff + 8) {
      uint64_t v = q->kind == AD_HANDLE_ZERO ? 0 : AGENT_ROOT_HANDLE;
      memcpy (body_at (r, (size_t) hoff), &v, sizeof v);
    }
    break;
  case AD_LINK_NUL:
    put (r, "\0x", 2);
    break;
  case AD_SEEK_BACK:
    if (r->body == sizeof (struct agent_offset))
      memset (body_at (r, 0), 0, sizeof (struct agent_offset));
    break;
  case AD_COPY_MORE:
    if (q->h.op == AGENT_OP_COPY_RANGE && r->body == sizeof (struct agent_copied)) {
      struct agent_copy_range c;
      memcpy (&c, q->body, sizeof c);
      uint64_t more = c.size + 1;
      memcpy (body_at (r, 0), &more, sizeof more);
    }
    break;
  case AD_STATFS_BAD:
    if (r->body >= sizeof (struct agent_statfs)) {
      struct agent_statfs s;
      memcpy (&s, body_at (r, 0), sizeof s);
      s.bfree = s.blocks + 1;
      memcpy (body_at (r, 0), &s, sizeof s);
    }
    break;
  case AD_NAME_EMPTY:           /* LISTXATTR: a name of no bytes */
  case AD_NAME_LONG:            /* ... one of 256 */
    if (q->h.op == AGENT_OP_LISTXATTR) {
      r->body = 0;
      const char *name;
      uint32_t len;
      first_name (q->kind, &name, &len);
      put (r, "user.a\0", 7);
      put (r, name, len);
      put (r, "\0", 1);
    }
    break;
  default: break;
  }
  bend_attr (r, q, q->kind);
  if (q->h.op == AGENT_OP_READDIR && !h->error)
    bend_dirents (r, q->kind);
  h->len = (uint32_t) (HDR + r->body);
  if (q->kind == AD_LEN_HUGE)
    h->len = AGENT_MSG_MAX + 1;
  if (q->kind == AD_LEN_SHORT)
    h->len = HDR - 8;
}

/* ---- answering ---- */

/* Sends the reply to Q; -1 once the peer has gone or the double stops. */
static int
answer (struct agent_double *d, const struct request *q, uint32_t fail_errno)
{
  if (q->kind == AD_SILENT)
    return 0;
  if (q->kind == AD_GARBAGE) {
    unsigned char junk[64];
    for (size_t k = 0; k < sizeof junk; k++)
      junk[k] = (unsigned char) (k * 37 + 11);
    return send_all (d, junk, sizeof junk);
  }
  /* Room for the largest honest body (a READ's, else a few entries) and
   * for bending it. */
  /* Room for the largest bent body (OVERSIZE: the op's limit and more). */
  size_t room = 65536 + (q->h.op == AGENT_OP_READ || q->h.op == AGENT_OP_DEVICES ||
                         q->h.op == AGENT_OP_GETXATTR || q->h.op == AGENT_OP_LISTXATTR
                         ? AGENT_IO_MAX : 0);
  struct reply r = { .msg = xcalloc (1, HDR + room) };
  *(struct agent_header *) r.msg = (struct agent_header) { .op = q->h.op, .id = q->h.id };
  honest_reply (d, q, &r);
  bend (&r, q, fail_errno);
  size_t len = ((struct agent_header *) r.msg)->len;
  if (q->kind == AD_LEN_HUGE || q->kind == AD_LEN_SHORT)
    len = HDR;
  int e = 0;
  if (q->kind == AD_TRICKLE) {
    e = send_all (d, r.msg, HDR);
    for (size_t k = HDR; !e && k < len; k++)
      e = send_all (d, r.msg + k, 1) || wait_fd (d, 0, 20) < 0 ? -1 : 0;
  } else {
    e = send_all (d, r.msg, len);
    if (!e && q->kind == AD_TWICE)
      e = send_all (d, r.msg, len);
    while (!e && q->kind == AD_ENDLESS)
      e = send_all (d, r.msg, len);
  }
  free (r.msg);
  return e;
}

/* Answers what it holds, the last first, so that replies come out of
 * order. */
static int
answer_pending (struct agent_double *d)
{
  pthread_mutex_lock (&d->lock);
  uint32_t fail_errno = d->fail_errno;
  pthread_mutex_unlock (&d->lock);
  int e = 0;
  while (d->n_pending > 0) {
    struct request *q = &d->pending[--d->n_pending];
    if (!e)
      e = answer (d, q, fail_errno);
    free (q->body);
  }
  return e;
}

static int
receive (struct agent_double *d)
{
  struct request q = { 0 };
  if (recv_all (d, &q.h, HDR) != 0 || q.h.len < HDR || q.h.len > AGENT_MSG_MAX)
    return -1;
  q.body = xcalloc (1, q.h.len - HDR + 1);
  if (recv_all (d, q.body, q.h.len - HDR) != 0 || d->n_pending == MAX_PENDING) {
    free (q.body);
    return -1;
  }
  pthread_mutex_lock (&d->lock);
  q.kind = q.h.op == AGENT_OP_HELLO ? d->hello_kind : AD_HONEST;
  if (q.h.op != AGENT_OP_HELLO && d->script_len > 0) {
    q.kind = d->script[0];
    memmove (d->script, d->script + 1, --d->script_len * sizeof d->script[0]);
  }
  else if (q.h.op != AGENT_OP_HELLO && d->choose)
    q.kind = d->choose (d->choose_arg, &q.h, &d->fail_errno);
  d->requests++;
  d->last = q.h;
  memcpy (d->last_body, q.body, q.h.len - HDR < sizeof d->last_body ? q.h.len - HDR : sizeof d->last_body);
  d->pending[d->n_pending++] = q;
  if (d->n_pending > d->max_outstanding)
    d->max_outstanding = (unsigned) d->n_pending;
  pthread_mutex_unlock (&d->lock);
  return 0;
}

static void *
double_main (void *arg)
{
  struct agent_double *d = arg;
  for (;;) {
    int r = d->n_pending && d->batch_ms ? wait_fd (d, POLLIN, (int) d->batch_ms) : 1;
    if (r < 0 || (r == 0 && answer_pending (d) != 0))
      break;
    if (r == 0)
      continue;
    if (receive (d) != 0 || (!d->batch_ms && answer_pending (d) != 0))
      break;
  }
  return NULL;
}

/* ---- the interface ---- */

struct agent_double *
agent_double_start (int fd, enum ad_kind hello_kind, uint32_t credits, unsigned batch_ms)
{
  struct agent_double *d = xcalloc (1, sizeof *d);
  d->fd = fd;
  d->stop_fd = eventfd (0, EFD_CLOEXEC);
  d->hello_kind = hello_kind;
  d->credits = credits;
  d->batch_ms = batch_ms;
  d->fail_errno = ENOENT;
  if (d->stop_fd < 0)
    abort ();
  pthread_mutex_init (&d->lock, NULL);
  if (pthread_create (&d->thread, NULL, double_main, d) != 0)
    abort ();
  return d;
}

void
agent_double_next (struct agent_double *d, enum ad_kind kind)
{
  pthread_mutex_lock (&d->lock);
  if (d->script_len < MAX_SCRIPT)
    d->script[d->script_len++] = kind;
  pthread_mutex_unlock (&d->lock);
}

void
agent_double_choose (struct agent_double *d, ad_chooser choose, void *arg)
{
  pthread_mutex_lock (&d->lock);
  d->choose = choose;
  d->choose_arg = arg;
  pthread_mutex_unlock (&d->lock);
}

void
agent_double_errno (struct agent_double *d, uint32_t e)
{
  pthread_mutex_lock (&d->lock);
  d->fail_errno = e;
  pthread_mutex_unlock (&d->lock);
}

unsigned
agent_double_requests (struct agent_double *d)
{
  pthread_mutex_lock (&d->lock);
  unsigned n = d->requests;
  pthread_mutex_unlock (&d->lock);
  return n;
}

unsigned
agent_double_max_outstanding (struct agent_double *d)
{
  pthread_mutex_lock (&d->lock);
  unsigned n = d->max_outstanding;
  pthread_mutex_unlock (&d->lock);
  return n;
}

void
agent_double_last (struct agent_double *d, struct agent_header *h, void *body)
{
  pthread_mutex_lock (&d->lock);
  *h = d->last;
  memcpy (body, d->last_body, sizeof d->last_body);
  pthread_mutex_unlock (&d->lock);
}

void
agent_double_stop (struct agent_double *d)
{
  uint64_t one = 1;
  (void) !write (d->stop_fd, &one, sizeof one);
  pthread_join (d->thread, NULL);
  while (d->n_pending > 0)
    free (d->pending[--d->n_pending].body);
  close (d->stop_fd);
  close (d->fd);
  pthread_mutex_destroy (&d->lock);
  free (d);
}
