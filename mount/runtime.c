/* runtime.c: the runtime directory and the mount table lookup. */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "common/cleanup.h"
#include "common/message.h"
#include "common/xalloc.h"
#include "mount/runtime.h"

/* This user's runtime directory (malloc'd). */
static char *
runtime_dir_path (void)
{
  const char *xdg = getenv ("XDG_RUNTIME_DIR");
  if (geteuid () == 0)
    return xasprintf ("/run/imgmount");
  if (xdg && *xdg)
    return xasprintf ("%s/imgmount", xdg);
  return xasprintf ("/tmp/imgmount-%u", (unsigned) geteuid ());
}

/* What else a user can do about an unfit runtime directory: root has
 * only /run/imgmount. */
static const char *
or_elsewhere (void)
{
  return geteuid () == 0 ? "" : " or set XDG_RUNTIME_DIR";
}

/* Why DIR, which would not open as a directory without following a link,
 * was refused. */
static int
refuse_unopened (const char *dir, char **err)
{
  int e = errno;
  struct stat st;
  if (lstat (dir, &st) == 0 && S_ISLNK (st.st_mode))
    return error_set (err, "runtime directory %s is a symbolic link; remove it%s", dir,
                      or_elsewhere ());
  if (e == ENOTDIR)
    return error_set (err, "runtime directory %s is not a directory; remove it%s", dir,
                      or_elsewhere ());
  return error_set (err, "cannot open runtime directory %s: %s; check the directory above it%s",
                    dir, strerror (e), or_elsewhere ());
}

/* In /tmp, anyone may have made DIR (open as FD, a directory by
 * O_DIRECTORY) before us: only ours, and shut to everyone else, keeps
 * others from planting files in it. */
static int
check_owner_and_mode (int fd, const char *dir, char **err)
{
  struct stat st;
  if (fstat (fd, &st) == -1)
    return error_set (err, "cannot check runtime directory %s: %s", dir, strerror (errno));
  if (st.st_uid != geteuid ())
    return error_set (err, "runtime directory %s is owned by uid %u, not you; remove it%s", dir,
                      (unsigned) st.st_uid, or_elsewhere ());
  if (st.st_mode & (S_IRWXG | S_IRWXO))
    return error_set (err, "runtime directory %s has mode %04o, open to other users; "
                      "remove it%s", dir, (unsigned) (st.st_mode & 07777), or_elsewhere ());
  return 0;
}

int
runtime_dir_open (const char *dir, char **err)
{
  if (!dir) {
    AUTO_FREE char *mine = runtime_dir_path ();
    return runtime_dir_open (mine, err);
  }
  if (mkdir (dir, 0700) == -1 && errno != EEXIST)
    return error_set (err, "cannot create runtime directory %s: %s; check the directory "
                      "above it%s", dir, strerror (errno), or_elsewhere ());
  int fd = open (dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd == -1)
    return refuse_unopened (dir, err);
  if (check_owner_and_mode (fd, dir, err) == -1) {
    close (fd);
    return -1;
  }
  return fd;
}

static const char *const suffixes[] = {
  [RUNTIME_LOCK] = "lock", [RUNTIME_WAITING] = "waiting", [RUNTIME_STATUS] = "status",
};

/* The name of FILE of mount MAJOR:MINOR, the one place that spells it. */
static void
file_name (char *name, size_t size, unsigned major, unsigned minor, enum runtime_file file)
{
  snprintf (name, size, "%u:%u.%s", major, minor, suffixes[file]);
}

bool
runtime_parse_name (const char *name, unsigned *major, unsigned *minor, enum runtime_file *file)
{
  unsigned maj, min;
  if (sscanf (name, "%u:%u.", &maj, &min) != 2)
    return false;
  /* Only the very name file_name gives: no sign, no leading zero. */
  for (size_t k = 0; k < sizeof suffixes / sizeof suffixes[0]; k++) {
    char spelt[64];
    file_name (spelt, sizeof spelt, maj, min, (enum runtime_file) k);
    if (strcmp (name, spelt) == 0) {
      *major = maj;
      *minor = min;
      *file = (enum runtime_file) k;
      return true;
    }
  }
  return false;
}

int
runtime_write_lock (int fd, pid_t pid, const int *image_fds, size_t n)
{
  char *text = NULL;
  size_t len = 0;
  FILE *mem = open_memstream (&text, &len);
  if (!mem)
    return -1;
  fprintf (mem, "%d\n", (int) pid);
  int r = 0;
  for (size_t k = 0; k < n && r == 0; k++) {
    struct stat st;
    if (fstat (image_fds[k], &st) == -1)
      r = -1;
    else
      fprintf (mem, "%ju %ju\n", (uintmax_t) st.st_dev, (uintmax_t) st.st_ino);
  }
  if (fclose (mem) == EOF)
    r = -1;
  /* From the start, whatever the offset (the file may be reused). */
  if (r == 0 && (ftruncate (fd, 0) == -1 || pwrite (fd, text, len, 0) != (ssize_t) len))
    r = -1;
  free (text);
  return r;
}

