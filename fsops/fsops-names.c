/* fsops-names.c: directories whose every name is known.
 *
 * Copying a tree in asks the appliance mostly about names that do not
 * exist: rsync looks up each destination name and its temporary name, and
 * the kernel looks up again, uncached, the target of every rename and the
 * name of every exclusive create.  A directory made here starts empty, and
 * a listing names everything in a directory; as every change to names goes
 * through this daemon, such a directory's names stay known, and a lookup
 * of any other name needs no appliance call.
 *
 * Only on filesystems that compare names byte for byte: on vfat, or ext4
 * with case folding, "README" is found by "readme" though never listed.
 *
 * Removals and renames go through fs_name_unlinked and fs_name_renamed,
 * which change the inode table and the known names together. */
#include <limits.h>
#include <string.h>
#include "fsops/ext-superblock.h"
#include "fsops/fsops-internal.h"
#include "common/xalloc.h"

/* Whether the ext2/3/4 filesystem on DEVICE may fold the case of names.
 * One read of its superblock answers what tune2fs -l would, without
 * starting tune2fs in the appliance (a call of about 150 ms on UML
 * against 50 ms).  Unreadable: true, the cautious answer. */
static bool
ext_may_fold_case (guestfs_h *g, const char *device)
{
  char sb[EXT_SUPERBLOCK_SIZE];
  size_t len = 0;
  int e = guest_pread_device (g, device, sb, sizeof sb, EXT_SUPERBLOCK_OFFSET, &len);
  return ext_superblock_may_fold_case (e ? NULL : sb, e ? 0 : len);
}

/* DEVICE's type from FS_TYPES, or else from the appliance. */
static char *
type_of (guestfs_h *g, const char *device, char *const *fs_types)
{
  for (size_t k = 0; fs_types && fs_types[k] && fs_types[k + 1]; k += 2)
    if (strcmp (fs_types[k], device) == 0)
      return xstrdup (fs_types[k + 1]);
  char *type = NULL;
  guest_vfs_type (g, device, &type);
  return type;
}

static bool
compares_exactly (guestfs_h *g, const char *device, char *const *fs_types)
{
  AUTO_FREE char *type = type_of (g, device, fs_types);
  if (!type)
    return false;
  if (strcmp (type, "btrfs") == 0)
    return true;
  if (strcmp (type, "ext2") != 0 && strcmp (type, "ext3") != 0 && strcmp (type, "ext4") != 0)
    return false;
  return !ext_may_fold_case (g, device);
}

bool
fs_names_are_exact (guestfs_h *g, char *const *fs_types)
{
  AUTO_STRINGS char **mounts = NULL;
  size_t n;
  if (guest_mountpoints (g, &mounts, &n) || n == 0)
    return false;
  for (size_t k = 0; k < n; k += 2)
    if (!compares_exactly (g, mounts[k], fs_types))
      return false;
  return true;
}

static void
forget_all_names (struct file_state *s)
{
  nset_free (s->names);
  s->names = NULL;
}

void
fs_names_of_new_dir (struct fs *fs, struct inode *dir)
{
  if (!fs->exact_names)
    return;
  struct file_state *s = fs_state_of (dir);
  forget_all_names (s);
  s->names = nset_new ();
}

void
fs_names_of_listing (struct fs *fs, struct inode *dir, const struct dir_entry *entries,
                     size_t n)
{
  if (!fs->exact_names || n > NSET_MAX_NAMES)
    return;
  struct file_state *s = fs_state_of (dir);
  if (s->names)
    return;   /* known already, and kept exact since */
  s->names = nset_new ();
  for (size_t k = 0; k < n && s->names; k++)
    if (!nset_add (s->names, entries[k].name))
      forget_all_names (s);
}

bool
fs_name_is_absent (struct inode *dir, const char *name)
{
  const struct file_state *s = dir->data;
  /* Longer names are the appliance's to refuse (ENAMETOOLONG). */
  return s && s->names && strlen (name) <= NAME_MAX && strcmp (name, ".") != 0 &&
         strcmp (name, "..") != 0 && !nset_contains (s->names, name);
}

void
fs_name_may_appear (struct inode *dir, const char *name)
{
  struct file_state *s = dir->data;
  if (s && s->names && !nset_add (s->names, name))
    forget_all_names (s);
}

/* Forgets DIR/NAME before the table does: NAME may be the table's own
 * copy, freed with its dentry. */
static void
forget_name (struct inode *dir, const char *name)
{
  struct file_state *s = dir->data;
  if (s && s->names)
    nset_remove (s->names, name);
}

void
fs_name_unlinked (struct fs *fs, struct inode *dir, const char *name)
{
  forget_name (dir, name);
  itable_unlink (&fs->itable, dir, name);
}

void
fs_name_renamed (struct fs *fs, struct inode *dir, const char *name,
                 struct inode *newdir, const char *newname)
{
  if (dir != newdir || strcmp (name, newname) != 0)
    forget_name (dir, name);
  itable_rename (&fs->itable, dir, name, newdir, newname);
}
