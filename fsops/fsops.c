/* fsops.c: FUSE low-level operations on files, each an imgmount-agent call
 * (fsops-handles.c) on the object's handle.  Directories are in
 * fsops-dir.c, extended attributes in fsops-xattr.c.
 *
 * Every reply that carries attributes comes from the agent's reply to the
 * call itself (or to a fresh GETATTR), so the kernel's caches, which may
 * live long because imgmount owns the image, start exact; the kernel
 * invalidates them itself on each change it makes through us. */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include "backend-select/watchdog.h"
#include "backend-select/write-errors.h"
#include "common/message.h"
#include "fsops/fsops-internal.h"
#include "common/xalloc.h"

struct fs *
fs_of (fuse_req_t req)
{
  return fuse_req_userdata (req);
}

void
fs_lock (struct fs *fs)
{
  pthread_mutex_lock (&fs->lock);
  watchdog_busy (fs->call_timeout);
}

void
fs_unlock (struct fs *fs)
{
  watchdog_idle ();
  pthread_mutex_unlock (&fs->lock);
}

uint64_t
fs_call_start (struct fs *fs)
{
  uint64_t start = agent_changes (fs->agent);
  fs_unlock (fs);
  return start;
}

bool
fs_call_done (struct fs *fs, uint64_t start)
{
  fs_lock (fs);
  return agent_changes (fs->agent) == start;
}

bool
fs_change_done (struct fs *fs, uint64_t start)
{
  fs_lock (fs);
  /* The count moved twice for this change (sent, answered), and no more. */
  return agent_changes (fs->agent) == start + 2;
}

int
fs_check_type (struct fs *fs, struct inode *i, mode_t mode, const char *call)
{
  mode_t type = mode & S_IFMT;
  if (i == &fs->itable.root)
    return type == S_IFDIR ? 0 : guest_reject (call, "another file type for the root");
  struct file_state *s = fs_state_of (i);
  if (!s->type)
    s->type = type;
  return s->type == type ? 0 : guest_reject (call, "another file type for a known object");
}

int
fs_make_entry (struct fs *fs, struct inode *parent, const char *name,
               const struct stat *st, struct fuse_entry_param *e, const char *call)
{
  struct inode *i = itable_lookup (&fs->itable, parent, name, (int64_t) st->st_dev,
                                   (int64_t) st->st_ino);
  if (!i)
    return guest_reject (call, "a directory's own identity for an entry in it");
  int r = fs_check_type (fs, i, st->st_mode, call);
  if (r) {
    itable_forget (&fs->itable, i, 1);   /* the lookup itable_lookup counted */
    return r;
  }
  memset (e, 0, sizeof *e);
  e->ino = itable_nodeid (&fs->itable, i);
  e->attr = *st;
  e->attr_timeout = fs->timeout;
  e->entry_timeout = fs->timeout;
  return 0;
}

struct file_state *
fs_state_of (struct inode *i)
{
  if (!i->data)
    i->data = xcalloc (1, sizeof (struct file_state));
  return i->data;
}

/* True when no thread sends I's writes; else waits until one is done and
 * returns false: I may be gone by then, unless the caller pins it. */
static bool
writes_idle (struct fs *fs, struct inode *i)
{
  const struct file_state *s = i->data;
  if (!s || !s->sending)
    return true;
  watchdog_idle ();
  pthread_cond_wait (&fs->sent, &fs->lock);
  watchdog_busy (fs->call_timeout);
  return false;
}

/* Sends SIZE bytes of BUF at OFF to I's file, after any writes of it
 * another thread is sending; others wait meanwhile (file_state.sending).
 * The kernel pins I, or its forget waits for this (fs_flush_inode). */
static int
write_through (struct fs *fs, struct inode *i, const char *buf, size_t size, int64_t off)
{
  while (!writes_idle (fs, i))
    ;
  struct file_state *s = fs_state_of (i);
  struct stat st;   /* checked there; the kernel keeps its own size */
  s->sending = true;
  int e = fs_agent_write (fs, i, buf, size, off, &st);
  s->sending = false;
  pthread_cond_broadcast (&fs->sent);
  return e;
}

