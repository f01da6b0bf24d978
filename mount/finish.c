/* finish.c: waiting for a daemon to finish (see finish.h). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>
#include "common/clock.h"
#include "common/message.h"
#include "common/xalloc.h"
#include "mount/finish.h"
#include "mount/runtime.h"

/* How often a waiter with a deadline looks at the lock. */
#define POLL_US 20000

/* The lock is released as the daemon exits: wait for the process itself to
 * be gone (a zombie nobody has reaped yet counts as gone), for up to 5 s. */
static void
wait_for_exit (int pid)
{
  if (pid <= 0)
    return;
  char status[64];
  snprintf (status, sizeof status, "/proc/%d/status", pid);
  for (int tries = 0; tries < 500; tries++) {
    FILE *fp = fopen (status, "re");
    if (!fp)
      return;
    char *line = NULL;
    size_t cap = 0;
    bool zombie = true;   /* no State line: treat as gone */
    while (getline (&line, &cap, fp) != -1)
      if (strncmp (line, "State:", 6) == 0) {
        zombie = strchr (line, 'Z') != NULL || strchr (line, 'X') != NULL;
        break;
      }
    free (line);
    fclose (fp);
    if (zombie)
      return;
    usleep (10000);
  }
}

/* The outcome daemon PID left in its status file ("PID STATUS"), or
 * NULL. */
static char *
read_status (int run_dir, unsigned maj, unsigned min, int pid)
{
  FILE *fp = runtime_fopen (run_dir, maj, min, RUNTIME_STATUS, "r");
  if (!fp)
    return NULL;
  char *line = NULL, *status = NULL;
  size_t cap = 0;
  char *rest;
  if (getline (&line, &cap, fp) > 0 && pid > 0 && strtol (line, &rest, 10) == pid && *rest == ' ')
    status = xstrdup (strtok (rest + 1, "\n") ? rest + 1 : "");
  free (line);
  fclose (fp);
  return status;
}

/* Whether the lock file at its name is no longer the one open as
 * LOCK_FD. */
static bool
lock_file_removed (int run_dir, unsigned maj, unsigned min, int lock_fd)
{
  struct stat mine, there;
  if (fstat (lock_fd, &mine) == -1)
    return false;
  return runtime_stat (run_dir, maj, min, RUNTIME_LOCK, &there) == -1 ||
         there.st_dev != mine.st_dev || there.st_ino != mine.st_ino;
}

/* Takes LOCK_FD shared, by DEADLINE_MS (-1: no limit): -1 at the
 * deadline.  Another failure (no locks there) is no reason to wait. */
static int
lock_shared (int lock_fd, int64_t deadline_ms)
{
  for (;;) {
    if (flock (lock_fd, LOCK_SH | (deadline_ms < 0 ? 0 : LOCK_NB)) == 0)
      return 0;
    if (errno == EINTR)
      continue;
    if (errno != EWOULDBLOCK)
      return 0;
    if (monotonic_ms () >= deadline_ms)
      return -1;
    usleep (POLL_US);
  }
}

enum finish_outcome
finish_wait (int run_dir, unsigned maj, unsigned min, int lock_fd, int64_t deadline_ms,
             int *pid, char **status)
{
  *status = NULL;
  if (lock_shared (lock_fd, deadline_ms) == -1) {
    *pid = runtime_read_lock (lock_fd, 0, 0, NULL);
    runtime_unlink (run_dir, maj, min, RUNTIME_WAITING);
    return FINISH_TIMEOUT;
  }
  *pid = runtime_read_lock (lock_fd, 0, 0, NULL);
  wait_for_exit (*pid);
  char *said = read_status (run_dir, maj, min, *pid);
  enum finish_outcome outcome = FINISH_OK;
  if (said && strcmp (said, "ok") != 0)
    outcome = FINISH_LOST;
  else if (!said && !lock_file_removed (run_dir, maj, min, lock_fd))
    outcome = FINISH_DIED;

  /* Still holding the lock: see finish.h for what stays. */
  if (said && outcome == FINISH_OK)
    runtime_unlink (run_dir, maj, min, RUNTIME_STATUS);
  if (outcome != FINISH_DIED && !lock_file_removed (run_dir, maj, min, lock_fd))
    runtime_unlink (run_dir, maj, min, RUNTIME_LOCK);
  runtime_unlink (run_dir, maj, min, RUNTIME_WAITING);
  flock (lock_fd, LOCK_UN);

  if (outcome == FINISH_LOST)
    *status = said;
  else
    free (said);
  return outcome;
}

