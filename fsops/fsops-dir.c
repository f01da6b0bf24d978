/* fsops-dir.c: directory operations.
 *
 * A directory is read from the appliance each time a reader starts at its
 * beginning, names and types in one call; readdirplus adds attributes for
 * a batch of names per appliance call, never one call per name: from
 * imgmount-agent with a handle for each entry (READDIR_PLUS), so that
 * opening a file listed costs no LOOKUP; from guestfsd by lstatnslist. */
#include <dirent.h>
#include <errno.h>
#include <string.h>
#include "fsops/fsops-internal.h"
#include "common/xalloc.h"

/* Names per lstatnslist call: keeps each message well under the
 * protocol's 4 MiB for names up to 255 bytes. */
#define STAT_BATCH 1000
/* Reply size of the agent's READDIR: about 2000 entries with attributes. */
#define AGENT_LIST_BYTES (256u * 1024)
/* Entries of one listing from the agent: a hostile one could otherwise
 * make the daemon grow without end. */
#define AGENT_LIST_MAX (1u << 20)

struct dir_handle {
  char *path;
  struct guestfs_dirent_list *entries;
  struct stat *stats;        /* for readdirplus, filled a batch at a time */
  bool *present;             /* stats[k] is there (the name was still) */
  size_t n_stats;            /* entries [0, n_stats) have stats */
  uint64_t freed_at_load;    /* the inode table's count of freed inodes then */
  /* With the agent's readdirplus: each entry's reference at the agent,
   * 0 once an inode took it or for "." and ".."; the rest are given back
   * when the listing goes. */
  uint64_t *handles;
  uint64_t changes_at_load;  /* agent_changes then */
};

static unsigned char
dtype_from_ftyp (char ftyp)
{
  switch (ftyp) {
  case 'b': return DT_BLK;
  case 'c': return DT_CHR;
  case 'd': return DT_DIR;
  case 'f': return DT_REG;
  case 'l': return DT_LNK;
  case 'p': return DT_FIFO;
  case 's': return DT_SOCK;
  default: return DT_UNKNOWN;
  }
}

static bool
is_dot_or_dotdot (const char *name)
{
  return name[0] == '.' && (name[1] == '\0' || (name[1] == '.' && name[2] == '\0'));
}

void
op_opendir (fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
  fi->fh = (uint64_t) (uintptr_t) xcalloc (1, sizeof (struct dir_handle));
  /* The kernel may keep the listing: it drops it itself when it changes
   * the directory through us, and nobody else can. */
  fi->cache_readdir = 1;
  fi->keep_cache = 1;
  fuse_reply_open (req, fi);
}

static void
drop_listing (struct fs *fs, struct dir_handle *d)
{
  for (size_t k = 0; d->handles && k < d->entries->len; k++)
    if (d->handles[k])
      agent_forget (fs->agent, d->handles[k], 1);
  free (d->handles);
  guestfs_free_dirent_list (d->entries);
  free (d->stats);
  free (d->present);
  free (d->path);
  *d = (struct dir_handle) { 0 };
}

static char
ftyp_of (mode_t mode)
{
  switch (mode & S_IFMT) {
  case S_IFREG: return 'f';
  case S_IFDIR: return 'd';
  case S_IFLNK: return 'l';
  case S_IFCHR: return 'c';
  case S_IFBLK: return 'b';
  case S_IFIFO: return 'p';
  case S_IFSOCK: return 's';
  default: return 'u';
  }
}

/* Appends NAME (type and inode number from ST) to D's listing, with ST as
 * its attributes and HANDLE as its reference when STATS (all of D's
 * entries have them, or none). */
