/* programs.c: finding imgmount's helper programs. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "common/message.h"
#include "common/programs.h"

char *
helper_program (const char *name)
{
  char self[PATH_MAX];
  ssize_t n = readlink ("/proc/self/exe", self, sizeof self - 1);
  if (n > 0) {
    self[n] = '\0';
    char *slash = strrchr (self, '/');
    if (slash) {
      char *path = xasprintf ("%.*s/%s", (int) (slash - self), self, name);
      if (access (path, X_OK) == 0)
        return path;
      free (path);
    }
  }
  return xasprintf ("%s/%s", IMGMOUNT_LIBEXECDIR, name);
}
