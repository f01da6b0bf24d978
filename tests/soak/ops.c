/* ops.c: the soak worker's operations, each checked against the model;
 * see ops.h. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "ops.h"
#include "rng.h"

/* Bounds that keep a worker's model, and the image, a sensible size. */
#define MAX_FILES 10
#define MAX_DIRS 6
#define MAX_DEPTH 3
#define MAX_FILE_SIZE (4u << 20)
#define SHARED_MAX_SIZE (3u << 20)

static const char *const names[OP_COUNT] = {
  "create", "write", "read", "truncate", "rename", "unlink", "mkdir", "rmdir",
  "readdir", "stat", "fsync", "reopen", "shared_write", "shared_read", "chmod", "final_check",
};

/* How often each operation is chosen, out of their sum. */
static const unsigned weights[OP_COUNT] = {
  [OP_CREATE] = 6, [OP_WRITE] = 20, [OP_READ] = 16, [OP_TRUNCATE] = 6,
  [OP_RENAME] = 6, [OP_UNLINK] = 4, [OP_MKDIR] = 3, [OP_RMDIR] = 3,
  [OP_READDIR] = 6, [OP_STAT] = 10, [OP_FSYNC] = 3, [OP_REOPEN] = 7,
  [OP_SHARED_WRITE] = 5, [OP_SHARED_READ] = 5, [OP_CHMOD] = 4,
};

const char *
op_name (enum op op)
{
  return names[op];
}

uint64_t
now_ns (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (uint64_t) ts.tv_sec * 1000000000ull + (uint64_t) ts.tv_nsec;
}

__attribute__ ((format (printf, 2, 3))) static int
fail (struct worker *w, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  vsnprintf (w->error, sizeof w->error, fmt, ap);
  va_end (ap);
  fprintf (stderr, "soak: thread %d: %s\n", w->id, w->error);
  return -1;
}

static int
fail_errno (struct worker *w, const char *what, const char *path)
{
  return fail (w, "%s %s: %s", what, path ? path : "(unlinked)", strerror (errno));
}

/* ---- picking ---- */

static size_t
count (const struct model *m, bool dir, bool named)
{
  size_t n = 0;
  for (size_t k = 0; k < m->n; k++)
    if (m->e[k]->dir == dir && (!named || m->e[k]->path))
      n++;
  return n;
}

/* A random entry of the kind asked for, or NULL if there is none.
 * OPEN_ONLY: only files with a descriptor. */
static struct entry *
pick (struct worker *w, bool dir, bool named, bool open_only)
{
  size_t n = 0;
  struct entry *chosen = NULL;
  for (size_t k = 0; k < w->model.n; k++) {
    struct entry *e = w->model.e[k];
    if (e->dir != dir || (named && !e->path) || (open_only && e->fd == -1))
      continue;
    if (rng_range (&w->rng, 0, n++) == 0)   /* reservoir sampling */
      chosen = e;
  }
  return chosen;
}

/* The worker's own root or one of its directories. */
static const char *
pick_dir (struct worker *w, char *root)
{
  struct entry *d = rng_range (&w->rng, 0, 2) ? pick (w, true, true, false) : NULL;
  sprintf (root, "t%d", w->id);
  return d ? d->path : root;
}

static int
depth (const char *path)
{
  int d = 0;
  for (; *path; path++)
    d += *path == '/';
  return d;
}

static char *
new_name (struct worker *w, const char *dir, char kind)
{
  char *path;
  /* Now and then a long name, to cross the short-name sizes. */
  const char *pad = rng_range (&w->rng, 0, 7) ? "" : "-a-somewhat-longer-name-than-usual";
  if (asprintf (&path, "%s/%c%u%s", dir, kind, w->next_name++, pad) < 0)
    abort ();
  return path;
}

/* ---- checked I/O ---- */

static int
ensure_open (struct worker *w, struct entry *e)
{
  if (e->fd >= 0)
    return 0;
  e->fd = openat (w->base, e->path, O_RDWR | O_CLOEXEC);
  return e->fd >= 0 ? 0 : fail_errno (w, "open", e->path);
}

static int
pwrite_all (int fd, const unsigned char *buf, size_t len, off_t off)
{
  while (len > 0) {
    ssize_t n = pwrite (fd, buf, len, off);
    if (n <= 0) {
      if (n == 0)
        errno = EIO;
      return -1;
    }
    buf += n;
    len -= (size_t) n;
    off += n;
  }
  return 0;
}