int
runtime_read_lock (int fd, dev_t dev, ino_t ino, bool *holds)
{
  char buf[4096];
  ssize_t n = pread (fd, buf, sizeof buf - 1, 0);
  if (holds)
    *holds = false;
  if (n <= 0)
    return 0;
  buf[n] = '\0';
  char *line_end, *rest;
  long pid = strtol (buf, &rest, 10);
  if (rest == buf || *rest != '\n' || pid <= 0 || pid > INT_MAX)
    return 0;
  for (char *line = rest + 1; holds && (line_end = strchr (line, '\n')); line = line_end + 1) {
    uintmax_t d, i;
    int used = 0;
    if (sscanf (line, "%ju %ju%n", &d, &i, &used) == 2 && line + used == line_end &&
        d == (uintmax_t) dev && i == (uintmax_t) ino)
      *holds = true;
  }
  return (int) pid;
}

int
runtime_open (int dir_fd, unsigned major, unsigned minor, enum runtime_file file, int flags)
{
  char name[64];
  file_name (name, sizeof name, major, minor, file);
  return openat (dir_fd, name, flags | O_NOFOLLOW | O_CLOEXEC, 0600);
}

FILE *
runtime_fopen (int dir_fd, unsigned major, unsigned minor, enum runtime_file file,
               const char *mode)
{
  int flags = mode[0] == 'w' ? O_WRONLY | O_CREAT | O_TRUNC : O_RDONLY;
  int fd = runtime_open (dir_fd, major, minor, file, flags);
  FILE *fp = fd >= 0 ? fdopen (fd, mode) : NULL;
  if (!fp && fd >= 0)
    close (fd);
  return fp;
}

int
runtime_stat (int dir_fd, unsigned major, unsigned minor, enum runtime_file file,
              struct stat *st)
{
  char name[64];
  file_name (name, sizeof name, major, minor, file);
  return fstatat (dir_fd, name, st, AT_SYMLINK_NOFOLLOW);
}

int
runtime_unlink (int dir_fd, unsigned major, unsigned minor, enum runtime_file file)
{
  char name[64];
  file_name (name, sizeof name, major, minor, file);
  return unlinkat (dir_fd, name, 0);
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

/* Calls FN on each line of MOUNTINFO until it returns false; -1 when the
 * file cannot be read. */
static int
mountinfo_each (const char *mountinfo, bool (*fn) (const char *line, void *arg), void *arg)
{
  FILE *fp = fopen (mountinfo, "re");
  if (!fp)
    return -1;
  char *line = NULL;
  size_t cap = 0;
  while (getline (&line, &cap, fp) != -1 && fn (line, arg))
    ;
  free (line);
  fclose (fp);
  return 0;
}

struct find_mount {
  const char *mountpoint;
  unsigned major, minor;
  char type[256];
  bool found;
};

/* Later lines stack on earlier ones: the last match is the visible one. */
static bool
find_mount_line (const char *line, void *arg)
{
  struct find_mount *f = arg;
  unsigned id, parent, maj, min;
  char root[4096], mnt[4096], type[256] = "";
  if (sscanf (line, "%u %u %u:%u %4095s %4095s", &id, &parent, &maj, &min, root, mnt) != 6)
    return true;
  unescape_octal (mnt);
  if (strcmp (mnt, f->mountpoint) != 0)
    return true;
  const char *sep = strstr (line, " - ");
  if (sep && sscanf (sep + 3, "%255s", type) != 1)
    return true;
  f->major = maj;
  f->minor = min;
  memcpy (f->type, type, sizeof type);
  f->found = true;
  return true;
}

int
mountinfo_find (const char *mountinfo, const char *mountpoint,
                unsigned *major, unsigned *minor, char **fstype)
{
  struct find_mount f = { .mountpoint = mountpoint };
  if (mountinfo_each (mountinfo, find_mount_line, &f) == -1)
    return -1;
  if (!f.found)
    return 0;
  *major = f.major;
  *minor = f.minor;
  if (fstype) {
    free (*fstype);
    *fstype = xstrdup (f.type);
  }
  return 1;
}

struct has_device {
  unsigned major, minor;
  bool found;
};

static bool
has_device_line (const char *line, void *arg)
{
  struct has_device *h = arg;
  unsigned id, parent, maj, min;
  h->found = sscanf (line, "%u %u %u:%u ", &id, &parent, &maj, &min) == 4 && maj == h->major &&
             min == h->minor;
  return !h->found;
}

int
mountinfo_has_device (const char *mountinfo, unsigned major, unsigned minor)
{
  struct has_device h = { major, minor, false };
  if (mountinfo_each (mountinfo, has_device_line, &h) == -1)
    return -1;
  return h.found;
}
