/* test-hostile-appliance.c: the daemon's FUSE operations and mount code,
 * linked against the hostile appliance double (tests/hostile), given one
 * hostile reply at a time.
 *
 * For each libguestfs call the daemon makes and each kind of reply a
 * taken-over appliance could send it, the operation that makes the call
 * must answer the kernel exactly once, with EIO where the reply broke a
 * rule; then the same operation, answered honestly, must work again (the
 * mount goes on).  Run plain, under ASan/UBSan and under valgrind (as
 * every unit test): an overflow, a leak or a use after free fails it; an
 * alarm fails a hang. */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <linux/fuse.h>
#include "fsops/fsops.h"
#include "backend-select/metadata-probe.h"
#include "tests/hostile/appliance-double.h"
#include "tests/unit/check.h"

/* ---- the script: one call gets one kind of reply ---- */

static struct {
  const char *call, *also;     /* ALSO: a second call, failing */
  enum reply_kind kind;
  int errno_value, also_errno;
} script;

static enum reply_kind
scripted_kind (const char *call)
{
  if (!script.call)
    return REPLY_HONEST;
  if (strcmp (call, script.call) == 0)
    return script.kind;
  return script.also && strcmp (call, script.also) == 0 ? REPLY_FAIL : REPLY_HONEST;
}

static int
scripted_errno (void)
{
  return script.kind == REPLY_FAIL ? script.errno_value : script.also_errno;
}

static const struct double_driver scripted = { scripted_kind, scripted_errno };

static void
bend (const char *call, enum reply_kind kind)
{
  script.call = call;
  script.also = NULL;
  script.kind = kind;
  script.errno_value = EIO;
}

static void
honest (void)
{
  script.call = NULL;
}

/* ---- driving the operations ---- */

static const struct fuse_lowlevel_ops *ops;
static struct fs *fs;

static void
new_fs (void)
{
  double_start (&scripted);
  honest ();
  struct fs_config config = { .g = double_handle (), .cache_timeout = 1 };
  fs = fs_new (&config);
  if (!fs)
    abort ();
}

/* The one reply of an operation; the request is reset for the next. */
#define RUN(req, call)                                             \
  do {                                                             \
    double_request (&(req), fs);                                   \
    ops->call;                                                     \
    CHECK ((req).replies == 1);                                    \
  } while (0)

/* The node id of NAME in the directory PARENT, or 0 when the lookup failed
 * (its errno in *ERR). */
static fuse_ino_t
lookup (fuse_ino_t parent, const char *name, int *err)
{
  struct fuse_req req;
  RUN (req, lookup (&req, parent, name));
  *err = req.type == FUSE_REPLY_ERR ? req.err : 0;
  return req.type == FUSE_REPLY_ENTRY ? req.entry.ino : 0;
}

/* /d/NAME's node id, looked up honestly. */
static fuse_ino_t
in_d (const char *name)
{
  int e;
  const char *saved = script.call;
  script.call = NULL;
  fuse_ino_t d = lookup (FUSE_ROOT_ID, "d", &e);
  fuse_ino_t i = d ? lookup (d, name, &e) : 0;
  script.call = saved;
  return i;
}

/* What one operation answers, reduced to an errno (0: a good reply). */
typedef int (*operation) (void);

static int
reply_errno (struct fuse_req *req)
{
  int e = req->type == FUSE_REPLY_ERR ? req->err : 0;
  double_request_done (req);
  return e;
}

static int
op_lookup (void)
{
  int e;
  script.also = NULL;
  fuse_ino_t d = lookup (FUSE_ROOT_ID, "d", &e);
  if (!d)
    return e;
  return lookup (d, "f", &e) ? 0 : e;
}

static int
op_getattr (void)
{
  struct fuse_req req;
  RUN (req, getattr (&req, in_d ("e"), NULL));
  return reply_errno (&req);
}