/* Reads until LEN bytes or end of file.  Returns the count, or -1. */
static ssize_t
pread_all (int fd, unsigned char *buf, size_t len, off_t off)
{
  size_t got = 0;
  while (got < len) {
    ssize_t n = pread (fd, buf + got, len - got, off + (off_t) got);
    if (n < 0)
      return -1;
    if (n == 0)
      break;
    got += (size_t) n;
  }
  return (ssize_t) got;
}

/* Reads LEN bytes at OFF of E through FD and compares with the model,
 * short reads at end of file included. */
static int
verify_range (struct worker *w, struct entry *e, int fd, size_t off, size_t len)
{
  ssize_t got = pread_all (fd, w->rbuf, len, (off_t) off);
  if (got < 0)
    return fail_errno (w, "read", e->path);
  size_t expected = off >= e->size ? 0 : (e->size - off < len ? e->size - off : len);
  if ((size_t) got != expected)
    return fail (w, "read %s at %zu: %zd bytes, expected %zu (size %zu)",
                 e->path ? e->path : "(unlinked)", off, got, expected, e->size);
  if (memcmp (w->rbuf, e->data + off, expected) != 0) {
    size_t k = 0;
    while (w->rbuf[k] == e->data[off + k])
      k++;
    return fail (w, "read %s at %zu+%zu: contents differ first at byte %zu "
                 "(got 0x%02x, expected 0x%02x)", e->path ? e->path : "(unlinked)",
                 off, expected, off + k, w->rbuf[k], e->data[off + k]);
  }
  return 0;
}

static int
check_attrs (struct worker *w, struct entry *e, const struct stat *st)
{
  if (!e->dir && !S_ISREG (st->st_mode))
    return fail (w, "stat %s: not a regular file (mode %o)", e->path, st->st_mode);
  if (e->dir && !S_ISDIR (st->st_mode))
    return fail (w, "stat %s: not a directory (mode %o)", e->path, st->st_mode);
  if (!e->dir && (size_t) st->st_size != e->size)
    return fail (w, "stat %s: size %lld, expected %zu", e->path ? e->path : "(unlinked)",
                 (long long) st->st_size, e->size);
  if (e->perm && (st->st_mode & 07777) != e->perm)
    return fail (w, "stat %s: mode %o, expected %o", e->path ? e->path : "(unlinked)",
                 st->st_mode & 07777, e->perm);
  return 0;
}

