/* fsops-hidden.c: files unlinked (or renamed over) while open.
 *
 * Such a file must stay readable and writable through its descriptors, but
 * the appliance knows only paths: it is renamed aside under a name starting
 * with HIDDEN_PREFIX (as libfuse's high-level API does with .fuse_hidden),
 * listings leave that name out, and it is removed when the last descriptor
 * closes.  A directory being removed moves such names up to its own parent
 * first, so that rmdir works as on a kernel filesystem, also when the
 * kernel's RELEASE of a descriptor closed just before reaches us only after
 * the unlink (close(2) does not wait for it). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "fsops/fsops-internal.h"

static bool
has_hidden_prefix (const char *name)
{
  return strncmp (name, HIDDEN_PREFIX, strlen (HIDDEN_PREFIX)) == 0;
}

/* A fresh hidden name for I: unique in this session (the counter), and
 * telling which file it was (the inode number) to someone looking at the
 * image after a crash. */
static void
make_hidden_name (struct inode *i, char *buf, size_t size)
{
  static unsigned counter;   /* under the fs lock */
  snprintf (buf, size, HIDDEN_PREFIX "%llx-%u", (unsigned long long) i->ino, ++counter);
}

/* Renames PARENT/NAME (at PATH), the file I, to a fresh hidden name in
 * NEWPARENT.  Returns 0 or an errno. */
static int
move_to_hidden_name (struct fs *fs, struct inode *parent, const char *name,
                     const char *path, struct inode *i, struct inode *newparent)
{
  char hidden[64];
  make_hidden_name (i, hidden, sizeof hidden);
  AUTO_FREE char *hidden_path = itable_child_path (&fs->itable, newparent, hidden);
  if (!hidden_path)
    return ESTALE;
  fs_name_may_appear (newparent, hidden);
  int e = guest_rename (fs->g, path, hidden_path);
  if (e)
    return e;
  fs_name_renamed (fs, parent, name, newparent, hidden);
  return 0;
}

bool
fs_is_open (struct inode *i)
{
  return i->data && ((struct file_state *) i->data)->open_count > 0;
}

int
fs_hide_open_file (struct fs *fs, struct inode *parent, const char *name,
                   struct inode *child, const char *path)
{
  int e = move_to_hidden_name (fs, parent, name, path, child, parent);
  if (!e)
    ((struct file_state *) child->data)->hidden = true;
  return e;
}

bool
fs_is_hidden_name (struct fs *fs, struct inode *parent, const char *name)
{
  if (!has_hidden_prefix (name))
    return false;
  struct inode *i = itable_find_child (&fs->itable, parent, name);
  return !i || (i->data && ((struct file_state *) i->data)->hidden);
}

/* The name fs_hide_open_file gave I, or NULL.  Not simply its most recent
 * name: a hard link made since is another name of the same file. */
static struct dentry *
hidden_alias (struct inode *i)
{
  struct dentry *d = i->aliases;
  while (d && !has_hidden_prefix (d->name))
    d = d->next_alias;
  return d;
}

void
fs_remove_hidden (struct fs *fs, struct inode *i)
{
  struct file_state *s = i->data;
  struct dentry *d = s && s->hidden ? hidden_alias (i) : NULL;
  if (!d)
    return;
  AUTO_FREE char *path = itable_child_path (&fs->itable, d->parent, d->name);
  if (path && guest_rm (fs->g, path) == 0) {
    s->hidden = false;
    fs_name_unlinked (fs, d->parent, d->name);
    if (!i->aliases)
      wbuf_clear (&s->wb);
  }
}

int
fs_empty_hidden_dir (struct fs *fs, struct inode *parent, const char *name,
                     const char *path)
{
  struct inode *dir = itable_find_child (&fs->itable, parent, name);
  AUTO_STRINGS char **names = NULL;
  int e = guest_ls (fs->g, path, &names);
  if (e)
    return e;
  for (size_t k = 0; names[k]; k++)
    if (dir ? !fs_is_hidden_name (fs, dir, names[k]) : !has_hidden_prefix (names[k]))
      return ENOTEMPTY;   /* a name the user sees */
  for (size_t k = 0; names[k]; k++) {
    AUTO_FREE char *entry_path = NULL;
    if (asprintf (&entry_path, "%s/%s", path, names[k]) == -1)
      return ENOMEM;
    struct inode *i = dir ? itable_find_child (&fs->itable, dir, names[k]) : NULL;
    if (i) {
      if ((e = move_to_hidden_name (fs, dir, names[k], entry_path, i, parent)) != 0)
        return e;
    }
    /* Not in the table: left by a session that ended before the file
     * was closed; nothing can reach it any more. */
    else if (guest_rm (fs->g, entry_path))
      return ENOTEMPTY;
  }
  return 0;
}
