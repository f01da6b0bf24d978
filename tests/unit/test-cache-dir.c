/* test-cache-dir.c: the cache directory an ordinary user gets.  A new
 * user has no ~/.cache yet (found trying `imgmount` right after useradd):
 * every missing directory on the way is made, private to the user. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "backend-select/cache-dir.h"
#include "common/remove-tree.h"
#include "common/xalloc.h"
#include "tests/unit/check.h"

static void
check_private_dir (const char *path)
{
  struct stat st;
  CHECK (lstat (path, &st) == 0);
  CHECK (S_ISDIR (st.st_mode));
  CHECK ((st.st_mode & 077) == 0);
  CHECK (st.st_uid == geteuid ());
}

/* As an ordinary user (nobody, when run as root): HOME without .cache,
 * then XDG_CACHE_HOME two levels deep that does not exist. */
static void
as_user (const char *home)
{
  unsetenv ("IMGMOUNT_CACHE_DIR");
  unsetenv ("XDG_CACHE_HOME");
  setenv ("HOME", home, 1);
  char *path = cache_dir_path ("kvm-probe");
  char *want = xasprintf ("%s/.cache/imgmount/kvm-probe", home);
  CHECK_STR (path, want);
  char *dot_cache = xasprintf ("%s/.cache", home), *dir = xasprintf ("%s/.cache/imgmount", home);
  check_private_dir (dot_cache);
  check_private_dir (dir);

  char *xdg = xasprintf ("%s/x/y", home), *xdg_dir = xasprintf ("%s/x/y/imgmount", home);
  setenv ("XDG_CACHE_HOME", xdg, 1);
  free (path);
  path = cache_dir_path ("");
  CHECK (path && strncmp (path, xdg_dir, strlen (xdg_dir)) == 0);
  check_private_dir (xdg_dir);
  free (path); free (want); free (dot_cache); free (dir); free (xdg); free (xdg_dir);
}

int
main (void)
{
  char home[] = "/tmp/test-cache-dir.XXXXXX";
  CHECK (mkdtemp (home) != NULL);
  if (geteuid () != 0)
    as_user (home);
  else {
    CHECK (chown (home, 65534, 65534) == 0);
    pid_t pid = fork ();
    if (pid == 0) {
      if (setgid (65534) == -1 || setuid (65534) == -1)
        _exit (2);
      as_user (home);
      _exit (CHECK_DONE ());
    }
    int status;
    CHECK (waitpid (pid, &status, 0) == pid && WIFEXITED (status) && WEXITSTATUS (status) == 0);
  }
  remove_tree (home);
  return CHECK_DONE ();
}