void
finish_leave_status (int run_dir, unsigned maj, unsigned min, const char *status)
{
  struct stat st;
  bool waiter = runtime_stat (run_dir, maj, min, RUNTIME_WAITING, &st) == 0;
  if (waiter || strcmp (status, "ok") != 0) {
    FILE *fp = runtime_fopen (run_dir, maj, min, RUNTIME_STATUS, "w");
    if (fp) {
      /* With our pid: a later mount of the same device number must not
       * take this for its own outcome. */
      fprintf (fp, "%d %s\n", (int) getpid (), status);
      fclose (fp);
    }
  }
  if (!waiter)
    runtime_unlink (run_dir, maj, min, RUNTIME_LOCK);
}

/* Whether mount MAJ:MIN of daemon PID is still there: in the daemon's own
 * mount namespace, else (its table unreadable) in ours; when neither
 * can be read, taken as there. */
static bool
still_mounted (int pid, unsigned maj, unsigned min)
{
  char path[64];
  snprintf (path, sizeof path, "/proc/%d/mountinfo", pid);
  int found = mountinfo_has_device (path, maj, min);
  if (found == -1)
    found = mountinfo_has_device ("/proc/self/mountinfo", maj, min);
  return found != 0;
}

/* Among the lock files in RUN_DIR, one of a daemon that holds the image
 * whose identity is ST and whose mount has gone: returns its fd and sets
 * the mount's device number and the daemon's pid, else -1 (also when a
 * live mount holds the image: nothing to wait for). */
static int
find_finishing (int run_dir, const struct stat *st, unsigned *maj, unsigned *min, int *pid)
{
  int dup_fd = fcntl (run_dir, F_DUPFD_CLOEXEC, 0);
  DIR *dir = dup_fd >= 0 ? fdopendir (dup_fd) : NULL;
  if (!dir) {
    if (dup_fd >= 0)
      close (dup_fd);
    return -1;
  }
  rewinddir (dir);   /* the duplicate shares RUN_DIR's offset */
  int found = -1;
  bool live = false;
  struct dirent *d;
  while (!live && (d = readdir (dir)) != NULL) {
    unsigned ma, mi;
    enum runtime_file file;
    if (!runtime_parse_name (d->d_name, &ma, &mi, &file) || file != RUNTIME_LOCK)
      continue;
    int fd = runtime_open (run_dir, ma, mi, RUNTIME_LOCK, O_RDONLY | O_NONBLOCK);
    struct stat fst;
    bool holds = false;
    int p = fd >= 0 && fstat (fd, &fst) == 0 && S_ISREG (fst.st_mode)
            ? runtime_read_lock (fd, st->st_dev, st->st_ino, &holds) : 0;
    /* A lock nobody holds is a daemon's that has gone; the lock of a
     * daemon whose mount is still there, a live mount's. */
    if (p > 0 && holds && flock (fd, LOCK_SH | LOCK_NB) == -1 && errno == EWOULDBLOCK) {
      if (still_mounted (p, ma, mi))
        live = true;
      else if (found == -1) {
        found = fd;
        *maj = ma;
        *min = mi;
        *pid = p;
        continue;
      }
    }
    if (fd >= 0)
      close (fd);   /* also lets go of a lock taken above */
  }
  closedir (dir);
  if (live && found >= 0) {
    close (found);
    found = -1;
  }
  return found;
}

int
finish_previous (int run_dir, const char *image, const struct stat *st, int64_t deadline_ms,
                 double timeout_s, char **err)
{
  unsigned maj, min;
  int pid;
  int lock_fd = find_finishing (run_dir, st, &maj, &min, &pid);
  if (lock_fd == -1)
    return 0;
  /* Asks the daemon to leave its outcome behind for us. */
  int waiting = runtime_open (run_dir, maj, min, RUNTIME_WAITING, O_WRONLY | O_CREAT);
  if (waiting >= 0)
    close (waiting);
  fprintf (stderr, "imgmount: %s: waiting for the previous imgmount (pid %d) to finish "
           "writing back\n", image, pid);
  char *status;
  enum finish_outcome outcome = finish_wait (run_dir, maj, min, lock_fd, deadline_ms, &pid,
                                             &status);
  close (lock_fd);
  switch (outcome) {
  case FINISH_OK:
    return 1;
  case FINISH_LOST:
    error_set (err, "%s: not mounted: its previous imgmount (pid %d) may have lost data: %s; "
               "check the image, then mount it again", image, pid, status);
    free (status);
    return -1;
  case FINISH_DIED:
    return error_set (err, "%s: not mounted: its previous imgmount (pid %d) died before it "
                      "could save its data, and unsaved writes may be lost; check the image, "
                      "then mount it again", image, pid);
  case FINISH_TIMEOUT:
    break;
  }
  return error_set (err, "%s: the previous imgmount (pid %d) has not finished writing back "
                    "within %.0f s (IMGMOUNT_CALL_TIMEOUT); mount again once it has exited",
                    image, pid, timeout_s);
}
