/* image-check.c: host-side checks of images and the mountpoint, and the
 * image lock.  Nothing here reads the image's contents: the host never
 * parses an untrusted image. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include "common/message.h"
#include "image/image-check.h"

/* qemu's image locking (block/file-posix.c): a process holding permission
 * P on an image takes a shared OFD lock on byte 100 + P; WRITE is bit 1. */
#define QEMU_LOCK_BYTE_WRITE 101

int
image_check (const char *path, bool readonly, char **err)
{
  struct stat st;
  if (stat (path, &st) == -1)
    return error_set (err, "%s: %s; name an existing disk image", path, strerror (errno));
  if (S_ISDIR (st.st_mode))
    return error_set (err, "%s: is a directory, not a disk image", path);
  if (!S_ISREG (st.st_mode) && !S_ISBLK (st.st_mode))
    return error_set (err, "%s: not a regular file or block device", path);
  if (S_ISREG (st.st_mode) && st.st_size == 0)
    return error_set (err, "%s: the image is empty (0 bytes)", path);
  /* root may write a file that has no write permission at all, but its
   * owner made it read-only: take it as such. */
  if (!readonly && S_ISREG (st.st_mode) && (st.st_mode & 0222) == 0)
    return error_set (err, "%s: a read-only file (mode %04o); use --ro for a read-only mount",
                      path, (unsigned) (st.st_mode & 07777));
  if (access (path, readonly ? R_OK : R_OK | W_OK) == -1) {
    if (!readonly && errno == EACCES && access (path, R_OK) == 0)
      return error_set (err, "%s: not writable; use --ro for a read-only mount", path);
    if (!readonly && errno == EPERM)
      return error_set (err, "%s: immutable or append-only (chattr); use --ro for a "
                        "read-only mount", path);
    if (!readonly && errno == EROFS)
      return error_set (err, "%s: on a read-only filesystem; use --ro for a read-only mount", path);
    return error_set (err, "%s: %s", path, strerror (errno));
  }
  return 0;
}

int
mountpoint_check (const char *path, bool nonempty, char **err)
{
  struct stat st;
  if (stat (path, &st) == -1)
    return error_set (err, "mountpoint %s: %s; create it with mkdir first", path, strerror (errno));
  if (!S_ISDIR (st.st_mode))
    return error_set (err, "mountpoint %s: not a directory", path);
  if (nonempty)
    return 0;

  DIR *dir = opendir (path);
  if (!dir)
    return error_set (err, "mountpoint %s: %s", path, strerror (errno));
  struct dirent *d;
  bool empty = true;
  while ((d = readdir (dir)) != NULL)
    if (strcmp (d->d_name, ".") != 0 && strcmp (d->d_name, "..") != 0) {
      empty = false;
      break;
    }
  closedir (dir);
  if (!empty)
    return error_set (err, "mountpoint %s: not empty; use an empty directory or -o nonempty", path);
  return 0;
}

static bool
qemu_holds_for_writing (int fd)
{
  struct flock fl = {
    .l_type = F_WRLCK, .l_whence = SEEK_SET,
    .l_start = QEMU_LOCK_BYTE_WRITE, .l_len = 1,
  };
  if (fcntl (fd, F_OFD_GETLK, &fl) == -1)
    return false;   /* no OFD locks on this filesystem: nothing to learn */
  return fl.l_type != F_UNLCK;
}

int
image_lock (const char *path, bool readonly, bool *busy, char **err)
{
  *busy = false;
  int fd = open (path, (readonly ? O_RDONLY : O_RDWR) | O_CLOEXEC);
  if (fd == -1)
    return error_set (err, "%s: %s", path, strerror (errno));

  if (flock (fd, (readonly ? LOCK_SH : LOCK_EX) | LOCK_NB) == -1) {
    int e = errno;
    close (fd);
    *busy = e == EWOULDBLOCK;
    if (e == EWOULDBLOCK)
      return error_set (err, "%s: already mounted by another imgmount%s; unmount it first",
                   path, readonly ? " for writing" : "");
    return error_set (err, "%s: cannot lock: %s", path, strerror (e));
  }
  if (qemu_holds_for_writing (fd)) {
    close (fd);
    return error_set (err, "%s: in use by another program (a qemu process has it open for writing)", path);
  }
  return fd;
}