static int
op_read (void)
{
  struct fuse_req req;
  fuse_ino_t f = in_d ("f");
  struct fuse_file_info fi = { .flags = O_RDONLY };
  RUN (req, open (&req, f, &fi));
  RUN (req, read (&req, f, 4096, 0, &fi));
  CHECK (req.type != FUSE_REPLY_BUF || req.len <= 4096);
  int e = reply_errno (&req);
  RUN (req, release (&req, f, &fi));
  return e;
}

static int
op_write (void)
{
  struct fuse_req req;
  fuse_ino_t f = in_d ("f");
  struct fuse_file_info fi = { .flags = O_RDWR };
  RUN (req, open (&req, f, &fi));
  RUN (req, write (&req, f, "0123456789", 10, 0, &fi));
  int e = reply_errno (&req);
  RUN (req, flush (&req, f, &fi));   /* sends the buffered write */
  if (!e)
    e = reply_errno (&req);
  RUN (req, release (&req, f, &fi));
  return e;
}

static int
op_readlink (void)
{
  struct fuse_req req;
  RUN (req, readlink (&req, in_d ("l")));
  CHECK (req.type != FUSE_REPLY_READLINK || (req.len > 0 && req.len < 4096));
  return reply_errno (&req);
}

/* Checks the names in one reply to readdir (readdirplus when PLUS) and
 * returns the offset of the last entry, or -1 when there was none. */
static off_t
check_entries (const struct fuse_req *req, bool plus)
{
  off_t last = -1;
  for (size_t at = 0; req->type == FUSE_REPLY_BUF && at < req->len; ) {
    const struct fuse_dirent *de = plus
      ? &((const struct fuse_direntplus *) (req->buf + at))->dirent
      : (const struct fuse_dirent *) (req->buf + at);
    CHECK (de->namelen > 0 && de->namelen <= 255 && !memchr (de->name, '/', de->namelen));
    last = (off_t) de->off;
    at += plus ? FUSE_DIRENTPLUS_SIZE ((const struct fuse_direntplus *) (req->buf + at))
               : FUSE_DIRENT_SIZE (de);
  }
  return last;
}

/* Lists /d (with attributes when PLUS) as the kernel does: from where the
 * last reply ended, until one comes back empty or an error. */
static int
list_d (bool plus)
{
  struct fuse_req req;
  int e;
  fuse_ino_t d = lookup (FUSE_ROOT_ID, "d", &e);
  if (!d)
    return e;
  struct fuse_file_info fi = { 0 };
  RUN (req, opendir (&req, d, &fi));
  if ((e = reply_errno (&req)))
    return e;
  for (off_t off = 0; off >= 0 && !e; ) {
    if (plus)
      RUN (req, readdirplus (&req, d, 4096, off, &fi));
    else
      RUN (req, readdir (&req, d, 4096, off, &fi));
    off = check_entries (&req, plus);
    e = reply_errno (&req);
  }
  struct fuse_req done;
  RUN (done, releasedir (&done, d, &fi));
  return e;
}

static int op_readdir (void) { return list_d (false); }
static int op_readdirplus (void) { return list_d (true); }

static int
op_getxattr (void)
{
  struct fuse_req req;
  RUN (req, getxattr (&req, in_d ("f"), "user.a", 100));
  CHECK (req.type != FUSE_REPLY_BUF || req.len <= 100);
  return reply_errno (&req);
}

static int
op_listxattr (void)
{
  struct fuse_req req;
  RUN (req, listxattr (&req, in_d ("f"), 0));
  CHECK (req.type != FUSE_REPLY_XATTR || req.count <= 65536);
  return reply_errno (&req);
}

static int
op_setxattr (void)
{
  struct fuse_req req;
  RUN (req, setxattr (&req, in_d ("f"), "user.b", "w", 1, 0));
  return reply_errno (&req);
}

