/* fsops-known-attrs.c: a directory's attributes answered without another
 * call.
 *
 * The kernel asks for a directory's attributes again after each change of
 * a name in it (create, link, unlink, rename): for rsync or tar, a round
 * trip per file written.  imgmount-agent's reply to every such change
 * carries the directory's attributes after it, so they answer that next
 * look, as long as nothing since can have changed the directory.  One
 * directory is remembered (the last one changed); every path that may
 * change a directory's attributes forgets or replaces it:
 * fs_dir_changed after each change of a name, fs_forget_dir_stat before
 * a setattr or a change of its xattrs. */
#include "fsops/fsops-internal.h"

bool
fs_known_dir_stat (struct fs *fs, struct inode *i, struct stat *st)
{
  const struct known_stat *k = &fs->dir_stat;
  if (k->inode != i || (int64_t) k->st.st_dev != i->dev || (int64_t) k->st.st_ino != i->ino)
    return false;
  *st = k->st;
  return true;
}

void
fs_forget_dir_stat (struct fs *fs, struct inode *i)
{
  if (fs->dir_stat.inode == i)
    fs->dir_stat.inode = NULL;
}

void
fs_dir_changed (struct fs *fs, struct inode *dir, const struct stat *st)
{
  if (st)
    fs->dir_stat = (struct known_stat) { .inode = dir, .st = *st };
  else
    fs_forget_dir_stat (fs, dir);
}
