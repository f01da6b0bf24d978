/* programs.c: finding and stopping imgmount's helper programs. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "common/message.h"
#include "common/programs.h"
#include "common/xalloc.h"

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

void
stop_child (pid_t *pid)
{
  if (*pid <= 0)
    return;
  kill (*pid, SIGTERM);
  while (waitpid (*pid, NULL, 0) == -1 && errno == EINTR)
    ;
  *pid = 0;
}

int
run_program (char *const argv[], int in, int out, bool quiet)
{
  pid_t pid = fork ();
  if (pid == -1)
    return 127;
  if (pid == 0) {
    int devnull = open ("/dev/null", O_RDWR);
    dup2 (in >= 0 ? in : devnull, 0);
    if (out >= 0)
      dup2 (out, 1);
    else if (quiet)
      dup2 (devnull, 1);
    if (quiet)
      dup2 (devnull, 2);
    execvp (argv[0], argv);
    _exit (127);
  }
  int status;
  while (waitpid (pid, &status, 0) == -1)
    if (errno != EINTR)
      return 127;
  return WIFEXITED (status) ? WEXITSTATUS (status) : 128 + WTERMSIG (status);
}
