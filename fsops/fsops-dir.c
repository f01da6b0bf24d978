/* fsops-dir.c: directory operations.
 *
 * A directory is read from imgmount-agent each time a reader starts at its
 * beginning, one READDIR per couple of thousand entries; readdirplus's
 * come with attributes and a handle for each entry (READDIR_PLUS), so
 * that opening a file listed costs no LOOKUP. */
#include <dirent.h>
#include <errno.h>
#include <string.h>
#include "fsops/fsops-internal.h"
#include "common/xalloc.h"

/* Reply size of the agent's READDIR: about 2000 entries with attributes. */
#define AGENT_LIST_BYTES (256u * 1024)
/* Entries of one listing from the agent: a hostile one could otherwise
 * make the daemon grow without end. */
#define AGENT_LIST_MAX (1u << 20)

struct dir_handle {
  struct dir_entry *entries;   /* NULL: not listed yet */
  size_t len;
  bool plus;                   /* the entries have attributes and handles */
  uint64_t freed_at_load;      /* the inode table's count of freed inodes then */
  uint64_t changes_at_load;    /* agent_changes then */
};

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

/* Gives back the handles no inode took ("." and ".." have none). */
static void
drop_listing (struct fs *fs, struct dir_handle *d)
{
  for (size_t k = 0; k < d->len; k++) {
    if (d->entries[k].handle)
      agent_forget (fs->agent, d->entries[k].handle, 1);
    free (d->entries[k].name);
  }
  free (d->entries);
  *d = (struct dir_handle) { 0 };
}

/* Appends NAME, of attributes ST (with PLUS; else only its type and inode
 * number) and agent reference HANDLE, to D's listing. */
static void
append_entry (struct dir_handle *d, const char *name, const struct stat *st, uint64_t handle)
{
  size_t n = d->len;
  if ((n & (n - 1)) == 0)   /* 0, 1, 2, 4, ...: room doubles */
    d->entries = xreallocarray (d->entries, n ? 2 * n : 1, sizeof *d->entries);
  d->entries[n] = (struct dir_entry) { .name = xstrdup (name), .st = *st, .handle = handle };
  d->len = n + 1;
}

/* DIR's entries from imgmount-agent into D, "." and ".." first, with
 * their attributes and handles when PLUS.
 * DIR's names stay as listed while the lock is let go: the kernel makes
 * no change in a directory while it reads it (the directory's lock, held
 * from before this first read to its answer), and no name is removed
 * at a close. */
static int
agent_listing (struct fs *fs, struct dir_handle *d, struct inode *dir, bool plus)
{
  uint64_t h, cookie = 0;
  int e = fs_handle_of (fs, dir, &h);
  if (e)
    return e;
  d->entries = xcalloc (1, sizeof *d->entries);
  d->plus = plus;
  struct inode *up = dir->aliases ? dir->aliases->parent : dir;
  struct stat dot = { .st_ino = (ino_t) dir->ino, .st_mode = S_IFDIR };
  struct stat dotdot = { .st_ino = (ino_t) up->ino, .st_mode = S_IFDIR };
  append_entry (d, ".", &dot, 0);
  append_entry (d, "..", &dotdot, 0);
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
      append_entry (d, list.entries[k].name, &list.entries[k].st, list.entries[k].handle);
    if (list.count)
      cookie = list.entries[list.count - 1].cookie;
    eof = list.eof;
    agent_dirlist_free (&list);
    if (d->len > AGENT_LIST_MAX)
      e = guest_reject ("agent readdir", "a listing without end");
  }
  fs_lock (fs);
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
  int e = agent_listing (fs, d, dir, plus);
  if (!e)
    fs_names_of_listing (fs, dir, d->entries, d->len);
  else
    drop_listing (fs, d);   /* a part is no listing: the next read starts over */
  return e;
}

static struct dir_handle *
dir_of (struct fuse_file_info *fi)
{
  return (struct dir_handle *) (uintptr_t) fi->fh;
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
  const struct stat *st = &d->entries[k].st;
  uint64_t h = d->entries[k].handle;
  d->entries[k].handle = 0;
  struct inode *held = itable_find (&fs->itable, (int64_t) st->st_dev, (int64_t) st->st_ino);
  if (held && itable_is_at_or_above (&fs->itable, held, dir)) {
    if (h)
      agent_forget (fs->agent, h, 1);
    return guest_reject ("agent readdir", "a directory's own identity for an entry in it");
  }
  bool stale = d->freed_at_load != fs->itable.freed &&
               d->changes_at_load != agent_changes (fs->agent);
  if (h && !held && !stale)
    return fs_agent_take_entry (fs, dir, d->entries[k].name, h, st, e, "agent readdir");
  int r = 0;
  if (h && held)
    r = fs_agent_keep_handle (fs, held, h, st, "agent readdir");
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
  /* A listing without attributes cannot serve readdirplus: list again. */
  if (off == 0 || !d->entries || (plus && !d->plus))
    e = load_listing (fs, d, dir, plus);
  for (size_t k = (size_t) off; !e && k < d->len; k++) {
    const struct dir_entry *de = &d->entries[k];
    if (!plus) {
      struct stat st = { .st_ino = de->st.st_ino, .st_mode = de->st.st_mode & S_IFMT };
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
      entry.attr.st_ino = de->st.st_ino;
      entry.attr.st_mode = S_IFDIR;
    }
    else if ((e = agent_entry (fs, d, dir, k, &entry)) != 0)
      break;
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

void
op_rmdir (fuse_req_t req, fuse_ino_t parent, const char *name)
{
  struct fs *fs = fs_of (req);
  fs_lock (fs);
  struct inode *p = itable_from_nodeid (&fs->itable, parent);
  struct stat pst;
  bool current;
  int e = fs_agent_remove (fs, p, name, true, &pst, &current);
  fs_dir_changed (fs, p, !e && current ? &pst : NULL);
  if (!e)
    fs_name_unlinked (fs, p, name);
  fuse_reply_err (req, e);
  fs_unlock (fs);
}
