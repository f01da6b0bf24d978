/* watchdog.c: stops a hypervisor whose appliance stopped answering. */
#include <dirent.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include "common/clock.h"
#include "backend-select/watchdog.h"

#define DEFAULT_LAUNCH_TIMEOUT_S 300.0
#define DEFAULT_CALL_TIMEOUT_S 120.0
#define MAX_PINNED 8

static struct {
  pthread_mutex_t lock;
  pthread_cond_t wake;
  pthread_t thread;
  bool running, stopping, busy, fired;
  bool fixed;   /* the deadline does not move with progress */
  void (*on_death) (void *);
  void *on_death_arg;
  double limit, deadline, fired_after;
  int pinned[MAX_PINNED];       /* pidfds (watchdog_pin_hypervisors) */
  int n_pinned;
} w = { .lock = PTHREAD_MUTEX_INITIALIZER, .wake = PTHREAD_COND_INITIALIZER };

static double
env_seconds (const char *name, double fallback)
{
  const char *s = getenv (name);
  double v = s ? strtod (s, NULL) : 0;
  return v > 0 ? v : fallback;
}

double watchdog_launch_timeout (void) { return env_seconds ("IMGMOUNT_LAUNCH_TIMEOUT", DEFAULT_LAUNCH_TIMEOUT_S); }
double watchdog_call_timeout (void) { return env_seconds ("IMGMOUNT_CALL_TIMEOUT", DEFAULT_CALL_TIMEOUT_S); }

/* The hypervisor is a child of ours that is not imgmount itself (the
 * libguestfs recovery process is a fork of imgmount).  Puts the pids of
 * the live ones (a zombie has no exe) in PIDS, at most MAX; returns how
 * many there are, or -1. */
static int
hypervisor_pids (pid_t *pids, int max)
{
  int alive = 0;
  char self[PATH_MAX] = "";
  ssize_t n = readlink ("/proc/self/exe", self, sizeof self - 1);
  if (n > 0)
    self[n] = '\0';
  DIR *tasks = opendir ("/proc/self/task");
  if (!tasks)
    return -1;
  struct dirent *t;
  while ((t = readdir (tasks)) != NULL) {
    char path[PATH_MAX];
    snprintf (path, sizeof path, "/proc/self/task/%s/children", t->d_name);
    FILE *fp = fopen (path, "re");
    if (!fp)
      continue;
    int pid;
    while (fscanf (fp, "%d", &pid) == 1) {
      char exe_link[64], exe[PATH_MAX];
      snprintf (exe_link, sizeof exe_link, "/proc/%d/exe", pid);
      ssize_t m = readlink (exe_link, exe, sizeof exe - 1);
      if (m > 0) {
        exe[m] = '\0';
        if (strcmp (exe, self) != 0 && alive < max)
          pids[alive++] = pid;
      }
    }
    fclose (fp);
  }
  closedir (tasks);
  return alive;
}

/* Counts the live hypervisors, and kills them when KILL_THEM: the pinned
 * ones once watchdog_pin_hypervisors has run, else those found now. */
static int
hypervisors (bool kill_them)
{
  int alive = 0;
  if (w.n_pinned > 0) {
    for (int k = 0; k < w.n_pinned; k++) {
      struct pollfd p = { .fd = w.pinned[k], .events = POLLIN };
      if (poll (&p, 1, 0) != 0)
        continue;                 /* readable: it has exited */
      alive++;
      if (kill_them)
        syscall (SYS_pidfd_send_signal, w.pinned[k], SIGKILL, NULL, 0);
    }
    return alive;
  }
  pid_t pids[MAX_PINNED];
  alive = hypervisor_pids (pids, MAX_PINNED);
  for (int k = 0; kill_them && k < alive; k++)
    kill (pids[k], SIGKILL);
  return alive;
}