static void
append_entry (struct dir_handle *d, const char *name, const struct stat *st, bool stats,
              uint64_t handle)
{
  struct guestfs_dirent_list *l = d->entries;
  size_t n = l->len;
  if ((n & (n - 1)) == 0) {   /* 0, 1, 2, 4, ...: room doubles */
    size_t room = n ? 2 * n : 1;
    l->val = xreallocarray (l->val, room, sizeof *l->val);
    if (stats) {
      d->stats = xreallocarray (d->stats, room, sizeof *d->stats);
      d->present = xreallocarray (d->present, room, sizeof *d->present);
      d->handles = xreallocarray (d->handles, room, sizeof *d->handles);
    }
  }
  l->val[n] = (struct guestfs_dirent) { .ino = (int64_t) st->st_ino, .ftyp = ftyp_of (st->st_mode),
                                        .name = xstrdup (name) };
  if (stats) {
    d->stats[n] = *st;
    d->present[n] = true;
    d->handles[n] = handle;
    d->n_stats = n + 1;
  }
  l->len = (uint32_t) n + 1;
}

/* DIR's entries from imgmount-agent into D, "." and ".." first as
 * guestfsd lists them, with their attributes and handles when PLUS: one
 * READDIR per couple of thousand entries, and no lstatnslist after it.
 * DIR's names stay as listed while the lock is let go: the kernel makes
 * no change in a directory while it reads it (the directory's lock, held
 * from before this first read to its answer), and through the agent no
 * name is hidden nor removed at a close. */
static int
agent_listing (struct fs *fs, struct dir_handle *d, struct inode *dir, bool plus)
{
  uint64_t h, cookie = 0;
  int e = fs_handle_of (fs, dir, &h);
  if (e)
    return e;
  d->entries = xcalloc (1, sizeof *d->entries);
  struct inode *up = dir->aliases ? dir->aliases->parent : dir;
  struct stat dot = { .st_ino = (ino_t) dir->ino, .st_mode = S_IFDIR };
  struct stat dotdot = { .st_ino = (ino_t) up->ino, .st_mode = S_IFDIR };
  append_entry (d, ".", &dot, plus, 0);
  append_entry (d, "..", &dotdot, plus, 0);
  d->freed_at_load = fs->itable.freed;
  /* The listing is D's alone: the lock can go meanwhile. */
  d->changes_at_load = fs_call_start (fs);
  for (bool eof = false; !eof && !e; ) {
    struct agent_dirlist list;
    e = agent_readdir (fs->agent, h, cookie, AGENT_LIST_BYTES, plus ? AGENT_READDIR_PLUS : 0,
                       &list);
    if (e)
      break;
    for (size_t k = 0; k < list.count; k++)
      append_entry (d, list.entries[k].name, &list.entries[k].st, plus, list.entries[k].handle);
    if (list.count)
      cookie = list.entries[list.count - 1].cookie;
    eof = list.eof;
    agent_dirlist_free (&list);
    if (d->entries->len > AGENT_LIST_MAX)
      e = guest_reject ("agent readdir", "a listing without end");
  }
  fs_call_done (fs, d->changes_at_load);
  return e;
}

/* Lists DIR into D when a read starts at the beginning, not at opendir:
 * the kernel notes the directory's version before it asks for the first
 * entries and keeps what they say as the directory's listing, so they must
 * not predate a change made between opendir and that read.  Returns 0 or
 * an errno. */
static int
load_listing (struct fs *fs, struct dir_handle *d, struct inode *dir, bool plus)
{
  drop_listing (fs, d);
  d->path = itable_path (&fs->itable, dir);
  if (!d->path)
    return ESTALE;
  int e = fs->agent ? agent_listing (fs, d, dir, plus) : guest_readdir (fs->g, d->path, &d->entries);
  if (!e)
    fs_names_of_listing (fs, dir, d->entries);
  else
    drop_listing (fs, d);   /* a part is no listing: the next read starts over */
  return e;
}

static struct dir_handle *
dir_of (struct fuse_file_info *fi)
{
  return (struct dir_handle *) (uintptr_t) fi->fh;
}

/* Stats entries up to and including INDEX, a batch at a time.  Returns 0
 * or an errno. */