/* Lists DIR and checks it names exactly the model's entries there. */
static int
verify_dir (struct worker *w, const char *dir)
{
  int fd = openat (w->base, dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  DIR *d = fd >= 0 ? fdopendir (fd) : NULL;
  if (!d) {
    if (fd >= 0)
      close (fd);
    return fail_errno (w, "opendir", dir);
  }
  size_t seen = 0;
  int r = 0;
  struct dirent *de;
  errno = 0;
  while (r == 0 && (de = readdir (d))) {
    if (strcmp (de->d_name, ".") == 0 || strcmp (de->d_name, "..") == 0)
      continue;
    char *path;
    if (asprintf (&path, "%s/%s", dir, de->d_name) < 0)
      abort ();
    struct entry *e = model_find (&w->model, path);
    if (!e)
      r = fail (w, "readdir %s: unexpected entry %s", dir, de->d_name);
    else if (de->d_type != DT_UNKNOWN && (de->d_type == DT_DIR) != e->dir)
      r = fail (w, "readdir %s: %s has the wrong type %d", dir, de->d_name, de->d_type);
    free (path);
    seen++;
  }
  if (r == 0 && errno)
    r = fail_errno (w, "readdir", dir);
  closedir (d);
  size_t expected = model_count_children (&w->model, dir);
  if (r == 0 && seen != expected)
    r = fail (w, "readdir %s: %zu entries, expected %zu", dir, seen, expected);
  return r;
}

/* Drops the file's cached pages, so that the next read goes to the
 * daemon rather than the page cache. */
static void
drop_cache (int fd)
{
  posix_fadvise (fd, 0, 0, POSIX_FADV_DONTNEED);
}

/* Reads all of E through FD, from the daemon rather than the page cache,
 * and compares it with the model, end of file included. */
static int
verify_whole (struct worker *w, struct entry *e, int fd)
{
  drop_cache (fd);
  int r = 0;
  for (size_t off = 0; r == 0 && off <= e->size; off += IO_MAX)
    r = verify_range (w, e, fd, off, IO_MAX);
  return r;
}

/* Closes E's descriptor; an unnamed file is then gone for good. */
static int
close_entry (struct worker *w, struct entry *e)
{
  drop_cache (e->fd);
  int r = close (e->fd);
  e->fd = -1;
  if (r == -1)
    r = fail_errno (w, "close", e->path);
  if (!e->path)
    model_remove (&w->model, e);
  return r;
}

/* Files in the worker's root may lose their name while open: imgmount
 * keeps such a file in its directory until closed, so that the directory
 * cannot be removed meanwhile (README, "Limits"), and the root never is. */
static bool
in_root (const struct entry *e)
{
  return depth (e->path) == 1;
}

/* E's name is going (unlink, or renamed over): closed, it leaves the
 * model; open, it lives on without a name until closed. */
static void
lose_name (struct worker *w, struct entry *e)
{
  if (e->fd >= 0) {
    free (e->path);
    e->path = NULL;
  }
  else
    model_remove (&w->model, e);
}

/* ---- the operations ---- */

static size_t
pick_io_size (struct worker *w)
{
  uint64_t r = rng_range (&w->rng, 0, 99);
  if (r < 55)
    return rng_range (&w->rng, 1, 8192);
  if (r < 85)
    return rng_range (&w->rng, 8193, 256 << 10);
  return rng_range (&w->rng, 1u << 20, (5u << 20) / 2);   /* > 1 MiB, unaligned */
}

static int
do_create (struct worker *w)
{
  char root[32];
  char *path = new_name (w, pick_dir (w, root), 'f');
  int fd = openat (w->base, path, O_CREAT | O_EXCL | O_RDWR | O_CLOEXEC, 0644);
  int r = fd >= 0 ? 0 : fail_errno (w, "create", path);
  if (r == 0)
    model_add (&w->model, path, false)->fd = fd;
  free (path);
  return r;
}

static int
do_write (struct worker *w)
{
  struct entry *e = pick (w, false, false, false);
  if (!e || ensure_open (w, e) == -1)
    return e ? -1 : 0;
  size_t len = pick_io_size (w), off;
  uint64_t where = rng_range (&w->rng, 0, 9);
  if (where < 4)
    off = e->size;                                          /* append */
  else if (where < 8)
    off = rng_range (&w->rng, 0, e->size);                  /* overwrite */
  else
    off = e->size + rng_range (&w->rng, 1, 128 << 10);      /* leave a hole */
  if (off + len > MAX_FILE_SIZE)
    off = MAX_FILE_SIZE - len;
  rng_fill (&w->rng, w->wbuf, len);
  if (pwrite_all (e->fd, w->wbuf, len, (off_t) off) == -1)
    return fail (w, "write %s at %zu+%zu: %s", e->path ? e->path : "(unlinked)",
                 off, len, strerror (errno));
  model_write (e, w->wbuf, len, off);
  return 0;
}

static int
do_read (struct worker *w)
{
  struct entry *e = pick (w, false, false, false);
  if (!e || ensure_open (w, e) == -1)
    return e ? -1 : 0;
  size_t off = rng_range (&w->rng, 0, e->size + 100);
  size_t len = rng_range (&w->rng, 0, 3) ? rng_range (&w->rng, 1, 64 << 10)
                                         : rng_range (&w->rng, 1, IO_MAX);
  return verify_range (w, e, e->fd, off, len);
}

static int
do_truncate (struct worker *w)
{
  struct entry *e = pick (w, false, false, false);
  if (!e)
    return 0;
  size_t size = rng_range (&w->rng, 0, 1)
    ? rng_range (&w->rng, 0, e->size)                        /* down */
    : rng_range (&w->rng, e->size, e->size + (3u << 20));    /* up */
  if (size > MAX_FILE_SIZE)
    size = MAX_FILE_SIZE;
  int r;
  if (e->fd >= 0 && (rng_range (&w->rng, 0, 1) || !e->path))
    r = ftruncate (e->fd, (off_t) size);
  else {
    char *full;
    if (asprintf (&full, "%s/%s", w->base_path, e->path) < 0)
      abort ();
    r = truncate (full, (off_t) size);
    free (full);
  }
  if (r == -1)
    return fail (w, "truncate %s to %zu: %s", e->path ? e->path : "(unlinked)", size,
                 strerror (errno));
  model_resize (e, size);
  return 0;
}

/* Is PATH DIR itself or below it? */
static bool
under (const char *path, const char *dir)
{
  size_t n = strlen (dir);
  return strncmp (path, dir, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

static int
do_rename (struct worker *w)
{
  char root[32];
  bool dir = count (&w->model, true, true) > 0 && rng_range (&w->rng, 0, 3) == 0;
  struct entry *e = pick (w, dir, true, false);
  if (!e)
    return 0;
  const char *to_dir = pick_dir (w, root);
  if (dir && (under (to_dir, e->path) || depth (to_dir) >= MAX_DEPTH))
    return 0;
  /* Sometimes over another file, which may be open: it must then stay
   * usable through its descriptor. */
  struct entry *victim = dir || rng_range (&w->rng, 0, 2) ? NULL : pick (w, false, true, false);
  if (victim == e)
    victim = NULL;
  if (victim && victim->fd >= 0 && !in_root (victim) && close_entry (w, victim) == -1)
    return -1;
  char *to = victim ? strdup (victim->path) : new_name (w, to_dir, dir ? 'd' : 'f');
  char *from = strdup (e->path);
  int r = 0;
  if (renameat (w->base, from, w->base, to) == -1)
    r = fail (w, "rename %s to %s: %s", from, to, strerror (errno));
  else {
    if (victim)
      lose_name (w, victim);
    model_rename (&w->model, from, to);
  }
  free (from);
  free (to);
  return r;
}

static int
do_unlink (struct worker *w)
{
  struct entry *e = pick (w, false, true, false);
  if (!e)
    return 0;
  /* Half the time while open: it must stay usable through its descriptor. */
  if (e->fd >= 0 && (!in_root (e) || rng_range (&w->rng, 0, 1)) && close_entry (w, e) == -1)
    return -1;
  if (unlinkat (w->base, e->path, 0) == -1)
    return fail_errno (w, "unlink", e->path);
  lose_name (w, e);
  return 0;
}

static int
do_mkdir (struct worker *w)
{
  char root[32];
  const char *parent = pick_dir (w, root);
  if (depth (parent) >= MAX_DEPTH)
    return 0;
  char *path = new_name (w, parent, 'd');
  int r = mkdirat (w->base, path, 0755) == 0 ? 0 : fail_errno (w, "mkdir", path);
  if (r == 0)
    model_add (&w->model, path, true);
  free (path);
  return r;
}

static int
do_rmdir (struct worker *w)
{
  struct entry *d = pick (w, true, true, false);
  if (!d)
    return 0;
  bool empty = model_count_children (&w->model, d->path) == 0;
  if (unlinkat (w->base, d->path, AT_REMOVEDIR) == 0) {
    if (!empty)
      return fail (w, "rmdir %s: succeeded on a directory that is not empty", d->path);
    model_remove (&w->model, d);
    return 0;
  }
  if (empty || errno != ENOTEMPTY)
    return fail_errno (w, "rmdir", d->path);
  return 0;
}

static int
do_readdir (struct worker *w)
{
  char root[32];
  return verify_dir (w, pick_dir (w, root));
}

static int
do_stat (struct worker *w)
{
  struct entry *e = pick (w, rng_range (&w->rng, 0, 4) == 0, false, false);
  if (!e)
    return 0;
  struct stat st;
  int r = e->path ? fstatat (w->base, e->path, &st, AT_SYMLINK_NOFOLLOW) : fstat (e->fd, &st);
  if (r == -1)
    return fail_errno (w, "stat", e->path);
  return check_attrs (w, e, &st);
}

/* A chmod of a file or directory, through its descriptor or its name,
 * sometimes right after a stat of it (imgmount answers that one from the
 * stat), then a stat that must show the new mode. */
static int
do_chmod (struct worker *w)
{
  static const mode_t file_modes[] = { 0600, 0604, 0640, 0644, 0700, 0755 };
  static const mode_t dir_modes[] = { 0700, 0711, 0750, 0755, 01777 };
  bool dir = rng_range (&w->rng, 0, 3) == 0;
  struct entry *e = pick (w, dir, false, false);
  if (!e || (!e->path && e->fd == -1))
    return 0;
  mode_t mode = dir ? dir_modes[rng_range (&w->rng, 0, 4)] : file_modes[rng_range (&w->rng, 0, 5)];
  bool by_fd = e->fd != -1 && (!e->path || rng_range (&w->rng, 0, 1));
  struct stat st;
  if (rng_range (&w->rng, 0, 1) &&
      (by_fd ? fstat (e->fd, &st) : fstatat (w->base, e->path, &st, AT_SYMLINK_NOFOLLOW)) == -1)
    return fail_errno (w, "stat before chmod", e->path);
  if ((by_fd ? fchmod (e->fd, mode) : fchmodat (w->base, e->path, mode, 0)) == -1)
    return fail_errno (w, "chmod", e->path);
  e->perm = mode;
  if ((by_fd ? fstat (e->fd, &st) : fstatat (w->base, e->path, &st, AT_SYMLINK_NOFOLLOW)) == -1)
    return fail_errno (w, "stat after chmod", e->path);
  return check_attrs (w, e, &st);
}

static int
do_fsync (struct worker *w)
{
  struct entry *e = pick (w, false, false, true);
  int fd = e ? e->fd : w->shared_fd;
  if ((rng_range (&w->rng, 0, 1) ? fsync (fd) : fdatasync (fd)) == -1)
    return fail_errno (w, "fsync", e ? e->path : "shared");
  return 0;
}

static int
do_reopen (struct worker *w)
{
  struct entry *e = pick (w, false, false, true);
  if (!e)
    return 0;
  bool named = e->path != NULL;
  if (close_entry (w, e) == -1)
    return -1;
  if (!named || rng_range (&w->rng, 0, 2))
    return 0;   /* closed; the next operation on it opens it again */
  bool trunc = rng_range (&w->rng, 0, 5) == 0;
  e->fd = openat (w->base, e->path, O_RDWR | O_CLOEXEC | (trunc ? O_TRUNC : 0));
  if (e->fd == -1)
    return fail_errno (w, "reopen", e->path);
  if (trunc)
    model_resize (e, 0);
  return 0;
}

static int
do_shared_write (struct worker *w)
{
  struct shared_file *s = w->shared;
  pthread_mutex_lock (&s->lock);
  struct entry *e = s->model.e[0];
  int r = 0;
  if (rng_range (&w->rng, 0, 9) == 0) {
    size_t size = rng_range (&w->rng, 0, SHARED_MAX_SIZE);
    if (ftruncate (w->shared_fd, (off_t) size) == -1)
      r = fail (w, "truncate shared to %zu: %s", size, strerror (errno));
    else
      model_resize (e, size);
  }
  else {
    size_t len = rng_range (&w->rng, 1, 512 << 10);
    size_t off = rng_range (&w->rng, 0, e->size);
    if (off + len > SHARED_MAX_SIZE)
      off = SHARED_MAX_SIZE - len;
    rng_fill (&w->rng, w->wbuf, len);
    if (pwrite_all (w->shared_fd, w->wbuf, len, (off_t) off) == -1)
      r = fail (w, "write shared at %zu+%zu: %s", off, len, strerror (errno));
    else
      model_write (e, w->wbuf, len, off);
  }
  pthread_mutex_unlock (&s->lock);
  return r;
}

static int
do_shared_read (struct worker *w)
{
  struct shared_file *s = w->shared;
  pthread_mutex_lock (&s->lock);
  struct entry *e = s->model.e[0];
  struct stat st;
  int r = fstat (w->shared_fd, &st) == -1 ? fail_errno (w, "stat", e->path)
                                         : check_attrs (w, e, &st);
  if (r == 0) {
    size_t off = rng_range (&w->rng, 0, e->size);
    r = verify_range (w, e, w->shared_fd, off, rng_range (&w->rng, 1, 1u << 20));
  }
  pthread_mutex_unlock (&s->lock);
  return r;
}

static int (*const run[OP_COUNT]) (struct worker *) = {
  [OP_CREATE] = do_create, [OP_WRITE] = do_write, [OP_READ] = do_read,
  [OP_TRUNCATE] = do_truncate, [OP_RENAME] = do_rename, [OP_UNLINK] = do_unlink,
  [OP_MKDIR] = do_mkdir, [OP_RMDIR] = do_rmdir, [OP_READDIR] = do_readdir,
  [OP_STAT] = do_stat, [OP_FSYNC] = do_fsync, [OP_REOPEN] = do_reopen,
  [OP_SHARED_WRITE] = do_shared_write, [OP_SHARED_READ] = do_shared_read,
  [OP_CHMOD] = do_chmod,
};

static enum op
choose (struct worker *w)
{
  unsigned total = 0;
  for (int k = 0; k < OP_COUNT; k++)
    total += weights[k];
  unsigned r = (unsigned) rng_range (&w->rng, 0, total - 1);
  enum op op = 0;
  while (r >= weights[op])
    r -= weights[op++];
  /* Keep the tree within its bounds: too many of a kind turns a create
   * into a removal. */
  if (op == OP_CREATE && count (&w->model, false, false) >= MAX_FILES)
    op = OP_UNLINK;
  if (op == OP_MKDIR && count (&w->model, true, true) >= MAX_DIRS)
    op = OP_RMDIR;
  return op;
}

/* Runs OP under the stall watchdog's eye, recording its latency. */
static int
timed (struct worker *w, enum op op, int (*fn) (struct worker *))
{
  uint64_t start = now_ns ();
  atomic_store (&w->op_running, (int) op);
  atomic_store (&w->op_started_ns, start);
  int r = fn (w);
  atomic_store (&w->op_started_ns, 0);
  double secs = (double) (now_ns () - start) / 1e9;
  if (secs > w->max_latency) {
    w->max_latency = secs;
    w->max_latency_op = op;
  }
  w->counts[op]++;
  return r;
}

int
worker_step (struct worker *w)
{
  enum op op = choose (w);
  return timed (w, op, run[op]);
}

static int
final_check (struct worker *w)
{
  /* Files without a name first: closing them removes them. */
  for (size_t k = w->model.n; k-- > 0;) {
    struct entry *e = w->model.e[k];
    if (!e->path && (verify_whole (w, e, e->fd) == -1 || close_entry (w, e) == -1))
      return -1;
  }
  char root[32];
  sprintf (root, "t%d", w->id);
  if (verify_dir (w, root) == -1)
    return -1;
  for (size_t k = 0; k < w->model.n; k++) {
    struct entry *e = w->model.e[k];
    if (e->dir) {
      if (verify_dir (w, e->path) == -1)
        return -1;
      continue;
    }
    if (e->fd >= 0 && close_entry (w, e) == -1)
      return -1;
    int fd = openat (w->base, e->path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd == -1 || fstat (fd, &st) == -1) {
      int r = fail_errno (w, "final open", e->path);
      if (fd >= 0)
        close (fd);
      return r;
    }
    int r = check_attrs (w, e, &st);
    if (r == 0)
      r = verify_whole (w, e, fd);
    close (fd);
    if (r == -1)
      return -1;
  }
  return 0;
}

int
worker_final_check (struct worker *w)
{
  return timed (w, OP_FINAL_CHECK, final_check);
}

static int
shared_check (struct worker *w)
{
  return verify_whole (w, w->shared->model.e[0], w->shared_fd);
}

int
shared_final_check (struct worker *w)
{
  return timed (w, OP_FINAL_CHECK, shared_check);
}

int
worker_init (struct worker *w)
{
  char root[32];
  sprintf (root, "t%d", w->id);
  w->wbuf = malloc (IO_MAX);
  w->rbuf = malloc (IO_MAX);
  if (!w->wbuf || !w->rbuf)
    return fail (w, "out of memory");
  if (mkdirat (w->base, root, 0755) == -1)
    return fail_errno (w, "mkdir", root);
  const char *shared = w->shared->model.e[0]->path;
  w->shared_fd = openat (w->base, shared, O_RDWR | O_CLOEXEC);
  return w->shared_fd >= 0 ? 0 : fail_errno (w, "open", shared);
}

void
worker_free (struct worker *w)
{
  for (size_t k = 0; k < w->model.n; k++)
    if (w->model.e[k]->fd >= 0)
      close (w->model.e[k]->fd);
  model_free (&w->model);
  if (w->shared_fd >= 0)
    close (w->shared_fd);
  free (w->wbuf);
  free (w->rbuf);
}