int
watchdog_pin_hypervisors (void)
{
  pid_t pids[MAX_PINNED];
  int n = hypervisor_pids (pids, MAX_PINNED);
  pthread_mutex_lock (&w.lock);
  for (int k = 0; k < n; k++) {
    int fd = (int) syscall (SYS_pidfd_open, pids[k], 0);
    if (fd >= 0)
      w.pinned[w.n_pinned++] = fd;
  }
  /* All or none: the watchdog watches either the pinned or those in /proc. */
  bool all = n > 0 && w.n_pinned == n;
  for (int k = 0; !all && k < w.n_pinned; k++)
    close (w.pinned[k]);
  if (!all)
    w.n_pinned = 0;
  pthread_mutex_unlock (&w.lock);
  return all ? 0 : -1;
}

static void *
watch (void *arg)
{
  pthread_mutex_lock (&w.lock);
  while (!w.stopping) {
    struct timespec ts;
    clock_gettime (CLOCK_REALTIME, &ts);
    ts.tv_sec += 1;
    pthread_cond_timedwait (&w.wake, &w.lock, &ts);
    if (w.busy && monotonic_seconds () > w.deadline) {
      if (!w.fired)
        w.fired_after = w.limit;
      w.fired = true;
      /* Every second while the call lasts: a hypervisor may be exec'd
       * after the first look (a fork of libguestfs's is not one yet). */
      hypervisors (true);
    }
    /* A hypervisor the watchdog stopped itself is not a death to act on:
     * that mount stays, answering EIO, until imgmount -u reports the stall
     * (README "No appliance call can hang the mount"). */
    if (w.on_death && !w.fired && hypervisors (false) == 0) {
      void (*on_death) (void *) = w.on_death;
      w.on_death = NULL;
      pthread_mutex_unlock (&w.lock);
      on_death (w.on_death_arg);
      pthread_mutex_lock (&w.lock);
    }
  }
  pthread_mutex_unlock (&w.lock);
  return NULL;
}

/* Each API call that starts is progress. */
static void
on_call (guestfs_h *g, void *opaque, uint64_t event, int handle, int flags,
         const char *buf, size_t len, const uint64_t *array, size_t alen)
{
  pthread_mutex_lock (&w.lock);
  if (!w.fixed)
    w.deadline = monotonic_seconds () + w.limit;
  pthread_mutex_unlock (&w.lock);
}

int
watchdog_start (guestfs_h *g)
{
  if (guestfs_set_event_callback (g, on_call, GUESTFS_EVENT_ENTER | GUESTFS_EVENT_PROGRESS,
                                  0, NULL) == -1 ||
      pthread_create (&w.thread, NULL, watch, NULL) != 0)
    return -1;
  w.running = true;
  return 0;
}

static void
busy (double seconds, bool fixed)
{
  pthread_mutex_lock (&w.lock);
  w.busy = true;
  w.fixed = fixed;
  w.limit = seconds;
  w.deadline = monotonic_seconds () + seconds;
  pthread_mutex_unlock (&w.lock);
}

void
watchdog_busy (double seconds)
{
  busy (seconds, false);
}

void
watchdog_busy_at_most (double seconds)
{
  busy (seconds, true);
}

void
watchdog_idle (void)
{
  pthread_mutex_lock (&w.lock);
  w.busy = false;
  pthread_mutex_unlock (&w.lock);
}

bool
watchdog_fired (double *seconds)
{
  pthread_mutex_lock (&w.lock);
  bool fired = w.fired;
  if (seconds)
    *seconds = w.fired_after;
  pthread_mutex_unlock (&w.lock);
  return fired;
}

void
watchdog_stop (void)
{
  if (!w.running)
    return;
  pthread_mutex_lock (&w.lock);
  w.stopping = true;
  pthread_cond_signal (&w.wake);
  pthread_mutex_unlock (&w.lock);
  pthread_join (w.thread, NULL);
  w.running = false;
  w.stopping = false;
  for (int k = 0; k < w.n_pinned; k++)
    close (w.pinned[k]);
  w.n_pinned = 0;
}

void
watchdog_on_death (void (*callback) (void *), void *arg)
{
  pthread_mutex_lock (&w.lock);
  w.on_death = callback;
  w.on_death_arg = arg;
  pthread_mutex_unlock (&w.lock);
}
