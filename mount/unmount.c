/* unmount.c: imgmount -u, which returns only when the data is in the image
 * file and the appliance is gone (guestunmount returns before that). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>
#include "mount/finish.h"
#include "mount/runtime.h"
#include "mount/unmount.h"
#include "common/xalloc.h"

int
unmount_detach (const char *mountpoint, bool lazy)
{
  if (geteuid () == 0)
    return umount2 (mountpoint, lazy ? MNT_DETACH : 0) == 0 ? 0 : errno;
  pid_t pid = fork ();
  if (pid == 0) {
    int devnull = open ("/dev/null", O_WRONLY);
    dup2 (devnull, 2);
    execlp ("fusermount3", "fusermount3", lazy ? "-uz" : "-u", "--", mountpoint, (char *) NULL);
    _exit (127);
  }
  int status;
  if (pid == -1 || waitpid (pid, &status, 0) == -1)
    return errno;
  /* fusermount3 says only "failed"; busy is by far the common cause. */
  return WIFEXITED (status) && WEXITSTATUS (status) == 0 ? 0 : EBUSY;
}

int
unmount_and_wait (const char *mountpoint, bool lazy)
{
  char real[PATH_MAX];
  if (!realpath (mountpoint, real)) {
    fprintf (stderr, "imgmount: %s: %s\n", mountpoint, strerror (errno));
    return 1;
  }
  unsigned maj, min;
  char *fstype = NULL;
  int found = mountinfo_find ("/proc/self/mountinfo", real, &maj, &min, &fstype);
  if (found != 1 || strcmp (fstype, "fuse.imgmount") != 0) {
    fprintf (stderr, "imgmount: %s: not an imgmount mountpoint%s%s%s\n", mountpoint,
             found == 1 ? " (it is " : "", found == 1 ? fstype : "", found == 1 ? ")" : "");
    free (fstype);
    return 1;
  }
  free (fstype);

  char *err = NULL;
  int run_dir = runtime_dir_open (NULL, &err);
  if (run_dir == -1) {
    fprintf (stderr, "imgmount: %s\n", err ? err : "out of memory");
    free (err);
    return 1;
  }
  int lock_fd = runtime_open (run_dir, maj, min, RUNTIME_LOCK, O_RDONLY);
  int rc = 1;
  /* Asks the daemon to leave its outcome behind for us. */
  if (lock_fd >= 0 && !lazy)
    close (runtime_open (run_dir, maj, min, RUNTIME_WAITING, O_WRONLY | O_CREAT));

  int e = unmount_detach (real, lazy);
  if (e == EBUSY)
    fprintf (stderr, "imgmount: %s: busy (a file is open or a process is inside it); "
             "close it, or use -u --lazy\n", mountpoint);
  else if (e)
    fprintf (stderr, "imgmount: cannot unmount %s: %s\n", mountpoint, strerror (e));
  else if (lazy)
    rc = 0;   /* the daemon finishes when the last user lets go */
  else if (lock_fd == -1) {
    fprintf (stderr, "imgmount: %s: unmounted, but its daemon had left no state; "
             "unsaved writes may be lost\n", mountpoint);
  }
  else {
    /* The daemon holds the lock until it has synced and its appliance
     * has exited. */
    int pid;
    char *status;
    enum finish_outcome outcome = finish_wait (run_dir, maj, min, lock_fd, -1, &pid, &status);
    if (outcome == FINISH_OK)
      rc = 0;
    else if (outcome == FINISH_LOST)
      fprintf (stderr, "imgmount: %s: %s\n", mountpoint, status);
    else
      fprintf (stderr, "imgmount: %s: the daemon died before it could save its data; "
               "unsaved writes may be lost\n", mountpoint);
    free (status);
  }
  runtime_unlink (run_dir, maj, min, RUNTIME_WAITING);
  if (lock_fd >= 0)
    close (lock_fd);
  close (run_dir);
  return rc;
}
