/* cleanup.h: variables released at the end of their scope (GCC's and
 * clang's cleanup attribute), so that early returns leak nothing. */
#ifndef IMGMOUNT_CLEANUP_H
#define IMGMOUNT_CLEANUP_H

#include <stdlib.h>
#include <unistd.h>

static inline void
cleanup_free (void *p)
{
  free (*(void **) p);
}

static inline void
cleanup_close (int *fd)
{
  if (*fd >= 0)
    close (*fd);
}

/* Frees a NULL-terminated list of strings, as libguestfs returns them
 * (NULL too). */
static inline void
strings_free (char **list)
{
  for (size_t k = 0; list && list[k]; k++)
    free (list[k]);
  free (list);
}

static inline void
cleanup_strings (char ***list)
{
  strings_free (*list);
}

/* AUTO_FREE char *s = ...: freed.  AUTO_FD fd = open (...): closed.
 * AUTO_STRINGS char **list = ...: a NULL-terminated list, each string
 * and the list freed. */
#define AUTO_FREE __attribute__ ((cleanup (cleanup_free)))
#define AUTO_FD __attribute__ ((cleanup (cleanup_close))) int
#define AUTO_STRINGS __attribute__ ((cleanup (cleanup_strings)))

#endif
