/* remove-tree.c: see remove-tree.h.  Walks by directory descriptor
 * (openat with O_NOFOLLOW), so a link planted inside the tree, or a
 * directory swapped for a link while we walk, never takes the removal
 * outside it. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include "common/remove-tree.h"

/* Deep enough for anything imgmount or libguestfs makes; a deeper tree
 * is left (and reported) rather than risk running out of descriptors. */
#define MAX_DEPTH 16

static int remove_entry (int dirfd, const char *name, int depth);

/* Empties the directory open as FD (which this closes). */
static int
empty_directory (int fd, int depth)
{
  DIR *dir = fdopendir (fd);
  if (!dir) {
    close (fd);
    return -1;
  }
  int r = 0, saved = 0;
  struct dirent *d;
  while ((d = readdir (dir)) != NULL) {
    if (strcmp (d->d_name, ".") == 0 || strcmp (d->d_name, "..") == 0)
      continue;
    if (remove_entry (dirfd (dir), d->d_name, depth) == -1 && r == 0) {
      r = -1;
      saved = errno;
    }
  }
  closedir (dir);
  errno = saved;
  return r;
}

static int
remove_entry (int dirfd, const char *name, int depth)
{
  if (unlinkat (dirfd, name, 0) == 0)
    return 0;
  if (errno != EISDIR && errno != EPERM)
    return -1;
  if (depth >= MAX_DEPTH) {
    errno = ELOOP;
    return -1;
  }
  int fd = openat (dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd == -1)
    return -1;
  int r = empty_directory (fd, depth + 1);
  int saved = errno;
  if (unlinkat (dirfd, name, AT_REMOVEDIR) == -1)
    return -1;
  errno = saved;
  return r;
}

int
remove_tree (const char *path)
{
  return remove_entry (AT_FDCWD, path, 0);
}
