/* daemon.c: background start with readiness signalled over a pipe, so
 * that `imgmount IMG MNT && cp ... MNT` is safe in a script. */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include "common/parent-death.h"
#include "mount/daemon.h"

int
daemon_fork (void)
{
  int fds[2];
  if (pipe2 (fds, O_CLOEXEC) == -1) {
    perror ("imgmount: pipe");
    exit (EXIT_FAILURE);
  }
  pid_t waiting = getpid ();
  pid_t pid = fork ();
  if (pid == -1) {
    perror ("imgmount: fork");
    exit (EXIT_FAILURE);
  }
  if (pid == 0) {
    close (fds[0]);
    /* Until it is ready, the daemon lives for the imgmount that waits for
     * it: when a Ctrl-C ends that one (the daemon, in a session of its
     * own, does not get it), the start is abandoned rather than a mount
     * made that nobody waits for.  The appliance then goes as after a
     * kill of imgmount. */
    if (die_with_parent (waiting, SIGTERM) == -1)
      _exit (EXIT_FAILURE);
    setsid ();
    return fds[1];
  }

  close (fds[1]);
  char byte;
  ssize_t n;
  do
    n = read (fds[0], &byte, 1);
  while (n == -1);
  if (n == 1)
    _exit (EXIT_SUCCESS);
  /* The child failed before it was ready and has said why on stderr. */
  int status;
  if (waitpid (pid, &status, 0) == -1 || !WIFEXITED (status) || WEXITSTATUS (status) == 0)
    _exit (EXIT_FAILURE);
  _exit (WEXITSTATUS (status));
}

void
daemon_ready (int ready_fd)
{
  int devnull = open ("/dev/null", O_RDWR);
  if (devnull >= 0) {
    dup2 (devnull, 0);
    dup2 (devnull, 1);
    dup2 (devnull, 2);
    if (devnull > 2)
      close (devnull);
  }
  if (chdir ("/") == -1) {
    /* Only matters for not holding a directory busy; carry on. */
  }
  if (ready_fd >= 0) {
    prctl (PR_SET_PDEATHSIG, 0);   /* ready: the mount outlives its starter */
    if (write (ready_fd, "", 1) != 1) {
      /* The parent is gone: nobody to tell. */
    }
    close (ready_fd);
  }
}
