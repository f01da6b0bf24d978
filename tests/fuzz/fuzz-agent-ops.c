/* fuzz-agent-ops.c: the daemon's FUSE operations served through
 * imgmount-agent, with the kind of each agent reply chosen by the input
 * (the hostile agent double of tests/hostile in place of the appliance's
 * agent).
 *
 * Why, beside fuzz-agent-replies: that target judges one call's reply
 * stream; here the replies reach the inode table, the caches and the
 * replies to the kernel, across many calls, where a reply the client
 * passed (an identity elsewhere in the tree, a type that changed, an
 * error) must still leave the daemon consistent.
 *
 * Input: u8 flags: bits 0-2 the agent's credits less 1, bit 3 a cache
 * timeout of 0 (else 1 s).  u16 the length of the operation stream,
 * which follows; the rest is the kind stream.  The operation stream, until
 * it ends: a u8 picks an operation and further bytes its arguments (a
 * node the kernel holds, of a type the operation takes; a name; sizes,
 * offsets, flags).  The kind stream gives each agent request after HELLO,
 * in the order the double receives them, a u8: below 128 an honest
 * reply, else the kind AD_FAIL + (u8 - 128) % n of agent-double.h's,
 * AD_FAIL to AD_ENDLESS (those that only cost time, and HELLO's, are
 * left out), AD_FAIL taking a further u8 as its errno.  Reads past either
 * end are zeros: no more operations; honest replies.
 *
 * Checks, beyond the sanitizers and libFuzzer's hang and memory limits:
 * every operation replies exactly once; a failure is a real errno
 * (1..133); data replies are no longer than asked, nor writes and copies
 * longer than given; names listed are names; an entry is neither the
 * directory it is in nor the root; attributes have a real file type, and
 * a node keeps its type (the root a directory) while the kernel holds it;
 * a made object (or a new link) has the type asked. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/falloc.h>
#include <linux/fuse.h>
#include <sys/socket.h>
#include <sys/sysmacros.h>
#include "common/reply-check.h"
#include "fsops/agent-client.h"
#include "fsops/fsops.h"
#include "tests/fuzz/target.h"
#include "tests/hostile/agent-double.h"
#include "tests/hostile/appliance-double.h"

#define MAX_NODES 48
/* Short, yet far beyond an honest reply's time: no kind left in makes the
 * client wait (a broken stream fails the calls at once), but a wait that
 * happened anyway ends the connection, not the run. */
#define CALL_TIMEOUT_MS 250
/* fuse-double.c has no lseek reply (only the agent answers lseek): kept
 * here, as a type of reply beyond its list. */
#define FUSE_REPLY_LSEEK ((enum reply_type) (FUSE_REPLY_XATTR + 1))

static struct fuzz_input in;      /* operations: the main thread's */
static struct fuzz_input kinds;   /* reply kinds: the double's thread's */

static const struct fuse_lowlevel_ops *ops;
static struct fs *fs;

/* The node ids the kernel holds, one per reference (lookup count), with
 * the file type the daemon gave each. */
struct node {
  fuse_ino_t id;
  mode_t type;
};
static struct node nodes[MAX_NODES];
static size_t n_nodes;

int
fuse_reply_lseek (fuse_req_t req, off_t off)
{
  req->count = (size_t) off;
  req->type = FUSE_REPLY_LSEEK;
  req->replies++;
  return 0;
}

static enum ad_kind
choose_kind (void *arg, const struct agent_header *h, uint32_t *fail_errno)
{
  uint8_t b = fuzz_u8 (&kinds);
  if (b < 128)
    return AD_HONEST;
  enum ad_kind k = (enum ad_kind) (AD_FAIL + (b - 128) % (AD_ENDLESS - AD_FAIL + 1));
  if (k == AD_FAIL)
    *fail_errno = fuzz_u8 (&kinds);
  return k;
}

/* ---- nodes ---- */

