/* fsops-chmod.c: a chmod answered from the stat just before it.
 *
 * The kernel wants a file's attributes back from every setattr, and a
 * chmod moves one the daemon cannot know: ctime, set by the appliance's
 * clock.  So a chmod costs a second call, a stat; rsync, cp -a and tar
 * chmod every file they write.  When the appliance call just before the
 * chmod was a stat of the same file, nothing can have changed the file in
 * between (the appliance is ours alone and serves one call at a time), so
 * that stat with the new mode is the file in all but ctime.  The reply
 * gives it with a zero attribute timeout: the kernel asks again before
 * anyone sees ctime, and a caller that does not look (rsync renames next)
 * saves the call.
 *
 * Which stat was last is told by counting the calls that begin (a
 * libguestfs ENTER event), so any call in between, whatever it is and
 * whoever makes it, ends the chance. */
#include <errno.h>
#include "fsops/fsops-internal.h"

static void
count_call (guestfs_h *g, void *opaque, uint64_t event, int handle, int flags,
            const char *buf, size_t len, const uint64_t *array, size_t alen)
{
  struct fs *fs = opaque;
  __atomic_add_fetch (&fs->calls, 1, __ATOMIC_RELAXED);
}

static uint64_t
calls_so_far (struct fs *fs)
{
  return __atomic_load_n (&fs->calls, __ATOMIC_RELAXED);
}

int
fs_count_calls (struct fs *fs)
{
  return guestfs_set_event_callback (fs->g, count_call, GUESTFS_EVENT_ENTER, 0, fs) == -1 ? -1 : 0;
}

void
fs_note_stat (struct fs *fs, struct inode *i, const struct stat *st)
{
  fs->last_stat.inode = i;
  fs->last_stat.st = *st;
  fs->last_stat.after_call = calls_so_far (fs);
}

/* Is the last stat I's, with no call since? */
static bool
last_stat_is_current (struct fs *fs, struct inode *i)
{
  const struct stat *st = &fs->last_stat.st;
  return fs->last_stat.inode == i && fs->last_stat.after_call == calls_so_far (fs) &&
    (int64_t) st->st_dev == i->dev && (int64_t) st->st_ino == i->ino;
}

bool
fs_chmod_after_stat (struct fs *fs, struct inode *i, const char *path, mode_t mode,
                     struct stat *st, int *err)
{
  if (!last_stat_is_current (fs, i))
    return false;
  /* The appliance runs as root: the mode becomes exactly this. */
  if (guestfs_chmod (fs->g, (int) (mode & 07777), path) == -1) {
    *err = fs_errno (fs);
    return true;
  }
  *st = fs->last_stat.st;
  st->st_mode = (st->st_mode & S_IFMT) | (mode & 07777);
  fs_note_stat (fs, i, st);
  *err = 0;
  return true;
}
