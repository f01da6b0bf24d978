/* test-runtime-dir.c: the runtime directory is used only when it is ours
 * alone, and no link in it or in its place is ever followed. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include "common/message.h"
#include "common/remove-tree.h"
#include "common/xalloc.h"
#include "mount/runtime.h"
#include "check.h"

/* Opens DIR as the runtime directory; expects a refusal that names it and
 * whose message contains WHY. */
static void
check_refused (const char *dir, const char *why)
{
  char *err = NULL;
  int fd = runtime_dir_open (dir, &err);
  CHECK (fd == -1);
  if (fd >= 0) {
    fprintf (stderr, "accepted: %s\n", dir);
    close (fd);
  }
  CHECK (err && strstr (err, dir) && strstr (err, why) && strstr (err, "remove it"));
  if (err)
    fprintf (stderr, "refused as expected: %s\n", err);
  free (err);
}

static void
check_created (const char *base)
{
  char *dir = xasprintf ("%s/new", base);
  int fd = runtime_dir_open (dir, NULL);
  struct stat st;
  CHECK (fd >= 0);
  CHECK (stat (dir, &st) == 0 && S_ISDIR (st.st_mode) && (st.st_mode & 07777) == 0700);
  CHECK (st.st_uid == geteuid ());
  /* ...and used: the files of a mount are made there, for us alone. */
  int lock = runtime_open (fd, 0, 99, RUNTIME_LOCK, O_RDWR | O_CREAT);
  char *lock_path = xasprintf ("%s/0:99.lock", dir);
  CHECK (lock >= 0 && stat (lock_path, &st) == 0 && (st.st_mode & 07777) == 0600);
  close (lock);
  close (fd);
  free (lock_path);
  free (dir);
}

static void
check_other_owner (const char *base)
{
  if (geteuid () != 0) {
    fprintf (stderr, "skipped: a directory of another user (needs root to chown)\n");
    return;
  }
  char *dir = xasprintf ("%s/theirs", base);
  CHECK (mkdir (dir, 0700) == 0 && chown (dir, 12345, 12345) == 0);
  check_refused (dir, "owned by uid 12345");
  free (dir);
}

static void
check_open_mode (const char *base)
{
  char *dir = xasprintf ("%s/open", base);
  CHECK (mkdir (dir, 0700) == 0 && chmod (dir, 0777) == 0);
  check_refused (dir, "0777");
  free (dir);
}

/* A link to a directory that would pass every check. */
static void
check_link_in_place (const char *base)
{
  char *good = xasprintf ("%s/good", base), *dir = xasprintf ("%s/link", base);
  CHECK (mkdir (good, 0700) == 0 && symlink (good, dir) == 0);
  check_refused (dir, "symbolic link");
  free (good);
  free (dir);
}

/* Another user's trap: the lock and status names already taken by links
 * to a file of the victim's. */
static void
check_planted_links (const char *base)
{
  char *dir = xasprintf ("%s/planted", base), *victim = xasprintf ("%s/victim", base);
  char *lock = xasprintf ("%s/0:99.lock", dir), *status = xasprintf ("%s/0:99.status", dir);
  FILE *fp = fopen (victim, "w");
  fputs ("precious\n", fp);
  fclose (fp);
  CHECK (mkdir (dir, 0700) == 0 && symlink (victim, lock) == 0 && symlink (victim, status) == 0);

  int fd = runtime_dir_open (dir, NULL);
  CHECK (fd >= 0);
  errno = 0;
  int lock_fd = runtime_open (fd, 0, 99, RUNTIME_LOCK, O_RDWR | O_CREAT);
  CHECK (lock_fd == -1 && errno == ELOOP);
  if (lock_fd >= 0) {
    CHECK (ftruncate (lock_fd, 0) == 0);   /* what publish_mount does next */
    close (lock_fd);
  }
  FILE *status_fp = runtime_fopen (fd, 0, 99, RUNTIME_STATUS, "w");
  CHECK (status_fp == NULL);
  if (status_fp)
    fclose (status_fp);
  close (fd);

  char line[32] = "";
  fp = fopen (victim, "r");
  CHECK (fp && fgets (line, sizeof line, fp));
  CHECK_STR (line, "precious\n");
  if (fp)
    fclose (fp);
  free (dir);
  free (victim);
  free (lock);
  free (status);
}

int
main (void)
{
  char base[] = "/tmp/test-runtime-dir-XXXXXX";
  umask (022);
  if (!mkdtemp (base)) {
    perror ("mkdtemp");
    return 1;
  }
  check_created (base);
  check_other_owner (base);
  check_open_mode (base);
  check_link_in_place (base);
  check_planted_links (base);
  remove_tree (base);
  return CHECK_DONE ();
}