int
fs_flush_inode (struct fs *fs, struct inode *i)
{
  while (!writes_idle (fs, i))
    ;
  struct file_state *s = i->data;
  if (!s || s->wb.len == 0)
    return s ? s->wb.error : 0;
  /* The buffer takes new writes while these go. */
  char *data;
  size_t len;
  int64_t offset;
  wbuf_detach (&s->wb, &data, &len, &offset);
  int e = write_through (fs, i, data, len, offset);
  free (data);
  if (e)
    s->wb.error = e;
  return e;
}

void
fs_flush_child (struct fs *fs, struct inode *parent, const char *name)
{
  /* The kernel pins PARENT, not the child: found again after each wait. */
  struct inode *child;
  while ((child = itable_find_child (&fs->itable, parent, name)) && !writes_idle (fs, child))
    ;
  if (child)
    fs_flush_inode (fs, child);
}

/* The guest's sync ends with a flush of its disks, which qemu turns into
 * fdatasync of the image files (except under --cache=unsafe); UML's ubd
 * does not, so there imgmount syncs them.  tests/integration/90-durability
 * proves both, and 78-host-disk-full that a write the disks refused fails
 * the sync. */
static int
sync_host_images (struct fs *fs)
{
  for (size_t k = 0; k < fs->n_host_sync_fds; k++)
    if (fdatasync (fs->host_sync_fds[k]) == -1)
      return errno;
  /* The guest's sync(2) says nothing of writes its disks refused. */
  return write_errors_seen ();
}

int
fs_sync_disks (struct fs *fs)
{
  int e = agent_sync (fs->agent);
  return e ? e : sync_host_images (fs);
}

/* One file's or directory's fsync: the guest's fsync of it alone, which
 * ends with the same flush of its disk (guestfsd's sync flushed every
 * filesystem, starting a program: ~0.1 s under UML); then the images, as
 * fs_sync_disks.  The lock is let go meanwhile: the kernel pins I, and
 * what the disks hold changes no state of the daemon's. */
static int
sync_inode (struct fs *fs, struct inode *i, int datasync)
{
  uint64_t h;
  int e = fs_handle_of (fs, i, &h);
  if (e)
    return e;
  fs_call_start (fs);
  e = agent_fsync (fs->agent, h, datasync != 0);
  if (!e)
    e = sync_host_images (fs);
  fs_lock (fs);
  return e;
}

/* Looks up the inode of a request and flushes its buffered writes, as
 * every operation that reads or changes the file must see them. */
static struct inode *
flushed_inode (struct fs *fs, fuse_ino_t ino, int *err)
{
  struct inode *i = itable_from_nodeid (&fs->itable, ino);
  *err = fs_flush_inode (fs, i);
  if (*err && i->data)
    wbuf_take_error (&((struct file_state *) i->data)->wb);
  return i;
}

static void
free_file_state (struct inode_table *t, struct inode *i)
{
  struct file_state *s = i->data;
  if (s) {
    fs_forget_handle ((struct fs *) ((char *) t - offsetof (struct fs, itable)), i);
    wbuf_free (&s->wb);
    rcache_drop (&s->rc);
    nset_free (s->names);
    free (s);
    i->data = NULL;
  }
}

/* ---- operations ---- */

static void
op_init (void *userdata, struct fuse_conn_info *conn)
{
  /* Fewer, larger requests: each one is an appliance round trip. */
  conn->max_write = 1024 * 1024;
  conn->max_readahead = 1024 * 1024;
  if (conn->capable & FUSE_CAP_READDIRPLUS)
    conn->want |= FUSE_CAP_READDIRPLUS;
  /* Always plus: a directory's stats come in one batched call anyway,
   * while the kernel's adaptive mode lists the rest of a large directory
   * without them after the first page, and find or ls -l then stat each
   * entry with a lookup of its own (one appliance call per name). */
  conn->want &= ~FUSE_CAP_READDIRPLUS_AUTO;
  /* The page cache stays valid across opens: nobody else writes. */
  conn->want &= ~FUSE_CAP_AUTO_INVAL_DATA;
  /* open(O_TRUNC) then comes as a setattr of the size, which truncates in
   * the appliance; op_open would otherwise have to. */
  conn->want &= ~FUSE_CAP_ATOMIC_O_TRUNC;
}

