/* inode-table.c: node ids, (dev, ino) identity, dentries and paths; see
 * the header. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fuse_lowlevel.h>
#include "common/xalloc.h"
#include "fsops/inode-table.h"

static size_t
hash_id (int64_t dev, int64_t ino)
{
  uint64_t h = (uint64_t) ino * 0x9E3779B97F4A7C15ULL ^ (uint64_t) dev * 0xC2B2AE3D27D4EB4FULL;
  return (size_t) (h ^ (h >> 29));
}

static size_t
hash_name (const struct inode *parent, const char *name)
{
  uint64_t h = 1469598103934665603ULL ^ (uint64_t) (uintptr_t) parent;
  for (const unsigned char *p = (const unsigned char *) name; *p; p++)
    h = (h ^ *p) * 1099511628211ULL;
  return (size_t) (h ^ (h >> 31));
}

void
itable_init (struct inode_table *t, void (*free_data) (struct inode_table *, struct inode *))
{
  memset (t, 0, sizeof *t);
  t->n_buckets = 1024;
  t->by_id = xcalloc (t->n_buckets, sizeof *t->by_id);
  t->by_name = xcalloc (t->n_buckets, sizeof *t->by_name);
  t->root.nlookup = 1;
  t->free_data = free_data;
}

void
itable_set_root (struct inode_table *t, int64_t dev, int64_t ino)
{
  t->root.dev = dev;
  t->root.ino = ino;
}

struct inode *
itable_from_nodeid (struct inode_table *t, uint64_t nodeid)
{
  return nodeid == FUSE_ROOT_ID ? &t->root : (struct inode *) (uintptr_t) nodeid;
}

uint64_t
itable_nodeid (struct inode_table *t, struct inode *i)
{
  return i == &t->root ? FUSE_ROOT_ID : (uint64_t) (uintptr_t) i;
}

static struct inode **
id_bucket (struct inode_table *t, int64_t dev, int64_t ino)
{
  return &t->by_id[hash_id (dev, ino) & (t->n_buckets - 1)];
}

static struct dentry **
name_bucket (struct inode_table *t, const struct inode *parent, const char *name)
{
  return &t->by_name[hash_name (parent, name) & (t->n_buckets - 1)];
}

static void
hash_in_id (struct inode_table *t, struct inode *i)
{
  struct inode **b = id_bucket (t, i->dev, i->ino);
  i->next_by_id = *b;
  *b = i;
  i->in_id_hash = true;
}

static void
unhash_id (struct inode_table *t, struct inode *i)
{
  if (!i->in_id_hash)
    return;
  struct inode **pp = id_bucket (t, i->dev, i->ino);
  while (*pp != i)
    pp = &(*pp)->next_by_id;
  *pp = i->next_by_id;
  i->in_id_hash = false;
  t->n_inodes--;
}

static void
hash_in_name (struct inode_table *t, struct dentry *d)
{
  struct dentry **b = name_bucket (t, d->parent, d->name);
  d->next_in_hash = *b;
  *b = d;
}

/* Doubles the buckets when the tables get crowded. */
static void
maybe_grow (struct inode_table *t)
{
  if (t->n_inodes < t->n_buckets && t->n_dentries < t->n_buckets)
    return;
  size_t old_n = t->n_buckets;
  struct inode **old_id = t->by_id;
  struct dentry **old_name = t->by_name;
  t->n_buckets *= 2;
  t->by_id = xcalloc (t->n_buckets, sizeof *t->by_id);
  t->by_name = xcalloc (t->n_buckets, sizeof *t->by_name);
  for (size_t b = 0; b < old_n; b++) {
    for (struct inode *i = old_id[b], *next; i; i = next) {
      next = i->next_by_id;
      hash_in_id (t, i);
    }
    for (struct dentry *d = old_name[b], *next; d; d = next) {
      next = d->next_in_hash;
      hash_in_name (t, d);
    }
  }
  free (old_id);
  free (old_name);
}

static void maybe_free (struct inode_table *t, struct inode *i);

static struct dentry *
find_dentry (struct inode_table *t, struct inode *parent, const char *name)
{
  for (struct dentry *d = *name_bucket (t, parent, name); d; d = d->next_in_hash)
    if (d->parent == parent && strcmp (d->name, name) == 0)
      return d;
  return NULL;
}

/* Removes D from both its lists and frees it; then its parent and inode
 * may have nothing left holding them. */
