/* test-parent-death.c: a child tied to its parent with die_with_parent
 * goes on while that parent lives, and ends at once when the parent it
 * expects is no longer its parent (wrong, or gone before the call), also
 * as the first process of a new PID namespace. */
#include <errno.h>
#include <sched.h>
#include <stdbool.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include "common/parent-death.h"
#include "check.h"

/* How a child that went on past die_with_parent exits. */
#define WENT_ON 42

static pid_t
spawn (bool new_namespace)
{
  if (!new_namespace)
    return fork ();
  return (pid_t) syscall (SYS_clone, CLONE_NEWPID | SIGCHLD, NULL, NULL, NULL, NULL);
}

/* The exit status of a child whose parent is this process but which
 * expects EXPECTED. */
static int
child_expecting (bool new_namespace, pid_t expected)
{
  pid_t pid = spawn (new_namespace);
  if (pid == 0)
    _exit (die_with_parent (expected, SIGKILL) == 0 ? WENT_ON : 3);
  int status;
  if (pid == -1 || waitpid (pid, &status, 0) != pid || !WIFEXITED (status))
    return -1;
  return WEXITSTATUS (status);
}

/* The exit status of a child whose parent exited before the child called
 * die_with_parent: the child is then ours (we are a subreaper), and told
 * to go on only once its parent has been reaped, its adoption done. */
static int
orphan (bool new_namespace)
{
  int go[2];
  if (pipe (go) == -1 || prctl (PR_SET_CHILD_SUBREAPER, 1) == -1)
    return -1;
  pid_t middle = fork ();
  if (middle == 0) {
    pid_t parent = getpid ();
    pid_t child = spawn (new_namespace);
    if (child == 0) {
      char byte;
      close (go[1]);
      if (read (go[0], &byte, 1) != 1)
        _exit (4);
      _exit (die_with_parent (parent, SIGKILL) == 0 ? WENT_ON : 3);
    }
    _exit (child == -1 ? 5 : 0);
  }
  int status;
  if (middle == -1 || waitpid (middle, &status, 0) != middle || status != 0)
    return -1;
  if (write (go[1], "x", 1) != 1 || wait (&status) == -1 || !WIFEXITED (status))
    return -1;
  close (go[0]);
  close (go[1]);
  return WEXITSTATUS (status);
}

static void
check_children (bool new_namespace)
{
  pid_t self = getpid ();
  CHECK (child_expecting (new_namespace, self) == WENT_ON);
  CHECK (child_expecting (new_namespace, self + 1) == 1);
  CHECK (orphan (new_namespace) == 1);
}

int
main (void)
{
  check_children (false);
  /* As UML's first process in hv-uml.c: needs CAP_SYS_ADMIN. */
  pid_t probe = spawn (true);
  if (probe == 0)
    _exit (0);
  if (probe == -1)
    fprintf (stderr, "skipped: a new PID namespace (%s)\n", strerror (errno));
  else {
    waitpid (probe, NULL, 0);
    check_children (true);
  }
  return CHECK_DONE ();
}