static void
op_lookup (fuse_req_t req, fuse_ino_t parent, const char *name)
{
  struct fs *fs = fs_of (req);
  fs_lock (fs);
  struct inode *p = itable_from_nodeid (&fs->itable, parent);
  fs_flush_child (fs, p, name);
  struct fuse_entry_param e;
  int r = fs_name_is_absent (p, name) ? ENOENT : fs_agent_lookup (fs, p, name, &e);
  if (r == ENOENT) {
    /* A negative entry: the kernel drops it itself when it creates NAME. */
    e = (struct fuse_entry_param) { .ino = 0, .entry_timeout = fs->timeout };
    fuse_reply_entry (req, &e);
  }
  else if (r)
    fuse_reply_err (req, r);
  else
    fuse_reply_entry (req, &e);
  fs_unlock (fs);
}

/* One forget, with the lock held (passthrough_ll's lo_forget_one). */
static void
forget_one (struct fs *fs, fuse_ino_t ino, uint64_t nlookup)
{
  struct inode *i = itable_from_nodeid (&fs->itable, ino);
  /* Buffered data is flushed before the inode can go (flush/release ran
   * already; this is for writes of an inode nobody holds open). */
  if (i->nlookup <= nlookup)
    fs_flush_inode (fs, i);
  itable_forget (&fs->itable, i, nlookup);
}

static void
op_forget (fuse_req_t req, fuse_ino_t ino, uint64_t nlookup)
{
  struct fs *fs = fs_of (req);
  fs_lock (fs);
  forget_one (fs, ino, nlookup);
  fs_unlock (fs);
  fuse_reply_none (req);
}

static void
op_forget_multi (fuse_req_t req, size_t count, struct fuse_forget_data *forgets)
{
  struct fs *fs = fs_of (req);
  fs_lock (fs);
  for (size_t k = 0; k < count; k++)
    forget_one (fs, forgets[k].ino, forgets[k].nlookup);
  fs_unlock (fs);
  fuse_reply_none (req);
}

static void
op_getattr (fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
  struct fs *fs = fs_of (req);
  fs_lock (fs);
  int e;
  struct inode *i = flushed_inode (fs, ino, &e);
  struct stat st;
  int r = fs_known_dir_stat (fs, i, &st) ? 0 : fs_agent_getattr (fs, i, &st);
  if (r)
    fuse_reply_err (req, r);
  else
    fuse_reply_attr (req, &st, fs->timeout);
  fs_unlock (fs);
}

/* FUSE's setattr bits as the agent's SETATTR says them. */
static struct agent_setattr
agent_set_of (const struct stat *attr, int to_set)
{
  static const struct { int fuse; uint32_t agent; } bits[] = {
    { FUSE_SET_ATTR_MODE, AGENT_SET_MODE }, { FUSE_SET_ATTR_UID, AGENT_SET_UID },
    { FUSE_SET_ATTR_GID, AGENT_SET_GID }, { FUSE_SET_ATTR_SIZE, AGENT_SET_SIZE },
    { FUSE_SET_ATTR_ATIME, AGENT_SET_ATIME }, { FUSE_SET_ATTR_MTIME, AGENT_SET_MTIME },
    { FUSE_SET_ATTR_ATIME_NOW, AGENT_SET_ATIME_NOW },
    { FUSE_SET_ATTR_MTIME_NOW, AGENT_SET_MTIME_NOW },
  };
  struct agent_setattr set = {
    .size = (uint64_t) attr->st_size, .mode = attr->st_mode & 07777,
    .uid = attr->st_uid, .gid = attr->st_gid,
    .atime = attr->st_atim.tv_sec, .atime_nsec = (uint32_t) attr->st_atim.tv_nsec,
    .mtime = attr->st_mtim.tv_sec, .mtime_nsec = (uint32_t) attr->st_mtim.tv_nsec };
  for (size_t k = 0; k < ARRAY_SIZE (bits); k++)
    if (to_set & bits[k].fuse)
      set.valid |= bits[k].agent;
  return set;
}

/* One call, whose reply is the attributes after it. */
static int
apply_setattr (struct fs *fs, struct inode *i, const struct stat *attr, int to_set,
                     struct stat *st)
{
  if ((to_set & FUSE_SET_ATTR_SIZE) && attr->st_size < 0)
    return EINVAL;
  if ((to_set & FUSE_SET_ATTR_SIZE) && i->data) {
    wbuf_truncate (&((struct file_state *) i->data)->wb, attr->st_size);
    rcache_drop (&((struct file_state *) i->data)->rc);
  }
  return fs_agent_setattr (fs, i, agent_set_of (attr, to_set), st);
}