/* The type the daemon gave ID before, or 0. */
static mode_t
type_of (fuse_ino_t id)
{
  for (size_t k = 0; k < n_nodes; k++)
    if (nodes[k].id == id)
      return nodes[k].type;
  return 0;
}

/* Attributes the daemon gave for ID: a real type, the same as before. */
static void
check_attr (fuse_ino_t id, const struct stat *st)
{
  FUZZ_CHECK (reply_mode_ok (st->st_mode));
  FUZZ_CHECK (reply_nsec_ok (st->st_mtim.tv_nsec) && reply_nsec_ok (st->st_atim.tv_nsec) &&
              reply_nsec_ok (st->st_ctim.tv_nsec));
  FUZZ_CHECK (st->st_size >= 0);
  mode_t was = type_of (id);
  FUZZ_CHECK (!was || was == (st->st_mode & S_IFMT));
}

/* One more reference to ID, of type MODE's, as the kernel takes with an
 * entry. */
static void
hold (fuse_ino_t id, mode_t mode)
{
  check_attr (id, &(struct stat) { .st_mode = mode });
  if (n_nodes < MAX_NODES)
    nodes[n_nodes++] = (struct node) { id, mode & S_IFMT };
}

/* A node the kernel holds, of TYPE (0: any), from the input; 0 if none. */
static fuse_ino_t
some_node (mode_t type)
{
  size_t at = fuzz_u8 (&in);
  for (size_t k = 0; k < n_nodes; k++) {
    size_t j = (at + k) % n_nodes;
    if (!type || nodes[j].type == type)
      return nodes[j].id;
  }
  return 0;
}

static const char *
some_name (void)
{
  static char longest[AGENT_NAME_MAX + 1];
  static const char *const names[] = { "f", "l", "d", "new", "x", longest };
  memset (longest, 'n', AGENT_NAME_MAX);
  return names[fuzz_u8 (&in) % (sizeof names / sizeof names[0])];
}

/* ---- requests ---- */

static void
start (struct fuse_req *req)
{
  double_request (req, fs);
}

/* What every reply must be; returns its errno (0: not an error). */
static int
finish (struct fuse_req *req)
{
  FUZZ_CHECK (req->replies == 1);
  int e = req->type == FUSE_REPLY_ERR ? req->err : 0;
  FUZZ_CHECK (e >= 0 && e <= 133);
  double_request_done (req);
  return e;
}

/* An entry replied in PARENT, made with TYPE (0: found): the kernel
 * holds it now. */
static void
check_entry (const struct fuse_req *req, fuse_ino_t parent, mode_t type)
{
  if (req->type != FUSE_REPLY_ENTRY && req->type != FUSE_REPLY_CREATE)
    return;
  if (!req->entry.ino) {
    FUZZ_CHECK (!type && req->type == FUSE_REPLY_ENTRY);   /* only a lookup's is negative */
    return;
  }
  FUZZ_CHECK (req->entry.ino != parent && req->entry.ino != FUSE_ROOT_ID);
  check_attr (req->entry.ino, &req->entry.attr);
  FUZZ_CHECK (!type || (req->entry.attr.st_mode & S_IFMT) == type);
  hold (req->entry.ino, req->entry.attr.st_mode);
}

static void
check_listing (const struct fuse_req *req, bool plus, fuse_ino_t dir)
{
  for (size_t at = 0; req->type == FUSE_REPLY_BUF && at < req->len; ) {
    const struct fuse_direntplus *dp = (const struct fuse_direntplus *) (req->buf + at);
    const struct fuse_dirent *de = plus ? &dp->dirent : (const struct fuse_dirent *) (req->buf + at);
    FUZZ_CHECK (de->namelen > 0 && de->namelen <= 255 && !memchr (de->name, '/', de->namelen) &&
                !memchr (de->name, '\0', de->namelen));
    bool dot = (de->namelen == 1 && de->name[0] == '.') ||
               (de->namelen == 2 && memcmp (de->name, "..", 2) == 0);
    if (plus && dp->entry_out.nodeid) {
      FUZZ_CHECK (!dot && dp->entry_out.nodeid != dir && dp->entry_out.nodeid != FUSE_ROOT_ID);
      hold (dp->entry_out.nodeid, dp->entry_out.attr.mode);
    }
    at += plus ? FUSE_DIRENTPLUS_SIZE (dp) : FUSE_DIRENT_SIZE (de);
  }
}

