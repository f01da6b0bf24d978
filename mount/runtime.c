/* runtime.c: the runtime directory and the mount table lookup. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "mount/runtime.h"

char *
runtime_dir (void)
{
  char *dir;
  const char *xdg = getenv ("XDG_RUNTIME_DIR");
  if (geteuid () == 0)
    dir = strdup ("/run/imgmount");
  else if (xdg && *xdg) {
    if (asprintf (&dir, "%s/imgmount", xdg) < 0)
      return NULL;
  }
  else if (asprintf (&dir, "/tmp/imgmount-%u", (unsigned) geteuid ()) < 0)
    return NULL;
  if (mkdir (dir, 0700) == -1 && errno != EEXIST) {
    free (dir);
    return NULL;
  }
  return dir;
}

char *
runtime_file (unsigned major, unsigned minor, const char *suffix)
{
  char *dir = runtime_dir (), *file = NULL;
  if (!dir)
    return NULL;
  if (asprintf (&file, "%s/%u:%u.%s", dir, major, minor, suffix) < 0)
    file = NULL;
  free (dir);
  return file;
}

/* mountinfo escapes space, tab, newline and backslash as \ooo. */
static void
unescape_octal (char *s)
{
  char *out = s;
  while (*s) {
    if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7'
        && s[3] >= '0' && s[3] <= '7') {
      *out++ = (char) ((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
      s += 4;
    }
    else
      *out++ = *s++;
  }
  *out = '\0';
}

int
mountinfo_find (const char *mountinfo, const char *mountpoint,
                unsigned *major, unsigned *minor, char **fstype)
{
  FILE *fp = fopen (mountinfo, "re");
  if (!fp)
    return -1;
  char *line = NULL;
  size_t cap = 0;
  int found = 0;
  /* Later lines stack on earlier ones: the last match is the visible one. */
  while (getline (&line, &cap, fp) != -1) {
    unsigned id, parent, maj, min;
    char root[4096], mnt[4096];
    if (sscanf (line, "%u %u %u:%u %4095s %4095s", &id, &parent, &maj, &min, root, mnt) != 6)
      continue;
    unescape_octal (mnt);
    if (strcmp (mnt, mountpoint) != 0)
      continue;
    const char *sep = strstr (line, " - ");
    char type[256] = "";
    if (sep && sscanf (sep + 3, "%255s", type) != 1)
      continue;
    *major = maj;
    *minor = min;
    if (fstype) {
      free (*fstype);
      *fstype = strdup (type);
    }
    found = 1;
  }
  free (line);
  fclose (fp);
  return found;
}