static void
op_setattr (fuse_req_t req, fuse_ino_t ino, struct stat *attr, int to_set,
            struct fuse_file_info *fi)
{
  struct fs *fs = fs_of (req);
  fs_lock (fs);
  int e;
  struct inode *i = flushed_inode (fs, ino, &e);
  struct stat st;
  fs_forget_dir_stat (fs, i);
  if (!e)
    e = apply_setattr (fs, i, attr, to_set, &st);
  if (e)
    fuse_reply_err (req, e);
  else
    fuse_reply_attr (req, &st, fs->timeout);
  fs_unlock (fs);
}

static void
op_readlink (fuse_req_t req, fuse_ino_t ino)
{
  struct fs *fs = fs_of (req);
  fs_lock (fs);
  AUTO_FREE char *target = NULL;
  uint64_t h;
  int e = fs_handle_of (fs, itable_from_nodeid (&fs->itable, ino), &h);
  if (!e) {
    fs_call_start (fs);
    e = agent_readlink (fs->agent, h, &target);
    fs_lock (fs);
  }
  if (!e)
    fuse_reply_readlink (req, target);
  else
    fuse_reply_err (req, e);
  fs_unlock (fs);
}

int
fs_create_node (fuse_req_t req, struct fs *fs, fuse_ino_t parent, const char *name,
                struct agent_new what, struct fuse_entry_param *e)
{
  struct inode *p = itable_from_nodeid (&fs->itable, parent);
  const struct fuse_ctx *ctx = fuse_req_ctx (req);
  what.uid = ctx->uid;
  what.gid = ctx->gid;
  fs_name_may_appear (p, name);
  struct stat pst;
  bool current;
  /* One call makes it, gives it away, and says what it and its directory
   * are now. */
  int r = fs_agent_create (fs, p, name, &what, &pst, e, &current);
  fs_dir_changed (fs, p, !r && current ? &pst : NULL);
  return r;
}

void
fs_reply_created (fuse_req_t req, int e, const struct fuse_entry_param *entry)
{
  if (e)
    fuse_reply_err (req, e);
  else
    fuse_reply_entry (req, entry);
}

static void
op_mknod (fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode, dev_t rdev)
{
  struct fs *fs = fs_of (req);
  struct agent_new a = { .mode = mode, .rdev = rdev };
  struct fuse_entry_param e;
  fs_lock (fs);
  int r = fs_create_node (req, fs, parent, name, a, &e);
  fs_reply_created (req, r, &e);
  fs_unlock (fs);
}

static void
op_symlink (fuse_req_t req, const char *target, fuse_ino_t parent, const char *name)
{
  struct fs *fs = fs_of (req);
  struct fuse_entry_param e;
  fs_lock (fs);
  struct agent_new a = { .mode = S_IFLNK | 0777, .target = target };
  int r = fs_create_node (req, fs, parent, name, a, &e);
  fs_reply_created (req, r, &e);
  fs_unlock (fs);
}

static void
op_create (fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode,
           struct fuse_file_info *fi)
{
  struct fs *fs = fs_of (req);
  struct agent_new a = { .mode = S_IFREG | (mode & 07777) };
  struct fuse_entry_param e;
  fs_lock (fs);
  int r = fs_create_node (req, fs, parent, name, a, &e);
  if (r)
    fuse_reply_err (req, r);
  else {
    struct file_state *s = fs_state_of (itable_from_nodeid (&fs->itable, e.ino));
    s->open_count++;
    s->no_capability = true;   /* nothing gives a new file one */
    fi->keep_cache = 1;
    fuse_reply_create (req, &e, fi);
  }
  fs_unlock (fs);
}

/* One call, whose reply holds the file's attributes (one more link) and
 * the directory's. */
static int
link_of (struct fs *fs, struct inode *i, struct inode *np, const char *newname,
         struct fuse_entry_param *e)
{
  struct stat pst;
  bool current;
  fs_name_may_appear (np, newname);
  int r = fs_agent_link (fs, i, np, newname, &pst, e, &current);
  fs_dir_changed (fs, np, !r && current ? &pst : NULL);
  return r;
}