static void
drop_dentry (struct inode_table *t, struct dentry *d)
{
  struct dentry **pp = name_bucket (t, d->parent, d->name);
  while (*pp != d)
    pp = &(*pp)->next_in_hash;
  *pp = d->next_in_hash;
  for (pp = &d->inode->aliases; *pp != d; pp = &(*pp)->next_alias)
    ;
  *pp = d->next_alias;
  t->n_dentries--;

  struct inode *parent = d->parent, *inode = d->inode;
  free (d->name);
  free (d);
  if (!inode->aliases)
    unhash_id (t, inode);
  parent->children--;
  maybe_free (t, inode);
  maybe_free (t, parent);
}

static void
add_dentry (struct inode_table *t, struct inode *inode, struct inode *parent,
            const char *name)
{
  struct dentry *d = xcalloc (1, sizeof *d);
  d->parent = parent;
  d->name = xstrdup (name);
  d->inode = inode;
  d->next_alias = inode->aliases;
  inode->aliases = d;
  parent->children++;
  t->n_dentries++;
  hash_in_name (t, d);
}

static void
maybe_free (struct inode_table *t, struct inode *i)
{
  if (i == &t->root || i->nlookup > 0 || i->children > 0)
    return;
  /* Names pointing at I hold nothing: drop them without recursing back. */
  while (i->aliases) {
    i->nlookup++;
    drop_dentry (t, i->aliases);
    i->nlookup--;
  }
  unhash_id (t, i);
  if (i->all_prev)
    i->all_prev->all_next = i->all_next;
  else
    t->all = i->all_next;
  if (i->all_next)
    i->all_next->all_prev = i->all_prev;
  if (t->free_data)
    t->free_data (t, i);
  free (i);
  t->freed++;
}

struct inode *
itable_find_child (struct inode_table *t, struct inode *parent, const char *name)
{
  struct dentry *d = find_dentry (t, parent, name);
  return d ? d->inode : NULL;
}

static struct inode *
find_id (struct inode_table *t, int64_t dev, int64_t ino)
{
  for (struct inode *i = *id_bucket (t, dev, ino); i; i = i->next_by_id)
    if (i->dev == dev && i->ino == ino)
      return i;
  return NULL;
}

struct inode *
itable_find (struct inode_table *t, int64_t dev, int64_t ino)
{
  if (t->root.dev == dev && t->root.ino == ino)
    return &t->root;
  return find_id (t, dev, ino);
}

static struct inode *
new_inode (struct inode_table *t, int64_t dev, int64_t ino)
{
  maybe_grow (t);
  struct inode *i = xcalloc (1, sizeof *i);
  i->dev = dev;
  i->ino = ino;
  i->all_next = t->all;
  if (t->all)
    t->all->all_prev = i;
  t->all = i;
  hash_in_id (t, i);
  t->n_inodes++;
  return i;
}

/* Paths are read upwards through each inode's first name, so that chain
 * is what a new name must not close into a loop. */
bool
itable_is_at_or_above (struct inode_table *t, struct inode *i, struct inode *dir)
{
  size_t steps = 0;
  for (struct inode *p = dir; ; p = p->aliases->parent) {
    if (p == i)
      return true;
    if (p == &t->root || !p->aliases)
      return false;
    if (++steps > t->n_dentries)
      return true;   /* a loop already: see path_length */
  }
}

struct inode *
itable_lookup (struct inode_table *t, struct inode *parent, const char *name,
               int64_t dev, int64_t ino)
{
  struct inode *i = itable_find (t, dev, ino);
  if (i && itable_is_at_or_above (t, i, parent))
    return NULL;
  if (!i)
    i = new_inode (t, dev, ino);
  i->nlookup++;                     /* counted first: holds I from here on */
  struct dentry *d = find_dentry (t, parent, name);
  if (d && d->inode != i) {
    /* A different file now stands at this name: the old one loses it. */
    drop_dentry (t, d);
    d = NULL;
  }
  if (!d && i != &t->root)
    add_dentry (t, i, parent, name);
  return i;
}

void
itable_forget (struct inode_table *t, struct inode *i, uint64_t n)
{
  if (i == &t->root)
    return;
  i->nlookup = n > i->nlookup ? 0 : i->nlookup - n;
  maybe_free (t, i);
}

void
itable_unlink (struct inode_table *t, struct inode *parent, const char *name)
{
  struct dentry *d = find_dentry (t, parent, name);
  if (d)
    drop_dentry (t, d);
}

/* Gives MOVED, held by the caller and named nowhere now, the name
 * PARENT/NAME. */
static void
name_again (struct inode_table *t, struct inode *moved, struct inode *parent, const char *name)
{
  if (!moved->in_id_hash) {
    /* Losing its only name unhashed it; the new name brings it back. */
    hash_in_id (t, moved);
    t->n_inodes++;
  }
  add_dentry (t, moved, parent, name);
}

