/* uml-memdir.c: see uml-memdir.h. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "backend-select/hv/uml-memdir.h"
#include "common/xalloc.h"

#define MEMDIR_PARENT "/dev/shm"
#define MEMDIR_PREFIX "imgmount-uml."

char *
uml_memdir_make (void)
{
  char *dir = xasprintf ("%s/" MEMDIR_PREFIX "%ld.XXXXXX", MEMDIR_PARENT, (long) getpid ());
  if (mkdtemp (dir))
    return dir;
  free (dir);
  return NULL;
}

void
uml_memdir_sweep (void)
{
  DIR *d = opendir (MEMDIR_PARENT);
  struct dirent *e;
  while (d && (e = readdir (d))) {
    char *end;
    if (strncmp (e->d_name, MEMDIR_PREFIX, strlen (MEMDIR_PREFIX)) != 0)
      continue;
    long pid = strtol (e->d_name + strlen (MEMDIR_PREFIX), &end, 10);
    if (pid > 0 && *end == '.' && kill ((pid_t) pid, 0) == -1 && errno == ESRCH)
      unlinkat (dirfd (d), e->d_name, AT_REMOVEDIR);
  }
  if (d)
    closedir (d);
}