static void
op_link (fuse_req_t req, fuse_ino_t ino, fuse_ino_t newparent, const char *newname)
{
  struct fs *fs = fs_of (req);
  fs_lock (fs);
  int e;
  struct inode *i = flushed_inode (fs, ino, &e);   /* the reply carries its size */
  struct inode *np = itable_from_nodeid (&fs->itable, newparent);
  struct fuse_entry_param entry;
  if (!e)
    e = link_of (fs, i, np, newname, &entry);
  fs_reply_created (req, e, &entry);
  fs_unlock (fs);
}

/* An open file lives on through its handle; the reply holds the
 * directory's attributes. */
static int
unlink_of (struct fs *fs, struct inode *p, const char *name)
{
  struct stat pst;
  bool current;
  int e = fs_agent_remove (fs, p, name, false, &pst, &current);
  fs_dir_changed (fs, p, !e && current ? &pst : NULL);
  return e;
}

static void
op_unlink (fuse_req_t req, fuse_ino_t parent, const char *name)
{
  struct fs *fs = fs_of (req);
  fs_lock (fs);
  struct inode *p = itable_from_nodeid (&fs->itable, parent);
  struct inode *child = itable_find_child (&fs->itable, p, name);
  /* Its data may live on under another link: write it out first. */
  if (child)
    fs_flush_inode (fs, child);
  int e = unlink_of (fs, p, name);
  if (!e)
    fs_name_unlinked (fs, p, name);
  fuse_reply_err (req, e);
  fs_unlock (fs);
}

/* RENAME_NOREPLACE, EXCHANGE and WHITEOUT are the guest kernel's to
 * judge, a file renamed over lives on through its handle, and the reply
 * holds both directories' attributes. */
static int
rename_of (struct fs *fs, struct inode *p, const char *name, struct inode *np,
                 const char *newname, unsigned flags)
{
  _Static_assert (AGENT_RENAME_NOREPLACE == RENAME_NOREPLACE &&
                  AGENT_RENAME_EXCHANGE == RENAME_EXCHANGE &&
                  AGENT_RENAME_WHITEOUT == RENAME_WHITEOUT, "the kernel's flags are the agent's");
  if (flags & ~(RENAME_NOREPLACE | RENAME_EXCHANGE | RENAME_WHITEOUT))
    return EINVAL;
  struct stat pst, npst;
  bool current;
  fs_name_may_appear (np, newname);
  int e = fs_agent_rename (fs, p, name, np, newname, flags, &pst, &npst, &current);
  bool known = !e && current;
  fs_dir_changed (fs, p, known ? &pst : NULL);
  if (np != p)
    fs_dir_changed (fs, np, known ? &npst : NULL);
  return e;
}

static void
op_rename (fuse_req_t req, fuse_ino_t parent, const char *name,
           fuse_ino_t newparent, const char *newname, unsigned int flags)
{
  struct fs *fs = fs_of (req);
  fs_lock (fs);
  struct inode *p = itable_from_nodeid (&fs->itable, parent);
  struct inode *np = itable_from_nodeid (&fs->itable, newparent);
  struct inode *replaced = itable_find_child (&fs->itable, np, newname);
  if (replaced)
    fs_flush_inode (fs, replaced);
  int e = rename_of (fs, p, name, np, newname, flags);
  if (!e && (flags & RENAME_EXCHANGE))
    itable_exchange (&fs->itable, p, name, np, newname);   /* both names stay */
  else if (!e)
    fs_name_renamed (fs, p, name, np, newname);
  if (!e && (flags & RENAME_WHITEOUT))
    fs_name_may_appear (p, name);   /* the whiteout's */
  fuse_reply_err (req, e);
  fs_unlock (fs);
}

static void
op_open (fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
  struct fs *fs = fs_of (req);
  if (fs->readonly && (fi->flags & O_ACCMODE) != O_RDONLY) {
    fuse_reply_err (req, EROFS);
    return;
  }
  /* Nothing to open at the agent: the inode's handle serves every call. */
  fs_lock (fs);
  fs_state_of (itable_from_nodeid (&fs->itable, ino))->open_count++;
  fs_unlock (fs);
  fi->keep_cache = 1;
  fuse_reply_open (req, fi);
}

/* read_range's pieces into BUF, from handle H. */
static int
read_pieces (struct fs *fs, uint64_t h, char *buf, size_t size, int64_t off, size_t *got)
{
  const size_t piece = AGENT_READ_SPAN_MAX;
  int e;
  *got = 0;
  while (*got < size) {
    size_t want = size - *got > piece ? piece : size - *got;
    size_t n;
    int64_t at = off + (int64_t) *got;
    e = agent_read_span (fs->agent, h, (uint64_t) at, want, buf + *got, &n);
    if (e)
      return e;
    *got += n;
    if (n < want)
      break;   /* end of file */
  }
  return 0;
}