/* opendir, pages of SIZE bytes until an empty one, releasedir. */
static void
do_list (fuse_ino_t dir, bool plus)
{
  struct fuse_req req;
  struct fuse_file_info fi = { 0 };
  size_t size = 64 + fuzz_u8 (&in) * 16u;
  start (&req);
  ops->opendir (&req, dir, &fi);
  if (finish (&req))
    return;
  off_t off = 0;
  for (int page = 0; page < 8; page++) {
    start (&req);
    if (plus)
      ops->readdirplus (&req, dir, size, off, &fi);
    else
      ops->readdir (&req, dir, size, off, &fi);
    FUZZ_CHECK (req.type != FUSE_REPLY_BUF || req.len <= size);
    check_listing (&req, plus, dir);
    /* The next page starts where the last entry says; none: the end. */
    bool more = req.type == FUSE_REPLY_BUF && req.len > 0;
    for (size_t at = 0; more && at < req.len; ) {
      const struct fuse_direntplus *dp = (const struct fuse_direntplus *) (req.buf + at);
      const struct fuse_dirent *de = plus ? &dp->dirent : (const struct fuse_dirent *) (req.buf + at);
      off = (off_t) de->off;
      at += plus ? FUSE_DIRENTPLUS_SIZE (dp) : FUSE_DIRENT_SIZE (de);
    }
    finish (&req);
    if (!more)
      break;
  }
  start (&req);
  ops->releasedir (&req, dir, &fi);
  finish (&req);
}

static size_t
some_size (void)
{
  /* Up to 2 MiB: several agent calls a request, from the file's end. */
  size_t base = fuzz_u16 (&in);
  return 1 + (base << (fuzz_u8 (&in) % 6));
}

static off_t
some_offset (void)
{
  return (off_t) (fuzz_u32 (&in) & ((4u << 20) - 1));
}

/* An open file's operation, between open and flush and release, as the
 * kernel sends it. */
static void
on_open_file (fuse_ino_t ino, unsigned what)
{
  struct fuse_req req;
  struct fuse_file_info fi = { .flags = O_RDWR };
  start (&req);
  ops->open (&req, ino, &fi);
  if (finish (&req))
    return;
  start (&req);
  switch (what) {
  case 0: {
    size_t size = some_size ();
    ops->read (&req, ino, size, some_offset (), &fi);
    FUZZ_CHECK (req.type != FUSE_REPLY_BUF || req.len <= size);
    break;
  }
  case 1: {
    size_t size = some_size ();
    char *data = malloc (size);
    if (!data)
      abort ();
    memset (data, 'w', size);
    ops->write (&req, ino, data, size, some_offset (), &fi);
    free (data);
    FUZZ_CHECK (req.type != FUSE_REPLY_WRITE || req.count == size);
    break;
  }
  case 2: {
    static const int modes[] = { 0, FALLOC_FL_KEEP_SIZE, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
                                 FALLOC_FL_ZERO_RANGE };
    int mode = modes[fuzz_u8 (&in) % 4];
    off_t off = some_offset ();
    ops->fallocate (&req, ino, mode, off, (off_t) some_size (), &fi);
    break;
  }
  case 3: {
    off_t off = some_offset ();
    ops->lseek (&req, ino, off, fuzz_u8 (&in) & 1 ? SEEK_HOLE : SEEK_DATA, &fi);
    FUZZ_CHECK (req.type != FUSE_REPLY_LSEEK || (off_t) req.count >= off);
    break;
  }
  case 4: {
    /* From this file to another open one (or itself). */
    fuse_ino_t out = some_node (S_IFREG);
    struct fuse_file_info fo = { .flags = O_RDWR };
    size_t len = some_size ();
    off_t off_in = some_offset (), off_out = some_offset ();
    if (out != ino) {
      struct fuse_req oreq;
      start (&oreq);
      ops->open (&oreq, out, &fo);
      if (finish (&oreq))
        out = ino;
    }
    ops->copy_file_range (&req, ino, off_in, &fi, out, off_out, &fo, len, 0);
    FUZZ_CHECK (req.type != FUSE_REPLY_WRITE || req.count <= len);
    if (out != ino) {
      finish (&req);
      start (&req);
      ops->flush (&req, out, &fo);
      finish (&req);
      start (&req);
      ops->release (&req, out, &fo);
    }
    break;
  }
  default:
    ops->fsync (&req, ino, fuzz_u8 (&in) & 1, &fi);
    break;
  }
  finish (&req);
  start (&req);
  ops->flush (&req, ino, &fi);
  finish (&req);
  start (&req);
  ops->release (&req, ino, &fi);
  finish (&req);
}

