/* unmounter.c: see unmounter.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <unistd.h>
#include "common/side-process.h"
#include "mount/runtime.h"
#include "mount/unmount.h"
#include "mount/unmounter.h"

/* Detaches MOUNTPOINT when the mount there is still device MAJ:MIN: once
 * the daemon's mount has gone, the path may hold a mount of somebody
 * else's, which is not ours to take off. */
static void
detach_if_ours (const char *mountpoint, unsigned maj, unsigned min)
{
  unsigned m, n;
  char *fstype = NULL;
  int found = mountinfo_find ("/proc/self/mountinfo", mountpoint, &m, &n, &fstype);
  free (fstype);
  if (found == 1 && m == maj && n == min)
    unmount_detach (mountpoint, true);
}

/* The unmounter: detaches the mount at each byte read from FD, and ends
 * at end of file, when the daemon has exited. */
static _Noreturn void
unmounter (int fd, const char *mountpoint, unsigned maj, unsigned min)
{
  side_process_start ("imgmount-umount", fd);
  while (side_process_read ())
    detach_if_ours (mountpoint, maj, min);
  _exit (0);
}

int
unmounter_start (const char *mountpoint, unsigned maj, unsigned min)
{
  int fds[2];
  if (pipe2 (fds, O_CLOEXEC) == -1)
    return -1;
  pid_t pid = fork ();
  if (pid == 0)
    unmounter (fds[0], mountpoint, maj, min);
  int e = errno;
  close (fds[0]);
  if (pid == -1) {
    close (fds[1]);
    errno = e;
    return -1;
  }
  return fds[1];
}

void
unmounter_request (int fd)
{
  int e = errno;
  if (fd >= 0 && write (fd, "u", 1) == -1) {
    /* the unmounter has gone: nothing else to ask */
  }
  errno = e;
}
