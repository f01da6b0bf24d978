/* inode-table.h: the FUSE inode numbers handed to the kernel, and the
 * appliance paths behind them.
 *
 * libguestfs works on paths, the FUSE low-level API on inode numbers.  An
 * inode here stands for one file in the appliance, known by its (st_dev,
 * st_ino) there, so that hard links share one kernel inode and the
 * kernel's caches of it stay coherent.  It keeps every name the kernel
 * has reached it by (a dentry: parent inode + name); its path is any of
 * them read upwards.  Removing one link leaves the others usable, and a
 * rename moves one dentry so that every path below follows.
 *
 * The address of a struct inode is its FUSE node id (as in libfuse's
 * passthrough_ll), except the root, which is FUSE_ROOT_ID.  The table does
 * no locking: fsops holds its lock around every call. */
#ifndef IMGMOUNT_INODE_TABLE_H
#define IMGMOUNT_INODE_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct inode;

struct dentry {
  struct inode *parent;
  char *name;
  struct inode *inode;
  struct dentry *next_in_hash;
  struct dentry *next_alias;   /* the inode's other names */
};

struct inode {
  uint64_t nlookup;            /* lookups the kernel holds */
  unsigned children;           /* dentries whose parent this is */
  int64_t dev, ino;            /* identity in the appliance */
  struct dentry *aliases;      /* names, most recent first; NULL: none left */
  struct inode *next_by_id;
  struct inode *all_prev, *all_next;  /* every inode but the root */
  bool in_id_hash;
  void *data;                  /* fsops's per-file state, freed by free_data */
};

struct inode_table {
  struct inode root;
  struct inode **by_id;        /* (dev, ino) -> inode */
  struct dentry **by_name;     /* (parent, name) -> dentry */
  size_t n_buckets;
  size_t n_inodes;             /* inodes in by_id */
  size_t n_dentries;
  struct inode *all;           /* every inode, including unnamed ones */
  uint64_t freed;              /* inodes freed so far */
  void (*free_data) (struct inode_table *, struct inode *);
};

void itable_init (struct inode_table *t,
                  void (*free_data) (struct inode_table *, struct inode *));
void itable_destroy (struct inode_table *t);

/* Sets the root's identity once the filesystems are mounted. */
void itable_set_root (struct inode_table *t, int64_t dev, int64_t ino);

/* The inode for a kernel node id, and back. */
struct inode *itable_from_nodeid (struct inode_table *t, uint64_t nodeid);
uint64_t itable_nodeid (struct inode_table *t, struct inode *i);

/* The inode at PARENT/NAME, if the table knows that name. */
struct inode *itable_find_child (struct inode_table *t, struct inode *parent,
                                 const char *name);

/* The inode of the file (DEV, INO), if the kernel may hold it. */
struct inode *itable_find (struct inode_table *t, int64_t dev, int64_t ino);

/* Is I the directory DIR or one above it? */
bool itable_is_at_or_above (struct inode_table *t, struct inode *i, struct inode *dir);

/* Records that PARENT/NAME is the file (DEV, INO) and counts one kernel
 * lookup on it.  NULL, changing nothing, when (DEV, INO) is PARENT's own
 * or a directory's above it: the appliance is lying, and taking it would
 * make a loop of names. */
struct inode *itable_lookup (struct inode_table *t, struct inode *parent,
                             const char *name, int64_t dev, int64_t ino);

/* The kernel forgets N lookups; the inode is freed when nothing needs it. */
void itable_forget (struct inode_table *t, struct inode *i, uint64_t n);

/* PARENT/NAME was removed.  An inode left with no name no longer answers
 * to its (dev, ino): the appliance may give that number to a new file. */
void itable_unlink (struct inode_table *t, struct inode *parent,
                    const char *name);

/* OLDPARENT/OLDNAME was renamed to NEWPARENT/NEWNAME, replacing what was
 * there.  (Were NEWPARENT below it, both names are forgotten instead.) */
void itable_rename (struct inode_table *t, struct inode *oldparent,
                    const char *oldname, struct inode *newparent,
                    const char *newname);

/* P1/N1 and P2/N2 were exchanged (RENAME_EXCHANGE): each object known
 * under one name is now known under the other.  (Were either to go below
 * itself, both names are forgotten instead.) */
void itable_exchange (struct inode_table *t, struct inode *p1, const char *n1,
                      struct inode *p2, const char *n2);

/* The appliance path of I (malloc'd), or NULL when I has no name left
 * (unlinked while the kernel still holds it). */
char *itable_path (struct inode_table *t, struct inode *i);

/* PARENT's path joined with NAME (malloc'd), NULL as above. */
char *itable_child_path (struct inode_table *t, struct inode *parent,
                         const char *name);

#endif