/* Gives back one reference the kernel holds (not the root's). */
static void
forget_one (void)
{
  if (n_nodes < 2)
    return;
  size_t k = 1 + fuzz_u8 (&in) % (n_nodes - 1);
  struct fuse_req req;
  start (&req);
  ops->forget (&req, nodes[k].id, 1);
  FUZZ_CHECK (req.type == FUSE_REPLY_NONE);
  finish (&req);
  nodes[k] = nodes[--n_nodes];
}

static void
setattr (fuse_ino_t ino)
{
  static const int bits[] = { FUSE_SET_ATTR_MODE, FUSE_SET_ATTR_UID, FUSE_SET_ATTR_GID,
                              FUSE_SET_ATTR_SIZE, FUSE_SET_ATTR_ATIME, FUSE_SET_ATTR_MTIME,
                              FUSE_SET_ATTR_ATIME_NOW, FUSE_SET_ATTR_MTIME_NOW };
  uint8_t which = fuzz_u8 (&in);
  int to_set = 0;
  for (size_t k = 0; k < sizeof bits / sizeof bits[0]; k++)
    if (which & 1u << k)
      to_set |= bits[k];
  /* The kernel truncates regular files only. */
  if (type_of (ino) != S_IFREG)
    to_set &= ~FUSE_SET_ATTR_SIZE;
  /* One read a statement: the order of an initializer's is unspecified. */
  struct stat attr = { .st_mode = fuzz_u16 (&in) & 07777 };
  attr.st_uid = fuzz_u8 (&in);
  attr.st_gid = fuzz_u8 (&in);
  attr.st_size = some_offset ();
  attr.st_mtim.tv_sec = attr.st_atim.tv_sec = 1700000000;
  attr.st_mtim.tv_nsec = attr.st_atim.tv_nsec = 999999999;
  struct fuse_req req;
  start (&req);
  ops->setattr (&req, ino, &attr, to_set, NULL);
  if (req.type == FUSE_REPLY_ATTR)
    check_attr (ino, &req.attr);
  finish (&req);
}