void
itable_rename (struct inode_table *t, struct inode *oldparent,
               const char *oldname, struct inode *newparent,
               const char *newname)
{
  if (oldparent == newparent && strcmp (oldname, newname) == 0)
    return;
  struct dentry *d = find_dentry (t, oldparent, oldname);
  struct inode *moved = d ? d->inode : NULL;
  /* The kernel never moves a directory below itself; a table that the
   * appliance's answers bent otherwise loses the name instead. */
  if (moved && itable_is_at_or_above (t, moved, newparent)) {
    itable_unlink (t, newparent, newname);
    itable_unlink (t, oldparent, oldname);
    return;
  }
  if (moved)
    moved->nlookup++;               /* hold it while its names change */
  itable_unlink (t, newparent, newname);
  if (moved) {
    newparent->children++;          /* and NEWPARENT, for the same reason */
    itable_unlink (t, oldparent, oldname);
    name_again (t, moved, newparent, newname);
    newparent->children--;
    moved->nlookup--;
    maybe_free (t, moved);
  }
}

void
itable_exchange (struct inode_table *t, struct inode *p1, const char *n1,
                 struct inode *p2, const char *n2)
{
  if (p1 == p2 && strcmp (n1, n2) == 0)
    return;
  struct dentry *d1 = find_dentry (t, p1, n1), *d2 = find_dentry (t, p2, n2);
  struct inode *i1 = d1 ? d1->inode : NULL, *i2 = d2 ? d2->inode : NULL;
  /* As in itable_rename: neither goes below itself. */
  if ((i1 && itable_is_at_or_above (t, i1, p2)) || (i2 && itable_is_at_or_above (t, i2, p1))) {
    itable_unlink (t, p1, n1);
    itable_unlink (t, p2, n2);
    return;
  }
  /* Hold both, and both directories, while their names change. */
  struct inode *held[2] = { i1, i2 };
  for (int k = 0; k < 2; k++)
    if (held[k])
      held[k]->nlookup++;
  p1->children++;
  p2->children++;
  itable_unlink (t, p1, n1);
  itable_unlink (t, p2, n2);
  if (i1)
    name_again (t, i1, p2, n2);
  if (i2)
    name_again (t, i2, p1, n1);
  p1->children--;
  p2->children--;
  for (int k = 0; k < 2; k++)
    if (held[k]) {
      held[k]->nlookup--;
      maybe_free (t, held[k]);
    }
}

/* The length of I's path, or 0 when it has none.  itable_lookup keeps
 * loops out, but a directory that the appliance gave two names can make
 * one when its first name goes; then no path either, rather than a walk
 * without end. */
static size_t
path_length (struct inode_table *t, struct inode *i)
{
  size_t len = 0, steps = 0;
  while (i != &t->root) {
    if (!i->aliases || ++steps > t->n_dentries)
      return 0;
    len += 1 + strlen (i->aliases->name);
    i = i->aliases->parent;
  }
  return len;
}

char *
itable_path (struct inode_table *t, struct inode *i)
{
  if (i == &t->root)
    return xstrdup ("/");
  size_t len = path_length (t, i);
  if (len == 0)
    return NULL;
  char *path = xmalloc (len + 1);
  path[len] = '\0';
  for (struct inode *p = i; p != &t->root; p = p->aliases->parent) {
    size_t n = strlen (p->aliases->name);
    len -= n;
    memcpy (path + len, p->aliases->name, n);
    path[--len] = '/';
  }
  return path;
}

char *
itable_child_path (struct inode_table *t, struct inode *parent, const char *name)
{
  char *dir = itable_path (t, parent);
  if (!dir)
    return NULL;
  char *path = xasprintf ("%s/%s", strcmp (dir, "/") == 0 ? "" : dir, name);
  free (dir);
  return path;
}

void
itable_destroy (struct inode_table *t)
{
  /* The kernel is gone: free everything regardless of counts. */
  for (size_t b = 0; b < t->n_buckets; b++)
    for (struct dentry *d = t->by_name[b], *next; d; d = next) {
      next = d->next_in_hash;
      free (d->name);
      free (d);
    }
  for (struct inode *i = t->all, *next; i; i = next) {
    next = i->all_next;
    if (t->free_data)
      t->free_data (t, i);
    free (i);
  }
  if (t->free_data)
    t->free_data (t, &t->root);
  free (t->by_id);
  free (t->by_name);
  memset (t, 0, sizeof *t);
}
