/* run-dir.c: see run-dir.h.
 *
 * The remover learns that imgmount has gone from end of file on a pipe
 * whose write end only imgmount holds (libguestfs's recovery process
 * closes what it inherits).  The hypervisor may still run then, until the
 * recovery process kills it (it looks every 2 s); imgmount-hv holds a
 * shared lock on the run directory for as long as any process of the
 * appliance lives (hv-main.c), and the remover waits for it, so nothing
 * is removed under a running appliance. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>
#include "common/message.h"
#include "common/remove-tree.h"
#include "common/side-process.h"
#include "common/xalloc.h"
#include "backend-select/hv/hv-env.h"
#include "backend-select/run-dir.h"
#include "backend-select/hv/uml-memdir.h"

static char *run_dir;
static pid_t remover_pid = -1;
static int remover_fd = -1;   /* the pipe's write end */

/* Whether TARGET is a directory libguestfs makes for its socket: BASE
 * (guestfs_get_sockdir) followed by /libguestfsXXXXXX.  The link comes
 * from imgmount-hv; checked all the same before removing a tree. */
static int
is_socket_dir (const char *target, const char *base)
{
  static const char prefix[] = "/libguestfs";
  size_t n = strlen (base);
  if (strncmp (target, base, n) != 0 || strncmp (target + n, prefix, sizeof prefix - 1) != 0)
    return 0;
  const char *suffix = target + n + sizeof prefix - 1;
  return strlen (suffix) == 6 && !strchr (suffix, '/');
}

char *
run_dir_socket_dir (const char *dir)
{
  char link[4096], target[4096];
  snprintf (link, sizeof link, "%s/%s", dir, HV_RUN_DIR_SOCKET_LINK);
  ssize_t n = readlink (link, target, sizeof target - 1);
  if (n <= 0)
    return NULL;
  target[n] = '\0';
  return xstrdup (target);
}

static void
remove_socket_dir (const char *dir, const char *base)
{
  char *target = run_dir_socket_dir (dir);
  if (target && is_socket_dir (target, base))
    remove_tree (target);
  free (target);
}

/* The remover: waits for end of file on FD, then removes DIR and the
 * socket directory it links to. */
static _Noreturn void
remover (int fd, const char *dir, const char *socket_base)
{
  side_process_start ("imgmount-rm", fd);
  while (side_process_read ())
    ;
  int dir_fd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd >= 0)
    while (flock (dir_fd, LOCK_EX) == -1 && errno == EINTR)
      ;
  remove_socket_dir (dir, socket_base);
  remove_tree (dir);
  /* UML's memory directory, when its imgmount-hv was killed before it
   * could remove it: here, because the daemon may be confined. */
  uml_memdir_sweep ();
  _exit (0);
}

/* Forks the remover of run_dir; returns 0 or -1 with errno. */
static int
start_remover (guestfs_h *g)
{
  char *socket_base = guestfs_get_sockdir (g);
  int fds[2];
  if (!socket_base || pipe2 (fds, O_CLOEXEC) == -1) {
    free (socket_base);
    return -1;
  }
  remover_pid = fork ();
  if (remover_pid == 0)
    remover (fds[0], run_dir, socket_base);
  int saved = errno;
  close (fds[0]);
  free (socket_base);
  if (remover_pid == -1) {
    close (fds[1]);
    errno = saved;
    return -1;
  }
  remover_fd = fds[1];
  return 0;
}

int
run_dir_start (guestfs_h *g, char **err)
{
  const char *tmp = getenv ("TMPDIR");
  if (!tmp || !*tmp)
    tmp = "/tmp";
  run_dir = xasprintf ("%s/imgmount.XXXXXX", tmp);
  int r = 0;
  if (!mkdtemp (run_dir))
    r = error_set (err, "cannot make a directory in %s: %s; set TMPDIR to a writable directory",
                   tmp, strerror (errno));
  else if (guestfs_set_tmpdir (g, run_dir) == -1)
    r = error_set (err, "libguestfs: %s", guestfs_last_error (g));
  else if (setenv (HV_ENV_RUN_DIR, run_dir, 1) == -1 || start_remover (g) == -1)
    r = error_set (err, "cannot start the remover of %s: %s", run_dir, strerror (errno));
  if (r == -1) {
    rmdir (run_dir);
    free (run_dir);
    run_dir = NULL;
  }
  return r;
}

const char *
run_dir_path (void)
{
  return run_dir;
}

void
run_dir_finish (void)
{
  if (remover_fd >= 0)
    close (remover_fd);
  remover_fd = -1;
  if (remover_pid > 0)
    while (waitpid (remover_pid, NULL, 0) == -1 && errno == EINTR)
      ;
  remover_pid = -1;
  free (run_dir);
  run_dir = NULL;
}