static void
xattr_op (fuse_ino_t ino, unsigned what)
{
  static const char *const names[] = { "user.a", "user.b", "trusted.x", "security.capability",
                                       "system.posix_acl_access" };
  const char *name = names[fuzz_u8 (&in) % 5];
  struct fuse_req req;
  start (&req);
  if (what == 0) {
    size_t size = fuzz_u8 (&in) * 257u;   /* 0: how long it is */
    ops->getxattr (&req, ino, name, size);
    FUZZ_CHECK (req.type != FUSE_REPLY_BUF || (size && req.len <= size));
    FUZZ_CHECK (req.type != FUSE_REPLY_XATTR || (!size && req.count <= AGENT_XATTR_MAX));
  }
  else if (what == 1) {
    size_t size = fuzz_u8 (&in) * 257u;
    ops->listxattr (&req, ino, size);
    FUZZ_CHECK (req.type != FUSE_REPLY_BUF || (size && req.len <= size));
    FUZZ_CHECK (req.type != FUSE_REPLY_XATTR || (!size && req.count <= AGENT_XATTR_MAX));
    /* Names, each ended by a NUL. */
    for (size_t at = 0; req.type == FUSE_REPLY_BUF && at < req.len; ) {
      const char *nul = memchr (req.buf + at, '\0', req.len - at);
      FUZZ_CHECK (nul && nul > req.buf + at);
      at = (size_t) (nul - req.buf) + 1;
    }
  }
  else if (what == 2) {
    char value[32];
    size_t len = fuzz_u8 (&in) % sizeof value;
    fuzz_bytes (&in, value, len);
    ops->setxattr (&req, ino, name, value, len, fuzz_u8 (&in) % 3);
  }
  else
    ops->removexattr (&req, ino, name);
  finish (&req);
}

static void
make (fuse_ino_t dir, unsigned what)
{
  const char *name = some_name ();
  /* link: another name of a node that is no directory */
  fuse_ino_t linked = what == 4 ? some_node (fuzz_u8 (&in) & 1 ? S_IFLNK : S_IFREG) : 0;
  if (what == 4 && !linked)
    return;
  struct fuse_req req;
  struct fuse_file_info fi = { .flags = O_RDWR | O_CREAT };
  start (&req);
  switch (what) {
  case 0:
    ops->create (&req, dir, name, 0644, &fi);
    check_entry (&req, dir, S_IFREG);
    if (req.type == FUSE_REPLY_CREATE) {
      fuse_ino_t made = req.entry.ino;
      finish (&req);
      start (&req);
      ops->release (&req, made, &fi);
    }
    break;
  case 1:
    ops->mkdir (&req, dir, name, 0755);
    check_entry (&req, dir, S_IFDIR);
    break;
  case 2: {
    static const mode_t types[] = { S_IFREG, S_IFCHR, S_IFBLK, S_IFIFO, S_IFSOCK };
    mode_t type = types[fuzz_u8 (&in) % 5];
    unsigned dev_major = fuzz_u8 (&in);
    ops->mknod (&req, dir, name, type | 0600, makedev (dev_major, fuzz_u8 (&in)));
    check_entry (&req, dir, type);
    break;
  }
  case 3: {
    static char longest[AGENT_LINK_MAX + 1];
    static const char *const targets[] = { "f", "/d/../x", longest };
    memset (longest, 't', AGENT_LINK_MAX);
    ops->symlink (&req, targets[fuzz_u8 (&in) % 3], dir, name);
    check_entry (&req, dir, S_IFLNK);
    break;
  }
  default:
    /* Not always LINKED's node id: one that lost its last name left the
     * table's identities, as an unlinked file does, and the name gets a
     * node of its own.  Its type, as the kernel checks. */
    ops->link (&req, linked, dir, name);
    check_entry (&req, dir, type_of (linked));
    break;
  }
  finish (&req);
}

/* The type of node operation OP works on (0: any). */
static mode_t
node_type_for (unsigned op)
{
  return op < 12 || op == 28 ? S_IFDIR : op < 18 ? S_IFREG : op == 26 ? S_IFLNK : 0;
}

