/* confine-daemon.c: see confine-daemon.h. */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include "common/clock.h"
#include "mount/confine-daemon.h"

/* More threads than the daemon has before its FUSE workers start. */
#define MAX_THREADS 64
#define ANSWER_TIMEOUT_MS 5000

static int handler_ruleset = -1;
static atomic_int answered, refused;

static void
on_confine_signal (int sig)
{
  (void) sig;
  int e = errno;
  if (confine_landlock_apply (handler_ruleset) == -1)
    atomic_fetch_add (&refused, 1);
  atomic_fetch_add (&answered, 1);
  errno = e;
}

static bool
seen (const pid_t *tids, size_t n, pid_t tid)
{
  for (size_t k = 0; k < n; k++)
    if (tids[k] == tid)
      return true;
  return false;
}

/* Signals SIG to every thread in /proc/self/task but SELF and those in
 * TIDS (*N of them), adding them there.  Returns how many were signalled,
 * or -1 with errno. */
static int
signal_new_threads (int sig, pid_t self, pid_t *tids, size_t *n)
{
  DIR *d = opendir ("/proc/self/task");
  if (!d)
    return -1;
  int sent = 0;
  struct dirent *e;
  while ((e = readdir (d))) {
    pid_t tid = (pid_t) atol (e->d_name);
    if (tid <= 0 || tid == self || seen (tids, *n, tid))
      continue;
    if (*n == MAX_THREADS) {
      closedir (d);
      errno = EMFILE;
      return -1;
    }
    tids[(*n)++] = tid;
    if (syscall (SYS_tgkill, getpid (), tid, sig) == 0)
      sent++;
    /* else the thread has ended meanwhile */
  }
  closedir (d);
  return sent;
}

/* Waits until WANT threads have answered; 0, or -1 with errno. */
static int
wait_answers (int want)
{
  int64_t deadline = monotonic_ms () + ANSWER_TIMEOUT_MS;
  while (atomic_load (&answered) < want) {
    if (monotonic_ms () > deadline) {
      errno = ETIMEDOUT;     /* a thread blocks the signal */
      return -1;
    }
    nanosleep (&(struct timespec) { 0, 1000 * 1000 }, NULL);
  }
  return atomic_load (&refused) ? -1 : 0;
}

/* Confines every thread but this one; a thread started meanwhile by one
 * not yet confined is found by the next listing. */
static int
confine_other_threads (int sig)
{
  pid_t tids[MAX_THREADS];
  size_t n = 0;
  pid_t self = (pid_t) syscall (SYS_gettid);
  int total = 0;
  for (;;) {
    int sent = signal_new_threads (sig, self, tids, &n);
    if (sent < 0)
      return -1;
    if (sent == 0)
      return 0;
    total += sent;
    if (wait_answers (total) == -1)
      return -1;
  }
}

int
confine_daemon (const struct confine_path *paths, size_t n)
{
  if (confine_landlock_abi () < 1)
    return 1;
  int ruleset = confine_landlock_ruleset (paths, n, false);
  if (ruleset < 0)
    return -1;
  handler_ruleset = ruleset;
  atomic_store (&answered, 0);
  atomic_store (&refused, 0);
  int sig = SIGRTMIN;
  struct sigaction sa = { .sa_handler = on_confine_signal, .sa_flags = SA_RESTART }, old;
  sigemptyset (&sa.sa_mask);
  int r = sigaction (sig, &sa, &old);
  if (r == 0)
    r = confine_other_threads (sig);
  /* Last, and also when another thread failed: this thread parses
   * replies too. */
  int e = errno;
  if (confine_landlock_apply (ruleset) == -1 && r == 0) {
    r = -1;
    e = errno;
  }
  sigaction (sig, &old, NULL);
  close (ruleset);
  errno = e;
  return r;
}