static int
load_stats (struct fs *fs, struct dir_handle *d, size_t index)
{
  size_t n = d->entries->len;
  if (!d->stats) {
    d->stats = calloc (n ? n : 1, sizeof *d->stats);
    d->present = calloc (n ? n : 1, sizeof *d->present);
    if (!d->stats || !d->present)
      return ENOMEM;
  }
  while (d->n_stats <= index) {
    size_t start = d->n_stats, count = n - start < STAT_BATCH ? n - start : STAT_BATCH;
    char **names = calloc (count + 1, sizeof *names);
    if (!names)
      return ENOMEM;
    for (size_t k = 0; k < count; k++)
      names[k] = d->entries->val[start + k].name;
    d->freed_at_load = fs->itable.freed;
    int e = guest_lstat_list (fs->g, d->path, names, count, d->stats + start,
                              d->present + start);
    free (names);
    if (e)
      return e;
    d->n_stats = start + count;
  }
  return 0;
}

/* Entry K of D (of directory DIR), listed with the agent's handle, as E.
 * A new inode takes the handle.  One the table holds takes it if it has
 * none, and the entry is the name only (node id 0; a lookup brings the
 * rest): its attributes there are exact, with writes buffered here that
 * the listing does not show.  Attributes listed before an inode was freed
 * and something changed may be older than changes made to that inode
 * while the kernel held it: the name only too. */
static int
agent_entry (struct fs *fs, struct dir_handle *d, struct inode *dir, size_t k,
             struct fuse_entry_param *e)
{
  const struct stat *st = &d->stats[k];
  uint64_t h = d->handles[k];
  d->handles[k] = 0;
  struct inode *held = itable_find (&fs->itable, (int64_t) st->st_dev, (int64_t) st->st_ino);
  if (held && itable_is_at_or_above (&fs->itable, held, dir)) {
    if (h)
      agent_forget (fs->agent, h, 1);
    return guest_reject ("agent readdir", "a directory's own identity for an entry in it");
  }
  bool stale = d->freed_at_load != fs->itable.freed &&
               d->changes_at_load != agent_changes (fs->agent);
  if (h && !held && !stale)
    return fs_agent_take_entry (fs, dir, d->entries->val[k].name, h, st, e);
  int r = 0;
  if (h && held)
    r = fs_agent_keep_handle (fs, held, h, st);
  else if (h)
    agent_forget (fs->agent, h, 1);
  e->attr.st_ino = st->st_ino;
  e->attr.st_mode = st->st_mode & S_IFMT;
  return r;
}