static void
one_operation (void)
{
  struct fuse_req req;
  unsigned op = fuzz_u8 (&in) % 32;
  fuse_ino_t node = op < 29 ? some_node (node_type_for (op)) : 0;
  if (op < 29 && !node)
    return;   /* the kernel holds none of that type */
  switch (op) {
  case 0: case 1: case 2: case 3:
    start (&req);
    ops->lookup (&req, node, some_name ());
    check_entry (&req, node, 0);
    finish (&req);
    return;
  case 4: do_list (node, true); return;
  case 5: do_list (node, false); return;
  case 6: case 7: case 8: case 9: case 10: make (node, op - 6); return;
  case 11:
    start (&req);
    if (fuzz_u8 (&in) & 1)
      ops->rmdir (&req, node, some_name ());
    else
      ops->unlink (&req, node, some_name ());
    finish (&req);
    return;
  case 12: case 13: case 14: case 15: case 16: case 17: on_open_file (node, op - 12); return;
  case 18: case 19:
    start (&req);
    ops->getattr (&req, node, NULL);
    if (req.type == FUSE_REPLY_ATTR)
      check_attr (node, &req.attr);
    finish (&req);
    return;
  case 20: setattr (node); return;
  case 21: case 22: case 23: case 24: xattr_op (node, op - 21); return;
  case 25:
    start (&req);
    ops->statfs (&req, node);
    FUZZ_CHECK (req.type != FUSE_REPLY_STATFS ||
                (req.statfs.f_bfree <= req.statfs.f_blocks &&
                 req.statfs.f_bavail <= req.statfs.f_blocks));
    finish (&req);
    return;
  case 26:
    start (&req);
    ops->readlink (&req, node);
    FUZZ_CHECK (req.type != FUSE_REPLY_READLINK || (req.len > 0 && req.len <= AGENT_LINK_MAX));
    finish (&req);
    return;
  case 27: {
    static const unsigned flags[] = { 0, RENAME_NOREPLACE, RENAME_EXCHANGE, RENAME_WHITEOUT,
                                      RENAME_NOREPLACE | RENAME_EXCHANGE };
    fuse_ino_t newdir = some_node (S_IFDIR);
    const char *name = some_name (), *newname = some_name ();
    start (&req);
    ops->rename (&req, node, name, newdir, newname, flags[fuzz_u8 (&in) % 5]);
    finish (&req);
    return;
  }
  case 28:
    start (&req);
    ops->fsyncdir (&req, node, fuzz_u8 (&in) & 1, NULL);
    finish (&req);
    return;
  default: forget_one (); return;
  }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  in = fuzz_input (data, size);
  uint8_t flags = fuzz_u8 (&in);
  uint16_t ops_len = fuzz_u16 (&in);
  if (ops_len > in.left)
    ops_len = (uint16_t) in.left;
  kinds = fuzz_input (in.data + ops_len, in.left - ops_len);
  in.left = ops_len;
  ops = fsops_operations ();

  int sv[2];
  if (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
    abort ();
  struct agent_double *dbl = agent_double_start (sv[1], AD_HONEST, 1 + (flags & 7), 0);
  agent_double_choose (dbl, choose_kind, NULL);
  struct agent_config cfg = { .timeout_ms = CALL_TIMEOUT_MS };
  struct agent_conn *conn;
  FUZZ_CHECK (agent_connect_with (sv[0], sv[0], &cfg, &conn) == 0);
  /* fs_new asks libguestfs for the root, and checks the agent serves it. */
  double_start (NULL);
  struct fs_config config = { .g = double_handle (), .cache_timeout = flags & 8 ? 0 : 1,
                              .agent = conn };
  fs = fs_new (&config);
  FUZZ_CHECK (fs);
  nodes[0].id = FUSE_ROOT_ID;
  nodes[0].type = S_IFDIR;
  n_nodes = 1;
  for (int k = 0; k < 64 && !fuzz_done (&in); k++)
    one_operation ();
  /* As the kernel does at unmount: every reference given back, then the
   * daemon's last writes and sync. */
  struct fuse_forget_data forgets[MAX_NODES];
  for (size_t k = 1; k < n_nodes; k++)
    forgets[k - 1] = (struct fuse_forget_data) { .ino = nodes[k].id, .nlookup = 1 };
  if (n_nodes > 1) {
    struct fuse_req req;
    start (&req);
    ops->forget_multi (&req, n_nodes - 1, forgets);
    finish (&req);
  }
  fs_flush_all (fs);
  fs_free (fs);
  agent_disconnect (conn);
  close (sv[0]);
  agent_double_stop (dbl);
  return 0;
}
