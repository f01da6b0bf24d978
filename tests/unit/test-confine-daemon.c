/* test-confine-daemon.c: confine_daemon confines every thread of the
 * process, not only the caller: threads started before it, blocked in a
 * read or a timed wait at the time, and threads they start afterwards,
 * may open a file in the directory allowed and none outside, nor connect
 * over TCP; a read interrupted by the confining signal goes on.  Run in a
 * child, since a confinement cannot be undone: the parent removes the
 * files afterwards. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include "mount/confine-daemon.h"
#include "check.h"

static char inside[256], outside[256];
static int pipe_fds[2];
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static bool go;

/* What one thread could do once confined. */
struct tries {
  int inside_errno, outside_errno, tcp_errno;
  ssize_t read_result;
};

static int
open_errno (const char *path)
{
  int fd = open (path, O_RDONLY | O_CLOEXEC);
  if (fd >= 0) {
    close (fd);
    return 0;
  }
  return errno;
}

static int
tcp_errno (void)
{
  struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons (1),
                            .sin_addr.s_addr = htonl (INADDR_LOOPBACK) };
  int s = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int r = connect (s, (struct sockaddr *) &sa, sizeof sa);
  int e = r == 0 ? 0 : errno;
  close (s);
  return e;
}

static void
try_all (struct tries *t)
{
  t->inside_errno = open_errno (inside);
  t->outside_errno = open_errno (outside);
  t->tcp_errno = tcp_errno ();
}

/* Blocked in read(2) when the confinement comes. */
static void *
reader (void *arg)
{
  struct tries *t = arg;
  char byte;
  t->read_result = read (pipe_fds[0], &byte, 1);
  try_all (t);
  return NULL;
}

static void *
late_thread (void *arg)
{
  try_all (arg);
  return NULL;
}

/* Waiting on a condition when the confinement comes; then starts a
 * thread of its own. */
static void *
waiter (void *arg)
{
  struct tries *t = arg;
  pthread_mutex_lock (&lock);
  while (!go)
    pthread_cond_wait (&cond, &lock);
  pthread_mutex_unlock (&lock);
  try_all (&t[0]);
  pthread_t late;
  if (pthread_create (&late, NULL, late_thread, &t[1]) == 0)
    pthread_join (late, NULL);
  return NULL;
}

static void
check_tries (const char *who, const struct tries *t, int abi)
{
  fprintf (stderr, "%s: inside %d, outside %d, tcp %d\n", who, t->inside_errno,
           t->outside_errno, t->tcp_errno);
  CHECK (t->inside_errno == 0);
  CHECK (t->outside_errno == EACCES);
  if (abi >= 4)
    CHECK (t->tcp_errno == EACCES);
}

static int
confined_child (int abi)
{
  struct tries from_reader = { 0 }, from_waiter[2] = { { 0 } }, from_main = { 0 };
  pthread_t r, w;
  CHECK (pipe (pipe_fds) == 0);
  CHECK (pthread_create (&r, NULL, reader, &from_reader) == 0);
  CHECK (pthread_create (&w, NULL, waiter, from_waiter) == 0);
  usleep (100 * 1000);     /* both blocked by now */
  char dir[256];
  snprintf (dir, sizeof dir, "%s", inside);
  *strrchr (dir, '/') = '\0';
  struct confine_path allowed = { dir, CONFINE_ALL };
  CHECK (confine_daemon (&allowed, 1) == 0);
  try_all (&from_main);
  CHECK (write (pipe_fds[1], "x", 1) == 1);
  pthread_mutex_lock (&lock);
  go = true;
  pthread_cond_signal (&cond);
  pthread_mutex_unlock (&lock);
  pthread_join (r, NULL);
  pthread_join (w, NULL);
  CHECK (from_reader.read_result == 1);
  check_tries ("main thread", &from_main, abi);
  check_tries ("thread blocked in read", &from_reader, abi);
  check_tries ("thread blocked in a wait", &from_waiter[0], abi);
  check_tries ("thread started afterwards", &from_waiter[1], abi);
  return check_failures ? 1 : 0;
}

int
main (void)
{
  int abi = confine_landlock_abi ();
  if (abi < 1) {
    fprintf (stderr, "no Landlock in this kernel: skipped\n");
    return 77;
  }
  char in_dir[] = "/tmp/test-confine-in.XXXXXX", out_dir[] = "/tmp/test-confine-out.XXXXXX";
  CHECK (mkdtemp (in_dir) && mkdtemp (out_dir));
  snprintf (inside, sizeof inside, "%s/file", in_dir);
  snprintf (outside, sizeof outside, "%s/file", out_dir);
  close (open (inside, O_WRONLY | O_CREAT | O_CLOEXEC, 0600));
  close (open (outside, O_WRONLY | O_CREAT | O_CLOEXEC, 0600));
  CHECK (open_errno (outside) == 0);   /* before: reachable */

  pid_t pid = fork ();
  if (pid == 0)
    _exit (confined_child (abi));
  int status;
  CHECK (waitpid (pid, &status, 0) == pid && WIFEXITED (status) && WEXITSTATUS (status) == 0);
  unlink (inside);
  unlink (outside);
  rmdir (in_dir);
  rmdir (out_dir);
  return CHECK_DONE ();
}
