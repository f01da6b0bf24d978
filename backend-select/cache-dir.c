/* cache-dir.c: imgmount's per-host cache directory. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "backend-select/cache-dir.h"
#include "common/message.h"
#include "common/xalloc.h"

/* Makes DIR and every directory above it that is missing, private to the
 * user (the XDG base directory rule for a cache they create): a new
 * user has no ~/.cache yet.  What exists already is left as it is. */
static void
make_dirs (char *dir, mode_t mode)
{
  for (char *slash = strchr (dir + 1, '/'); slash; slash = strchr (slash + 1, '/')) {
    *slash = '\0';
    mkdir (dir, mode);
    *slash = '/';
  }
  mkdir (dir, mode);
}

char *
cache_dir_path (const char *name)
{
  const char *xdg = getenv ("XDG_CACHE_HOME"), *home = getenv ("HOME");
  const char *own = getenv ("IMGMOUNT_CACHE_DIR");
  char *dir;
  if (own && *own)
    dir = xstrdup (own);
  else if (geteuid () == 0)
    dir = xstrdup ("/var/cache/imgmount");
  else if (xdg && *xdg)
    dir = xasprintf ("%s/imgmount", xdg);
  else if (home && *home)
    dir = xasprintf ("%s/.cache/imgmount", home);
  else
    return NULL;
  /* root's is shared by every user's appliance builds: readable by all. */
  make_dirs (dir, geteuid () == 0 ? 0755 : 0700);
  char *path = xasprintf ("%s/%s", dir, name);
  free (dir);
  return path;
}
