/* cache-dir.c: imgmount's per-host cache directory. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "backend-select/cache-dir.h"
#include "common/message.h"
#include "common/xalloc.h"

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
  mkdir (dir, 0755);
  char *path = xasprintf ("%s/%s", dir, name);
  free (dir);
  return path;
}
