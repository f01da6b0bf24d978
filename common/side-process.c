/* side-process.c: see side-process.h. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>
#include "common/side-process.h"

void
side_process_start (const char *name, int fd)
{
  signal (SIGINT, SIG_IGN);
  signal (SIGQUIT, SIG_IGN);
  signal (SIGHUP, SIG_IGN);
  signal (SIGTERM, SIG_IGN);
  prctl (PR_SET_NAME, name);
  int null = open ("/dev/null", O_RDWR);
  if (null >= 0) {
    dup2 (null, 0);
    dup2 (null, 1);
    dup2 (null, 2);
  }
  if (dup2 (fd, 3) == -1)
    _exit (1);
  close_range (4, ~0U, 0);
}

int
side_process_read (void)
{
  char byte;
  for (;;) {
    ssize_t n = read (3, &byte, 1);
    if (n == 1)
      return 1;
    if (n == 0 || errno != EINTR)
      return 0;
  }
}