/* Reads up to SIZE bytes at OFF of I, an open file, into a new buffer
 * (*OUT), in appliance-sized pieces.  Returns 0 or an errno; *GOT < SIZE
 * at EOF.  Called with FS's lock; lets it go while the pieces come, so that other files' calls (and other reads of this one)
 * go on meanwhile: the kernel holds an open file's inode until the read
 * is answered, and the inode holds its handle, so neither can go. */
static int
read_range (struct fs *fs, struct inode *i, size_t size, int64_t off, char **out,
            size_t *got)
{
  uint64_t h = 0;
  int e = fs_handle_of (fs, i, &h);
  char *buf = e ? NULL : malloc (size ? size : 1);
  if (!buf)
    return e ? e : ENOMEM;
  fs_unlock (fs);
  e = read_pieces (fs, h, buf, size, off, got);
  fs_lock (fs);
  if (e) {
    free (buf);
    return e;
  }
  *out = buf;
  return 0;
}

static void
op_read (fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, struct fuse_file_info *fi)
{
  struct fs *fs = fs_of (req);
  fs_lock (fs);
  int e;
  struct inode *i = flushed_inode (fs, ino, &e);
  struct file_state *s = fs_state_of (i);
  AUTO_FREE char *reply = malloc (size ? size : 1);
  size_t got = 0;
  if (!e && !reply)
    e = ENOMEM;
  if (!e && !rcache_get (&s->rc, reply, size, off, &got)) {
    bool ahead = size < READ_AHEAD && rcache_is_sequential (&s->rc, off);
    size_t want = ahead ? READ_AHEAD : size;
    char *data = NULL;
    uint64_t gen = s->rc.gen;
    e = read_range (fs, i, want, off, &data, &got);
    if (!e) {
      bool eof = got < want;
      memcpy (reply, data, got < size ? got : size);
      if (ahead && s->rc.gen == gen)
        rcache_fill (&s->rc, data, got, off, eof);
      else
        free (data);
      if (got > size)
        got = size;
    }
  }
  if (e)
    fuse_reply_err (req, e);
  else
    fuse_reply_buf (req, reply, got);
  fs_unlock (fs);
}

static void
op_write (fuse_req_t req, fuse_ino_t ino, const char *buf, size_t size, off_t off,
          struct fuse_file_info *fi)
{
  struct fs *fs = fs_of (req);
  fs_lock (fs);
  struct inode *i = itable_from_nodeid (&fs->itable, ino);
  struct file_state *s = fs_state_of (i);
  rcache_drop (&s->rc);
  int e = wbuf_take_error (&s->wb);
  if (!e && !wbuf_absorb (&s->wb, buf, size, off, WRITE_BUFFER_LIMIT)) {
    e = fs_flush_inode (fs, i);
    if (e)
      wbuf_take_error (&s->wb);
    else if (!wbuf_absorb (&s->wb, buf, size, off, WRITE_BUFFER_LIMIT))
      e = write_through (fs, i, buf, size, off);
  }
  if (e)
    fuse_reply_err (req, e);
  else
    fuse_reply_write (req, size);
  fs_unlock (fs);
}

static void
op_flush (fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
  struct fs *fs = fs_of (req);
  fs_lock (fs);
  int e;
  flushed_inode (fs, ino, &e);
  fuse_reply_err (req, e);
  fs_unlock (fs);
}

static void
op_release (fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
  /* flush() ran before this and reported any error to close(2). */
  struct fs *fs = fs_of (req);
  fs_lock (fs);
  struct inode *i = itable_from_nodeid (&fs->itable, ino);
  struct file_state *s = fs_state_of (i);
  if (s->open_count > 0 && --s->open_count == 0) {
    rcache_drop (&s->rc);
    wbuf_trim (&s->wb);
  }
  fs_unlock (fs);
  fuse_reply_err (req, 0);
}

static void
op_fsync (fuse_req_t req, fuse_ino_t ino, int datasync, struct fuse_file_info *fi)
{
  struct fs *fs = fs_of (req);
  fs_lock (fs);
  int e;
  struct inode *i = flushed_inode (fs, ino, &e);
  if (!e)
    e = sync_inode (fs, i, datasync);
  fuse_reply_err (req, e);
  fs_unlock (fs);
}