static int
op_statfs (void)
{
  struct fuse_req req;
  RUN (req, statfs (&req, FUSE_ROOT_ID));
  CHECK (req.type != FUSE_REPLY_STATFS ||
         (req.statfs.f_bsize > 0 && req.statfs.f_bfree <= req.statfs.f_blocks));
  return reply_errno (&req);
}

static int
op_create (void)
{
  static unsigned n;
  char name[32];
  snprintf (name, sizeof name, "new%u", n++);
  struct fuse_req req;
  struct fuse_file_info fi = { .flags = O_RDWR };
  fuse_ino_t d = in_d ("e");
  RUN (req, create (&req, d, name, 0644, &fi));
  fuse_ino_t made = req.type == FUSE_REPLY_CREATE ? req.entry.ino : 0;
  int e = reply_errno (&req);
  if (made) {
    RUN (req, release (&req, made, &fi));
  }
  return e;
}

/* rmdir of a directory the appliance says is not empty: its names are
 * listed (ls) to see whether only hidden files are left. */
static int
op_rmdir (void)
{
  struct fuse_req req;
  int e;
  fuse_ino_t d = lookup (FUSE_ROOT_ID, "d", &e);
  script.also = "rmdir";
  script.also_errno = ENOTEMPTY;
  RUN (req, rmdir (&req, d, "e"));
  script.also = NULL;
  return reply_errno (&req);
}

/* ---- the cases ---- */

struct hostile_case {
  const char *call;
  enum reply_kind kind;
  operation op;
};

/* Every one must fail with EIO, and work again once replies are honest. */
static const struct hostile_case eio_cases[] = {
  /* 1: a read answered with more than was asked (a heap overflow) */
  { "pread", REPLY_OVERSIZE, op_read },
  /* 2: a write said to have written more, or nothing */
  { "pwrite", REPLY_OVERSIZE, op_write },
  { "pwrite", REPLY_UNDERSIZE, op_write },
  { "pwrite", REPLY_NEGATIVE, op_write },
  /* 4: identities of a directory above (a loop of names) */
  { "lstatns", REPLY_ANCESTOR, op_lookup },
  { "lstatns", REPLY_ROOT, op_lookup },
  { "lstatnslist", REPLY_ANCESTOR, op_readdirplus },
  { "lstatnslist", REPLY_ROOT, op_readdirplus },
  { "lstatnslist", REPLY_ANCESTOR, op_create },
  /* attributes no file has */
  { "lstatns", REPLY_BAD_MODE, op_lookup },
  { "lstatns", REPLY_NEGATIVE, op_lookup },
  { "lstatns", REPLY_BAD_TIME, op_getattr },
  { "lstatnslist", REPLY_BAD_MODE, op_readdirplus },
  { "lstatnslist", REPLY_OVERSIZE, op_readdirplus },
  { "lstatnslist", REPLY_UNDERSIZE, op_readdirplus },
  { "lstatnslist", REPLY_UNDERSIZE, op_create },
  /* names no directory holds */
  { "readdir", REPLY_BAD_NAME, op_readdir },
  { "readdir", REPLY_BAD_NAME, op_readdirplus },
  { "ls", REPLY_BAD_NAME, op_rmdir },
  /* over-long values */
  { "readlink", REPLY_OVERSIZE, op_readlink },
  { "readlink", REPLY_UNDERSIZE, op_readlink },
  { "lgetxattr", REPLY_OVERSIZE, op_getxattr },
  { "lgetxattrs", REPLY_OVERSIZE, op_listxattr },
  { "lgetxattrs", REPLY_BAD_NAME, op_listxattr },
  { "statvfs", REPLY_NEGATIVE, op_statfs },
  { "statvfs", REPLY_UNDERSIZE, op_statfs },
  { "statvfs", REPLY_OVERSIZE, op_statfs },
};

