/* parent-death.c: see parent-death.h.  The check after the prctl closes
 * the window between fork and prctl, in which a parent killed leaves the
 * child running for good. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>
#include "common/parent-death.h"

/* The parent of the first process of a new PID namespace is outside it,
 * where getppid () says 0 whether that parent lives or not; /proc, mounted
 * for the namespace just above (the parent's: NSpid then lists two pids),
 * names the parent as the parent itself knows it.  0 when that cannot be
 * told. */
static pid_t
parent_outside_namespace (void)
{
  char buf[4096];
  int fd = open ("/proc/self/status", O_RDONLY | O_CLOEXEC);
  if (fd == -1)
    return 0;
  ssize_t n = read (fd, buf, sizeof buf - 1);
  close (fd);
  if (n <= 0)
    return 0;
  buf[n] = '\0';
  const char *ppid = strstr (buf, "\nPPid:"), *nspid = strstr (buf, "\nNSpid:");
  int outer, inner, deeper;
  if (!ppid || !nspid || sscanf (nspid, "\nNSpid: %d %d %d", &outer, &inner, &deeper) != 2)
    return 0;
  return (pid_t) atoi (ppid + strlen ("\nPPid:"));
}

int
die_with_parent (pid_t expected_parent, int sig)
{
  if (prctl (PR_SET_PDEATHSIG, sig) == -1)
    return -1;
  pid_t parent = getppid ();
  if (parent == 0)
    parent = parent_outside_namespace ();
  /* (A parent that cannot be told is given the benefit of the doubt.) */
  if (parent != 0 && parent != expected_parent)
    _exit (1);
  return 0;
}
