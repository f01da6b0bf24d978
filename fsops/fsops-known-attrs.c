/* fsops-known-attrs.c: attributes answered without another stat.
 *
 * The kernel wants attributes back from every setattr, and asks for a
 * directory's again after each create in it; each answer would be a round
 * trip to the appliance.  Two cases need none, because nothing can have
 * changed the file since its attributes were last read (the appliance is
 * ours alone and serves one call at a time):
 *
 * - A chmod, or times set to given values, right after a stat of the
 *   same file: that stat with the new mode and times is the file in all
 *   but ctime, which the appliance's clock set.  The reply gives it with
 *   a zero attribute timeout: the kernel asks again before anyone sees
 *   ctime, and a caller that does not look (rsync chmods, then renames)
 *   saves the call.  rsync, cp -a and tar chmod every file they write.
 *   Setting times saves a call only when a stat came just before: not
 *   for cp -a and tar, which set them right after the write is flushed.
 * - A directory just created in: its stat is taken in the same call as
 *   the new file's, and answers the kernel's next look at it as long as
 *   no call since can have changed it.
 *
 * Which calls came since is told by counting the calls that begin (a
 * libguestfs ENTER event, which names the call), so no code path can
 * slip one past. */
#include <errno.h>
#include <string.h>
#include "fsops/fsops-internal.h"
#include "common/xalloc.h"

/* Calls that change no directory's attributes, whatever their arguments,
 * except a chmod, chown or utimens of the directory itself, which only
 * op_setattr makes (and it forgets the directory's stat first).  Every
 * other call counts as one that may. */
static bool
leaves_directories_alone (const char *call, size_t len)
{
  static const char *const calls[] = {
    "lstatns", "lstatnslist", "internal_lstatnslist", "pread", "pwrite",
    "chmod", "lchown", "utimens",
  };
  for (size_t k = 0; k < ARRAY_SIZE (calls); k++)
    if (strlen (calls[k]) == len && memcmp (call, calls[k], len) == 0)
      return true;
  return false;
}

/* BUF, LEN: the name of the call (not NUL-terminated). */
static void
count_call (guestfs_h *g, void *opaque, uint64_t event, int handle, int flags,
            const char *buf, size_t len, const uint64_t *array, size_t alen)
{
  struct fs *fs = opaque;
  __atomic_add_fetch (&fs->calls, 1, __ATOMIC_RELAXED);
  if (!leaves_directories_alone (buf, len))
    __atomic_add_fetch (&fs->dir_changing_calls, 1, __ATOMIC_RELAXED);
}

static uint64_t
counted (const uint64_t *counter)
{
  return __atomic_load_n (counter, __ATOMIC_RELAXED);
}

int
fs_count_calls (struct fs *fs)
{
  return guestfs_set_event_callback (fs->g, count_call, GUESTFS_EVENT_ENTER, 0, fs) == -1 ? ENOMEM : 0;
}

static void
note (struct known_stat *k, struct inode *i, const struct stat *st, uint64_t now)
{
  k->inode = i;
  k->st = *st;
  k->at = now;
}

/* Is K I's, noted when the counter stood at NOW? */
static bool
is_current (const struct known_stat *k, struct inode *i, uint64_t now)
{
  return k->inode == i && k->at == now &&
    (int64_t) k->st.st_dev == i->dev && (int64_t) k->st.st_ino == i->ino;
}

void
fs_note_stat (struct fs *fs, struct inode *i, const struct stat *st)
{
  note (&fs->last_stat, i, st, counted (&fs->calls));
}

void
fs_forget_stat (struct fs *fs, struct inode *i)
{
  if (fs->last_stat.inode == i)
    fs->last_stat.inode = NULL;
}

bool
fs_stat_after_setattr (struct fs *fs, struct inode *i, const struct stat *attr, int to_set,
                       struct stat *st)
{
  const int given = FUSE_SET_ATTR_MODE | FUSE_SET_ATTR_ATIME | FUSE_SET_ATTR_MTIME;
  if (!to_set || (to_set & ~given) || !is_current (&fs->last_stat, i, counted (&fs->calls)))
    return false;
  /* The appliance runs as root: the mode and times become exactly these. */
  *st = fs->last_stat.st;
  if (to_set & FUSE_SET_ATTR_MODE)
    st->st_mode = (st->st_mode & S_IFMT) | (attr->st_mode & 07777);
  if (to_set & FUSE_SET_ATTR_ATIME)
    st->st_atim = attr->st_atim;
  if (to_set & FUSE_SET_ATTR_MTIME)
    st->st_mtim = attr->st_mtim;
  return true;
}

int
fs_stat_new_child (struct fs *fs, struct inode *dir, const char *name, const char *path,
                   struct stat *st)
{
  AUTO_FREE char *dir_path = itable_path (&fs->itable, dir);
  if (!dir_path)
    return ESTALE;
  char *names[] = { (char *) name, (char *) ".", NULL };
  struct stat sts[2];
  bool present[2];
  int e = guest_lstat_list (fs->g, dir_path, names, 2, sts, present);
  if (e)
    return e;
  if (!present[0] || !present[1])
    return fs_lstat (fs, path, st);   /* again alone, for the errno */
  *st = sts[0];
  note (&fs->dir_stat, dir, &sts[1], counted (&fs->dir_changing_calls));
  return 0;
}

void
fs_note_dir_stat (struct fs *fs, struct inode *i, const struct stat *st)
{
  note (&fs->dir_stat, i, st, counted (&fs->dir_changing_calls));
}

bool
fs_known_dir_stat (struct fs *fs, struct inode *i, struct stat *st)
{
  if (!is_current (&fs->dir_stat, i, counted (&fs->dir_changing_calls)))
    return false;
  *st = fs->dir_stat.st;
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
  fs_forget_stat (fs, dir);
  if (st)
    fs_note_dir_stat (fs, dir, st);
  else
    fs_forget_dir_stat (fs, dir);
}