static void
run_eio_cases (void)
{
  for (size_t k = 0; k < sizeof eio_cases / sizeof eio_cases[0]; k++) {
    const struct hostile_case *c = &eio_cases[k];
    new_fs ();
    bend (c->call, c->kind);
    unsigned before = double_calls (c->call);
    int e = c->op ();
    if (e != EIO)
      fprintf (stderr, "case %zu (%s, kind %d): errno %d, not EIO\n", k, c->call, c->kind, e);
    CHECK (e == EIO);
    CHECK (double_calls (c->call) > before);
    honest ();
    e = c->op ();
    if (e)
      fprintf (stderr, "case %zu (%s) honest again: errno %d\n", k, c->call, e);
    CHECK (e == 0);
    fs_free (fs);
  }
}

/* 6: an errno no kernel has must not reach the kernel (a FUSE reply it
 * refuses leaves the caller unkillable). */
static void
run_errno_cases (void)
{
  static const int bad[] = { 0, -5, 512, 600, 999, 1000, 4095, 99999 };
  static const operation some_ops[] = { op_lookup, op_read, op_write, op_readdirplus,
                                        op_getxattr, op_setxattr, op_statfs, op_create };
  static const char *const calls[] = { "lstatns", "pread", "pwrite", "lstatnslist",
                                       "lgetxattr", "lsetxattr", "statvfs", "mknod" };
  for (size_t b = 0; b < sizeof bad / sizeof bad[0]; b++)
    for (size_t k = 0; k < sizeof some_ops / sizeof some_ops[0]; k++) {
      new_fs ();
      bend (calls[k], REPLY_FAIL);
      script.errno_value = bad[b];
      int e = some_ops[k] ();
      if (e != EIO)
        fprintf (stderr, "errno %d through %s: replied %d\n", bad[b], calls[k], e);
      CHECK (e == EIO);
      fs_free (fs);
    }
  /* A real errno passes. */
  new_fs ();
  bend ("lstatns", REPLY_FAIL);
  script.errno_value = EACCES;
  CHECK (op_lookup () == EACCES);
  fs_free (fs);
}

/* 4: after a loop was refused, paths still resolve (nothing hangs). */
static void
run_loop_case (void)
{
  new_fs ();
  int e;
  fuse_ino_t d = lookup (FUSE_ROOT_ID, "d", &e);
  fuse_ino_t sub = lookup (d, "e", &e);
  CHECK (d && sub);
  bend ("lstatns", REPLY_ANCESTOR);
  CHECK (lookup (sub, "x", &e) == 0 && e == 0);        /* no such name */
  CHECK (lookup (d, "e", &e) == 0 && e == EIO);        /* /d/e said to be /d */
  honest ();
  struct fuse_req req;
  RUN (req, getattr (&req, sub, NULL));
  CHECK (req.type == FUSE_REPLY_ATTR);
  RUN (req, forget (&req, sub, 1));
  RUN (req, forget (&req, d, 1));
  fs_free (fs);
}

/* --list prints: not wanted in the test's output. */
static int
quiet_stdout (void)
{
  fflush (stdout);
  int saved = dup (1), null = open ("/dev/null", O_WRONLY);
  dup2 (null, 1);
  close (null);
  return saved;
}

static void
restore_stdout (int saved)
{
  fflush (stdout);
  dup2 (saved, 1);
  close (saved);
}

/* 3: lists of pairs with an odd count, escapes, over-long strings: the
 * mount code must refuse them, not walk off the end. */
static void
run_mount_cases (void)
{
  static const char *const calls[] = { "list_filesystems", "inspect_get_mountpoints",
                                       "list_devices", "list_partitions", "lvs", "blkid",
                                       "inspect_os", "mountpoints" };
  static const unsigned scans[] = { 0, SCAN_LVM, SCAN_ALL };
  static const enum reply_kind kinds[] = { REPLY_ODD, REPLY_ESCAPES, REPLY_OVERSIZE };
  int saved_stdout = quiet_stdout ();
  for (size_t c = 0; c < sizeof calls / sizeof calls[0]; c++)
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++)
      for (size_t v = 0; v < sizeof scans / sizeof scans[0]; v++) {
        double_start (&scripted);
        bend (calls[c], kinds[k]);
        double_mount_code (scans[v]);
        /* fs_new reads mountpoints for the names' case rules. */
        struct fs_config config = { .g = double_handle (), .cache_timeout = 1 };
        struct fs *f = fs_new (&config);
        CHECK (f != NULL);
        fs_free (f);
      }
  restore_stdout (saved_stdout);
}

