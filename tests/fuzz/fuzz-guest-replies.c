/* fuzz-guest-replies.c: the daemon's FUSE operations and mount code with
 * every appliance reply chosen by the input (the hostile double of
 * tests/hostile in place of libguestfs).
 *
 * Input: a stream read as the run goes.  First u8 flags: bit 0 runs the
 * mount code (select_and_mount, list_filesystems) before the operations,
 * bits 1-3 tell it which volume scans the appliance ran (SCAN_*), bit 4
 * makes the image the double's btrfs disk.  Then, until the input ends, a u8
 * picks an operation and further bytes its arguments (a known node, a
 * name); and each appliance call the operation makes takes a u8: below
 * 128 an honest reply, else the kind of reply (modulo the kinds in
 * appliance-double.h), a failing one taking a u16 as its errno.  Reads
 * past the end are zeros: honest replies.
 *
 * Checks, beyond the sanitizers and libFuzzer's hang and memory limits:
 * every operation replies exactly once; a failure is a real errno (1..133,
 * what the kernel accepts); data replies are no longer than asked; names
 * listed are names; an entry is never the directory it is in. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/fuse.h>
#include "fsops/fsops.h"
#include "tests/fuzz/target.h"
#include "backend-select/metadata-probe.h"
#include "tests/hostile/appliance-double.h"

#define MAX_NODES 32

static struct fuzz_input in;

static enum reply_kind
fuzzed_kind (const char *call)
{
  uint8_t b = fuzz_u8 (&in);
  return b < 128 ? REPLY_HONEST : (enum reply_kind) (b % N_REPLY_KINDS);
}

static int
fuzzed_errno (void)
{
  return (int16_t) fuzz_u16 (&in);
}

static const struct double_driver fuzzed = { fuzzed_kind, fuzzed_errno };

static const struct fuse_lowlevel_ops *ops;
static struct fs *fs;
static fuse_ino_t nodes[MAX_NODES];   /* node ids the kernel would hold */
static size_t n_nodes;

static fuse_ino_t
some_node (void)
{
  return nodes[fuzz_u8 (&in) % n_nodes];
}

static const char *
some_name (void)
{
  static const char *const names[] = { "d", "f", "e", "l", "g", "new", "x", ".imgmount-hidden-1" };
  return names[fuzz_u8 (&in) % (sizeof names / sizeof names[0])];
}

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

static void
keep_entry (const struct fuse_req *req, fuse_ino_t parent)
{
  if ((req->type == FUSE_REPLY_ENTRY || req->type == FUSE_REPLY_CREATE) && req->entry.ino) {
    FUZZ_CHECK (req->entry.ino != parent && req->entry.ino != FUSE_ROOT_ID);
    if (n_nodes < MAX_NODES)
      nodes[n_nodes++] = req->entry.ino;
  }
}

static void
check_listing (const struct fuse_req *req, bool plus, fuse_ino_t dir)
{
  for (size_t at = 0; req->type == FUSE_REPLY_BUF && at < req->len; ) {
    const struct fuse_direntplus *dp = (const struct fuse_direntplus *) (req->buf + at);
    const struct fuse_dirent *de = plus ? &dp->dirent : (const struct fuse_dirent *) (req->buf + at);
    FUZZ_CHECK (de->namelen > 0 && de->namelen <= 255 && !memchr (de->name, '/', de->namelen));
    if (plus)
      FUZZ_CHECK (dp->entry_out.nodeid != dir);
    at += plus ? FUSE_DIRENTPLUS_SIZE (dp) : FUSE_DIRENT_SIZE (de);
  }
}

static void
do_list (fuse_ino_t dir, bool plus)
{
  struct fuse_req req;
  struct fuse_file_info fi = { 0 };
  start (&req);
  ops->opendir (&req, dir, &fi);
  if (finish (&req))
    return;
  start (&req);
  if (plus)
    ops->readdirplus (&req, dir, 4096, 0, &fi);
  else
    ops->readdir (&req, dir, 4096, 0, &fi);
  FUZZ_CHECK (req.type != FUSE_REPLY_BUF || req.len <= 4096);
  check_listing (&req, plus, dir);
  /* readdirplus entries each count a lookup, as the kernel would hold. */
  for (size_t at = 0; plus && req.type == FUSE_REPLY_BUF && at < req.len; ) {
    const struct fuse_direntplus *dp = (const struct fuse_direntplus *) (req.buf + at);
    if (dp->entry_out.nodeid && n_nodes < MAX_NODES)
      nodes[n_nodes++] = dp->entry_out.nodeid;
    at += FUSE_DIRENTPLUS_SIZE (dp);
  }
  finish (&req);
  start (&req);
  ops->releasedir (&req, dir, &fi);
  finish (&req);
}