static void
read_entries (fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
              struct fuse_file_info *fi, bool plus)
{
  struct fs *fs = fs_of (req);
  struct dir_handle *d = dir_of (fi);
  AUTO_FREE char *buf = malloc (size);
  size_t pos = 0;
  int e = 0;
  if (!buf) {
    fuse_reply_err (req, ENOMEM);
    return;
  }
  fs_lock (fs);
  struct inode *dir = itable_from_nodeid (&fs->itable, ino);
  if (off == 0 || !d->entries)
    e = load_listing (fs, d, dir, plus);
  for (size_t k = (size_t) off; !e && k < d->entries->len; k++) {
    const struct guestfs_dirent *de = &d->entries->val[k];
    if (fs_is_hidden_name (fs, dir, de->name))
      continue;
    if (!plus) {
      struct stat st = { .st_ino = (ino_t) de->ino,
                         .st_mode = DTTOIF (dtype_from_ftyp (de->ftyp)) };
      size_t need = fuse_add_direntry (req, buf + pos, size - pos, de->name, &st, (off_t) k + 1);
      if (need > size - pos)
        break;
      pos += need;
      continue;
    }
    /* Checked before the entry is made: an entry made counts a lookup. */
    if (fuse_add_direntry_plus (req, NULL, 0, de->name, NULL, 0) > size - pos)
      break;
    struct fuse_entry_param entry = { 0 };
    if (is_dot_or_dotdot (de->name)) {
      /* The kernel takes no lookup for these: node id 0 says so. */
      entry.attr.st_ino = (ino_t) de->ino;
      entry.attr.st_mode = S_IFDIR;
    }
    else if (d->handles) {
      if ((e = agent_entry (fs, d, dir, k, &entry)) != 0)
        break;
    }
    else {
      /* Stats listed before an inode was freed may be older than changes
       * made to it while the kernel held it: list them again. */
      if (d->n_stats > k && d->freed_at_load != fs->itable.freed)
        d->n_stats = k;
      e = load_stats (fs, d, k);
      if (e)
        break;
      const struct stat *st = &d->stats[k];
      struct inode *held;
      if (!d->present[k]) {
        /* Gone since the listing: the name only; a lookup will say. */
        entry.attr.st_ino = (ino_t) de->ino;
        entry.attr.st_mode = DTTOIF (dtype_from_ftyp (de->ftyp));
      }
      else if ((held = itable_find (&fs->itable, (int64_t) st->st_dev, (int64_t) st->st_ino))) {
        if (itable_is_at_or_above (&fs->itable, held, dir)) {
          e = guest_reject ("lstatnslist", "a directory's own identity for an entry in it");
          break;
        }
        /* The kernel holds this file, and its attributes there are exact
         * (it may have writes buffered here that the stats do not show):
         * the name only, node id 0; a lookup brings the rest. */
        entry.attr.st_ino = st->st_ino;
        entry.attr.st_mode = st->st_mode & S_IFMT;
      }
      else if ((e = fs_make_entry (fs, dir, de->name, st, &entry)) != 0)
        break;
    }
    pos += fuse_add_direntry_plus (req, buf + pos, size - pos, de->name, &entry, (off_t) k + 1);
  }
  fs_unlock (fs);
  if (e && pos == 0)
    fuse_reply_err (req, e);
  else
    fuse_reply_buf (req, buf, pos);
}

void
op_readdir (fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
            struct fuse_file_info *fi)
{
  read_entries (req, ino, size, off, fi, false);
}

void
op_readdirplus (fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
                struct fuse_file_info *fi)
{
  read_entries (req, ino, size, off, fi, true);
}

void
op_releasedir (fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
  struct dir_handle *d = dir_of (fi);
  drop_listing (fs_of (req), d);
  free (d);
  fuse_reply_err (req, 0);
}

void
op_mkdir (fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode)
{
  struct fs *fs = fs_of (req);
  struct fuse_entry_param e;
  fs_lock (fs);
  struct agent_new a = { .mode = S_IFDIR | (mode & 07777) };
  int r = fs_create_node (req, fs, parent, name, a, &e);
  if (!r)
    fs_names_of_new_dir (fs, itable_from_nodeid (&fs->itable, e.ino));
  fs_reply_created (req, r, &e);
  fs_unlock (fs);
}

static int
remove_dir (struct fs *fs, struct inode *p, const char *name, const char *path,
            struct stat *pst, bool *current)
{
  if (fs->agent)
    return fs_agent_remove (fs, p, name, true, pst, current);
  *current = true;
  return path ? guest_rmdir (fs->g, path) : ESTALE;
}

void
op_rmdir (fuse_req_t req, fuse_ino_t parent, const char *name)
{
  struct fs *fs = fs_of (req);
  fs_lock (fs);
  struct inode *p = itable_from_nodeid (&fs->itable, parent);
  AUTO_FREE char *path = itable_child_path (&fs->itable, p, name);
  struct stat pst;
  bool current;
  int e = remove_dir (fs, p, name, path, &pst, &current);
  /* Files unlinked while open (through guestfsd), or left by a session
   * that ended before they were closed, may be in it under hidden names. */
  if (e == ENOTEMPTY && path && (e = fs_empty_hidden_dir (fs, p, name, path)) == 0)
    e = remove_dir (fs, p, name, path, &pst, &current);
  if (fs->agent)
    fs_dir_changed (fs, p, !e && current ? &pst : NULL);
  if (!e)
    fs_name_unlinked (fs, p, name);
  fuse_reply_err (req, e);
  fs_unlock (fs);
}