/* Is the root found on the btrfs disk @, with no other probed as one? */
static bool
root_is_at_alone (void)
{
  const char *first = double_root_mounted (0);
  return first && strcmp (first, "btrfsvol:/dev/sda1/@") == 0 && !double_root_mounted (1);
}

/* 4: the btrfs disk, its subvolumes named by list_filesystems with the
 * appliance kernel's name for the disk (tcg/51-fstab-roots saw it, one run
 * in several): the root must be @ with guestfsd's name, and its snapshot
 * no second system.  Then hostile subvolume lists: nothing they name is
 * mounted. */
static void
run_btrfs_cases (void)
{
  static const enum reply_kind kinds[] = { REPLY_FAIL, REPLY_BAD_NAME, REPLY_ESCAPES,
                                           REPLY_OVERSIZE, REPLY_UNDERSIZE, REPLY_NEGATIVE };
  int saved_stdout = quiet_stdout ();
  double_start (&scripted);
  honest ();
  double_btrfs_disk ();
  double_mount_code (0);
  CHECK (root_is_at_alone ());
  CHECK (double_calls ("list_filesystems") == 1);   /* --list's only */
  for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++)
    for (int call = 0; call < 2; call++) {
      double_start (&scripted);
      bend (call ? "btrfs_subvolume_get_default" : "btrfs_subvolume_list", kinds[k]);
      double_btrfs_disk ();
      double_mount_code (0);
      for (size_t j = 0; double_root_mounted (j); j++) {
        const char *root = double_root_mounted (j);
        CHECK (strlen (root) < 40 && !strstr (root, "..") && !strchr (root, '\033') &&
               !strstr (root, "//"));
      }
    }
  restore_stdout (saved_stdout);
}

/* 5: a whole-disk filesystem with a phantom partition, without the
 * agent's device report: the disk is mounted, not the phantom. */
static void
run_phantom_case (void)
{
  int saved_stdout = quiet_stdout ();
  double_start (&scripted);
  honest ();
  double_phantom_partition ();
  double_mount_code (0);
  const char *root = double_root_mounted (0);
  CHECK (root && strcmp (root, "/dev/sda") == 0 && !double_root_mounted (1));
  restore_stdout (saved_stdout);
}

/* Where sanitizer reports go, when built with them: they must not vanish
 * with the daemon's log below. */
extern void __sanitizer_set_report_fd (void *fd) __attribute__ ((weak));

int
main (void)
{
  alarm (60);   /* a hang fails the test */
  ops = fsops_operations ();
  /* What the daemon logs of each breach (once per call) is wanted only
   * beside a failed check. */
  FILE *log = tmpfile ();
  if (!log)
    return 1;
  int saved_stderr = dup (2);
  if (__sanitizer_set_report_fd)
    __sanitizer_set_report_fd ((void *) (intptr_t) saved_stderr);
  dup2 (fileno (log), 2);
  run_eio_cases ();
  run_errno_cases ();
  run_loop_case ();
  run_mount_cases ();
  run_btrfs_cases ();
  run_phantom_case ();
  int r = CHECK_DONE ();
  fflush (stderr);
  dup2 (saved_stderr, 2);
  if (r) {
    char line[1024];
    rewind (log);
    while (fgets (line, sizeof line, log))
      fputs (line, stderr);
  }
  fclose (log);
  close (saved_stderr);
  return r;
}