static void
do_read_or_write (fuse_ino_t ino, bool write)
{
  struct fuse_req req;
  struct fuse_file_info fi = { .flags = write ? O_RDWR : O_RDONLY };
  size_t size = 1 + fuzz_u16 (&in) % 8192;
  off_t off = fuzz_u16 (&in);
  start (&req);
  ops->open (&req, ino, &fi);
  if (finish (&req))
    return;
  start (&req);
  if (write) {
    char *data = calloc (size, 1);
    ops->write (&req, ino, data, size, off, &fi);
    free (data);
    FUZZ_CHECK (req.type != FUSE_REPLY_WRITE || req.count == size);
    finish (&req);
    start (&req);
    ops->flush (&req, ino, &fi);
  }
  else {
    ops->read (&req, ino, size, off, &fi);
    FUZZ_CHECK (req.type != FUSE_REPLY_BUF || req.len <= size);
  }
  finish (&req);
  start (&req);
  ops->release (&req, ino, &fi);
  finish (&req);
}

static void
one_operation (void)
{
  struct fuse_req req;
  fuse_ino_t node = some_node ();
  struct fuse_file_info fi = { .flags = O_RDWR };
  start (&req);
  switch (fuzz_u8 (&in) % 16) {
  case 0: ops->lookup (&req, node, some_name ()); keep_entry (&req, node); break;
  case 1: ops->getattr (&req, node, NULL); break;
  case 2: do_list (node, true); return;
  case 3: do_list (node, false); return;
  case 4: do_read_or_write (node, false); return;
  case 5: do_read_or_write (node, true); return;
  case 6: ops->readlink (&req, node); break;
  case 7: ops->getxattr (&req, node, "user.a", fuzz_u8 (&in)); break;
  case 8: ops->listxattr (&req, node, fuzz_u16 (&in)); break;
  case 9: ops->statfs (&req, node); break;
  case 10:
    ops->create (&req, node, some_name (), 0644, &fi);
    keep_entry (&req, node);
    if (req.type == FUSE_REPLY_CREATE) {
      fuse_ino_t made = req.entry.ino;
      finish (&req);
      start (&req);
      ops->release (&req, made, &fi);
    }
    break;
  case 11: ops->mkdir (&req, node, some_name (), 0755); keep_entry (&req, node); break;
  case 12: ops->unlink (&req, node, some_name ()); break;
  case 13: ops->rmdir (&req, node, some_name ()); break;
  case 14: ops->rename (&req, node, some_name (), some_node (), some_name (), 0); break;
  default: {
    struct stat attr = { .st_size = fuzz_u16 (&in), .st_mode = 0600 };
    ops->setattr (&req, node, &attr, FUSE_SET_ATTR_SIZE | FUSE_SET_ATTR_MODE, NULL);
    break;
  }
  }
  finish (&req);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  static int quiet = -1;
  if (quiet == -1) {
    /* --list prints, and guest-calls.c logs breaches: not wanted here. */
    quiet = open ("/dev/null", O_WRONLY);
    dup2 (quiet, 1);
  }
  in = fuzz_input (data, size);
  ops = fsops_operations ();
  double_start (&fuzzed);
  uint8_t flags = fuzz_u8 (&in);
  if (flags & 16)
    double_btrfs_disk ();
  if (flags & 1)
    double_mount_code (flags >> 1 & SCAN_ALL);
  struct fs_config config = { .g = double_handle (), .cache_timeout = 1 };
  fs = fs_new (&config);
  if (!fs)
    return 0;
  nodes[0] = FUSE_ROOT_ID;
  n_nodes = 1;
  for (int k = 0; k < 64 && !fuzz_done (&in); k++)
    one_operation ();
  fs_flush_all (fs);
  fs_free (fs);
  return 0;
}