/* Without it the kernel takes fsync of a directory for done. */
static void
op_fsyncdir (fuse_req_t req, fuse_ino_t ino, int datasync, struct fuse_file_info *fi)
{
  struct fs *fs = fs_of (req);
  fs_lock (fs);
  int e = sync_inode (fs, itable_from_nodeid (&fs->itable, ino), datasync);
  fuse_reply_err (req, e);
  fs_unlock (fs);
}

static void
op_statfs (fuse_req_t req, fuse_ino_t ino)
{
  struct fs *fs = fs_of (req);
  fs_lock (fs);
  struct statvfs sv;
  uint64_t h;
  int e = fs_handle_of (fs, itable_from_nodeid (&fs->itable, ino), &h);
  if (!e) {
    fs_call_start (fs);
    e = agent_statfs (fs->agent, h, &sv);
    fs_lock (fs);
  }
  if (e)
    fuse_reply_err (req, e);
  else
    fuse_reply_statfs (req, &sv);
  fs_unlock (fs);
}

/* Only reached without default_permissions: under -o fakeroot, where the
 * caller acts as root. */
static void
op_access (fuse_req_t req, fuse_ino_t ino, int mask)
{
  struct fs *fs = fs_of (req);
  const struct fuse_ctx *ctx = fuse_req_ctx (req);
  fs_lock (fs);
  struct stat st;
  int r = fs_agent_getattr (fs, itable_from_nodeid (&fs->itable, ino), &st);
  fs_unlock (fs);
  if (r) {
    fuse_reply_err (req, r);
    return;
  }
  if ((mask & W_OK) && fs->readonly) {
    fuse_reply_err (req, EROFS);
    return;
  }
  int bits = st.st_mode & 7;
  if (ctx->uid == st.st_uid)
    bits = (st.st_mode >> 6) & 7;
  else if (ctx->gid == st.st_gid)
    bits = (st.st_mode >> 3) & 7;
  if (ctx->uid == 0 || fs->fakeroot)   /* root: anything, but execute needs an x bit */
    bits = 6 | ((st.st_mode & 0111) || S_ISDIR (st.st_mode) ? 1 : 0);
  fuse_reply_err (req, (mask & ~bits & 7) ? EACCES : 0);
}

static void
op_fallocate (fuse_req_t req, fuse_ino_t ino, int mode, off_t offset, off_t length,
              struct fuse_file_info *fi)
{
  struct fs *fs = fs_of (req);
  fs_lock (fs);
  int e;
  /* Buffered writes land first: a hole punched after them must stay. */
  struct inode *i = flushed_inode (fs, ino, &e);
  struct stat st;
  if (!e && (offset < 0 || length <= 0))
    e = EINVAL;
  if (!e) {
    if (i->data)
      rcache_drop (&((struct file_state *) i->data)->rc);
    e = fs_agent_fallocate (fs, i, mode, offset, length, &st);
  }
  fuse_reply_err (req, e);
  fs_unlock (fs);
}

/* The kernel asks only for SEEK_DATA and SEEK_HOLE (it answers the others
 * itself). */
static void
op_lseek (fuse_req_t req, fuse_ino_t ino, off_t off, int whence, struct fuse_file_info *fi)
{
  struct fs *fs = fs_of (req);
  fs_lock (fs);
  int e;
  /* Buffered writes land first: until then their range reads as a hole. */
  struct inode *i = flushed_inode (fs, ino, &e);
  int64_t at = 0;
  if (!e && (whence != SEEK_DATA && whence != SEEK_HOLE))
    e = EINVAL;
  if (!e && off < 0)
    e = ENXIO;
  if (!e)
    e = fs_agent_lseek (fs, i, off, whence, &at);
  if (e)
    fuse_reply_err (req, e);
  else
    fuse_reply_lseek (req, at);
  fs_unlock (fs);
}

/* Copies within the image in the guest, the data never crossing the
 * channel; a copy longer than one agent call is short, as
 * copy_file_range(2) may be (cp asks again). */
