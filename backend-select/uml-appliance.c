/* uml-appliance.c: building and caching the UML appliance.
 *
 * libguestfs builds its appliance for the host kernel, which UML cannot
 * boot.  supermin builds the same appliance around the UML kernel and its
 * modules; libguestfs then takes it as a fixed appliance (guestfs_set_path)
 * and imgmount-hv boots it.  The build takes seconds, so it is cached,
 * keyed on everything it is made from. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "backend-select/cache-dir.h"
#include "backend-select/uml-appliance.h"
#include "common/message.h"

static const char *const appliance_files[] = { "kernel", "initrd", "root", "README.fixed", "key" };

/* The version directory of the UML kernel's modules (the newest one). */
static char *
uml_modules_version (void)
{
  DIR *dir = opendir (UML_MODULES);
  if (!dir)
    return NULL;
  char *best = NULL;
  struct dirent *d;
  while ((d = readdir (dir)) != NULL)
    if (d->d_name[0] != '.' && (!best || strverscmp (d->d_name, best) > 0)) {
      free (best);
      best = strdup (d->d_name);
    }
  closedir (dir);
  return best;
}

int
uml_installed (char **why)
{
  *why = NULL;
  if (access (UML_KERNEL, X_OK) == -1) {
    *why = xasprintf ("%s: %s (install the user-mode-linux package)", UML_KERNEL, strerror (errno));
    return 0;
  }
  char *version = uml_modules_version ();
  if (!version) {
    *why = xasprintf ("%s: no UML kernel modules (reinstall user-mode-linux)", UML_MODULES);
    return 0;
  }
  free (version);
  return 1;
}

/* "path size mtime" of each input, one line. */
static char *
appliance_key (const char *supermin_d, const char *version)
{
  const char *inputs[] = { UML_KERNEL, supermin_d, "packages", "daemon.tar.gz", "init.tar.gz", "base.tar.gz" };
  char *key = xasprintf ("uml-modules=%s", version);
  for (size_t k = 0; k < sizeof inputs / sizeof inputs[0]; k++) {
    char *path = k < 2 ? strdup (inputs[k]) : xasprintf ("%s/%s", supermin_d, inputs[k]);
    struct stat st;
    char *more = stat (path, &st) == 0
      ? xasprintf ("%s %s=%lld:%lld", key, path, (long long) st.st_size, (long long) st.st_mtime)
      : xasprintf ("%s %s=missing", key, path);
    free (path);
    free (key);
    key = more;
  }
  return key;
}

static int
key_matches (const char *dir, const char *key)
{
  char *file = xasprintf ("%s/key", dir);
  FILE *fp = fopen (file, "re");
  free (file);
  if (!fp)
    return 0;
  char *line = NULL;
  size_t cap = 0;
  int match = getline (&line, &cap, fp) > 0 && strcmp (strtok (line, "\n"), key) == 0;
  free (line);
  fclose (fp);
  return match;
}

static void
remove_appliance (const char *dir)
{
  for (size_t k = 0; k < sizeof appliance_files / sizeof appliance_files[0]; k++) {
    char *f = xasprintf ("%s/%s", dir, appliance_files[k]);
    unlink (f);
    free (f);
  }
  rmdir (dir);
}

static int
write_file (const char *dir, const char *name, const char *text)
{
  char *path = xasprintf ("%s/%s", dir, name);
  FILE *fp = fopen (path, "we");
  free (path);
  if (!fp)
    return -1;
  fprintf (fp, "%s\n", text);
  return fclose (fp);
}

/* Runs supermin into OUT.  Its output goes to stderr only when verbose. */
static int
run_supermin (const char *supermin_d, const char *version, const char *out,
              int verbose, char **err)
{
  pid_t pid = fork ();
  if (pid == -1)
    return error_set (err, "fork: %s", strerror (errno));
  if (pid == 0) {
    char *modules = xasprintf ("%s/%s", UML_MODULES, version);
    setenv ("SUPERMIN_KERNEL", UML_KERNEL, 1);
    setenv ("SUPERMIN_MODULES", modules, 1);
    setenv ("SUPERMIN_KERNEL_VERSION", version, 1);
    int devnull = open ("/dev/null", O_RDWR);
    dup2 (devnull, 0);
    if (!verbose) {
      dup2 (devnull, 1);
      dup2 (devnull, 2);
    }
    execlp ("supermin", "supermin", "--build", "--copy-kernel", "-f", "ext2",
            "--host-cpu", "x86_64", "-o", out, supermin_d, (char *) NULL);
    _exit (127);
  }
  int status;
  while (waitpid (pid, &status, 0) == -1 && errno == EINTR)
    ;
  if (WIFEXITED (status) && WEXITSTATUS (status) == 127)
    return error_set (err, "uml: cannot run supermin (install the supermin package)");
  if (!WIFEXITED (status) || WEXITSTATUS (status) != 0)
    return error_set (err, "uml: supermin failed to build the UML appliance "
                      "(run with -v -v to see why)");
  return 0;
}

static int
build (const char *dir, const char *supermin_d, const char *version,
       const char *key, int verbose, char **err)
{
  char *tmp = xasprintf ("%s.new.%d", dir, (int) getpid ());
  remove_appliance (tmp);
  int r = -1;
  if (verbose)
    fprintf (stderr, "imgmount: building the UML appliance in %s\n", dir);
  if (mkdir (tmp, 0755) == -1)
    error_set (err, "uml: %s: %s", tmp, strerror (errno));
  else if (run_supermin (supermin_d, version, tmp, verbose, err) == 0) {
    /* A fixed appliance is one libguestfs uses as it is (no supermin run). */
    if (write_file (tmp, "README.fixed", "UML appliance built by imgmount") == -1 ||
        write_file (tmp, "key", key) == -1)
      error_set (err, "uml: writing to %s: %s", tmp, strerror (errno));
    else {
      remove_appliance (dir);
      if (rename (tmp, dir) == -1)
        error_set (err, "uml: %s: %s", dir, strerror (errno));
      else
        r = 0;
    }
  }
  if (r == -1)
    remove_appliance (tmp);
  free (tmp);
  return r;
}

char *
uml_appliance (const char *libguestfs_path, int verbose, char **err)
{
  char *version = uml_modules_version ();
  char *dir = cache_dir_path ("uml-appliance");
  char *lock = cache_dir_path ("uml-appliance.lock");
  char *supermin_d = xasprintf ("%s/supermin.d", libguestfs_path);
  char *key = version ? appliance_key (supermin_d, version) : NULL;
  int fd = lock ? open (lock, O_RDWR | O_CREAT | O_CLOEXEC, 0644) : -1;
  if (!version || !dir || fd == -1) {
    error_set (err, "uml: %s", !version ? "no UML kernel modules (install user-mode-linux)"
               : "no cache directory for the UML appliance (set HOME)");
    free (dir);
    dir = NULL;
  } else {
    /* One build at a time; the others wait and then use it. */
    flock (fd, LOCK_EX);
    if (!key_matches (dir, key) && build (dir, supermin_d, version, key, verbose, err) == -1) {
      free (dir);
      dir = NULL;
    }
  }
  if (fd >= 0)
    close (fd);
  free (version);
  free (lock);
  free (supermin_d);
  free (key);
  return dir;
}