static void
op_copy_file_range (fuse_req_t req, fuse_ino_t ino_in, off_t off_in, struct fuse_file_info *fi_in,
                    fuse_ino_t ino_out, off_t off_out, struct fuse_file_info *fi_out,
                    size_t len, int flags)
{
  struct fs *fs = fs_of (req);
  fs_lock (fs);
  int e;
  /* Buffered writes land first, in both: the copy reads the one and
   * overwrites the other. */
  struct inode *in = flushed_inode (fs, ino_in, &e);
  struct inode *out = e ? NULL : flushed_inode (fs, ino_out, &e);
  uint64_t copied = 0;
  struct stat st;
  if (!e && (flags != 0 || off_in < 0 || off_out < 0))
    e = EINVAL;
  if (!e && len > 0) {
    if (out->data)
      rcache_drop (&((struct file_state *) out->data)->rc);
    e = fs_agent_copy_range (fs, in, off_in, out, off_out,
                             len < AGENT_COPY_MAX ? len : AGENT_COPY_MAX, &copied, &st);
  }
  if (e)
    fuse_reply_err (req, e);
  else
    fuse_reply_write (req, copied);
  fs_unlock (fs);
}

static const struct fuse_lowlevel_ops operations = {
  .init = op_init,
  .lookup = op_lookup,
  .forget = op_forget,
  .forget_multi = op_forget_multi,
  .getattr = op_getattr,
  .setattr = op_setattr,
  .readlink = op_readlink,
  .mknod = op_mknod,
  .mkdir = op_mkdir,
  .unlink = op_unlink,
  .rmdir = op_rmdir,
  .symlink = op_symlink,
  .rename = op_rename,
  .link = op_link,
  .open = op_open,
  .read = op_read,
  .write = op_write,
  .flush = op_flush,
  .release = op_release,
  .fsync = op_fsync,
  .fsyncdir = op_fsyncdir,
  .opendir = op_opendir,
  .readdir = op_readdir,
  .readdirplus = op_readdirplus,
  .releasedir = op_releasedir,
  .statfs = op_statfs,
  .setxattr = op_setxattr,
  .getxattr = op_getxattr,
  .listxattr = op_listxattr,
  .removexattr = op_removexattr,
  .access = op_access,
  .create = op_create,
  .fallocate = op_fallocate,
  .lseek = op_lseek,
  .copy_file_range = op_copy_file_range,
};

const struct fuse_lowlevel_ops *
fsops_operations (void)
{
  return &operations;
}

struct fs *
fs_new (const struct fs_config *config)
{
  struct fs *fs = calloc (1, sizeof *fs);
  if (!fs)
    return NULL;
  fs->readonly = config->readonly;
  fs->fakeroot = config->fakeroot;
  fs->timeout = config->cache_timeout;
  pthread_mutex_init (&fs->lock, NULL);
  pthread_cond_init (&fs->sent, NULL);
  fs->call_timeout = watchdog_call_timeout ();
  fs->host_sync_fds = config->host_sync_fds;
  fs->n_host_sync_fds = config->n_host_sync_fds;
  itable_init (&fs->itable, free_file_state);
  fs->exact_names = fs_names_are_exact (config->g, config->fs_types);
  fs->agent = config->agent;
  fs->trace = config->trace;
  /* The agent serves /sysroot, where guestfsd mounted the image. */
  struct stat st, root;
  agent_root_attr (fs->agent, &root);
  if (guest_lstat (config->g, "/", &st) || root.st_dev != st.st_dev || root.st_ino != st.st_ino) {
    error_print ("the appliance's agent serves another directory than the mounted one");
    fs->agent = NULL;
    fs_free (fs);
    return NULL;
  }
  itable_set_root (&fs->itable, (int64_t) st.st_dev, (int64_t) st.st_ino);
  return fs;
}

int
fs_flush_all (struct fs *fs)
{
  int first = 0;
  fs_lock (fs);
  for (struct inode *i = fs->itable.all; i; i = i->all_next) {
    int e = fs_flush_inode (fs, i);
    if (e && !first)
      first = e;
  }
  if (!fs->readonly) {
    int e = fs_sync_disks (fs);
    if (e && !first)
      first = e;
  }
  fs_unlock (fs);
  return first;
}

void
fs_free (struct fs *fs)
{
  if (!fs)
    return;
  fs->agent = NULL;   /* no handle to give back: the agent's end goes too */
  itable_destroy (&fs->itable);
  pthread_mutex_destroy (&fs->lock);
  pthread_cond_destroy (&fs->sent);
  free (fs);
}
