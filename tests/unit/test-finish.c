/* test-finish.c: finish.c, waiting for a daemon to finish, against child
 * processes that play the daemon's part: holding the image's lock and
 * their runtime lock (as main.c's publish_mount), then ending as the
 * daemon does (finish_leave_status), with lost data, dying, or not at
 * all.  A daemon whose mount has gone has a device number no mount has;
 * a live one, that of a mount of this process's table. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "common/clock.h"
#include "mount/finish.h"
#include "mount/runtime.h"
#include "check.h"

#define GONE_MAJ 0
#define GONE_MIN 999999   /* no mount has it */

static char dir[] = "/tmp/test-finish-XXXXXX";
static char image[4096];
static int run_dir;

enum ending { END_OK, END_LOST, END_DIED, END_NEVER };

/* A daemon of mount MAJ:MIN holding the image: ready once it holds both
 * locks; it ends as ENDING after DELAY_MS (END_NEVER: waits to be
 * killed). */
static pid_t
start_daemon (unsigned maj, unsigned min, enum ending ending, int delay_ms)
{
  int ready[2];
  if (pipe (ready) == -1)
    abort ();
  pid_t pid = fork ();
  if (pid == 0) {
    close (ready[0]);
    int img = open (image, O_RDWR);
    int lock = runtime_open (run_dir, maj, min, RUNTIME_LOCK, O_RDWR | O_CREAT);
    if (img == -1 || flock (img, LOCK_EX) == -1 || lock == -1 || flock (lock, LOCK_EX) == -1 ||
        runtime_write_lock (lock, getpid (), &img, 1) == -1)
      _exit (1);
    if (write (ready[1], "", 1) != 1)
      _exit (1);
    if (ending == END_NEVER)
      for (;;)
        pause ();
    usleep (delay_ms * 1000);
    if (ending == END_OK)
      finish_leave_status (run_dir, maj, min, "ok");
    else if (ending == END_LOST)
      finish_leave_status (run_dir, maj, min, "the disk refused writes; some data was lost");
    _exit (0);
  }
  close (ready[1]);
  char byte;
  CHECK (read (ready[0], &byte, 1) == 1);
  close (ready[0]);
  return pid;
}

static void
reap (pid_t pid)
{
  int status;
  CHECK (waitpid (pid, &status, 0) == pid);
}

static bool
exists (unsigned maj, unsigned min, enum runtime_file file)
{
  struct stat st;
  return runtime_stat (run_dir, maj, min, file, &st) == 0;
}

/* Whether the image can be locked now. */
static bool
image_free (void)
{
  int fd = open (image, O_RDWR);
  bool free_now = flock (fd, LOCK_EX | LOCK_NB) == 0;
  close (fd);
  return free_now;
}

/* finish_previous for the image, with a deadline LIMIT_MS from now. */
static int
previous (int limit_ms, char **err)
{
  struct stat st;
  CHECK (stat (image, &st) == 0);
  *err = NULL;
  return finish_previous (run_dir, image, &st, monotonic_ms () + limit_ms, limit_ms / 1000.0,
                          err);
}

/* Some device number of a mount in this process's table. */
static void
live_device (unsigned *maj, unsigned *min)
{
  FILE *fp = fopen ("/proc/self/mountinfo", "re");
  unsigned id, parent;
  CHECK (fp && fscanf (fp, "%u %u %u:%u", &id, &parent, maj, min) == 4);
  if (fp)
    fclose (fp);
}

int
main (void)
{
  CHECK (mkdtemp (dir) != NULL);
  snprintf (image, sizeof image, "%s/disk.img", dir);
  int fd = open (image, O_RDWR | O_CREAT, 0600);
  CHECK (fd >= 0 && write (fd, "image", 5) == 5);
  close (fd);
  char runtime[4096];
  snprintf (runtime, sizeof runtime, "%s/run", dir);
  run_dir = runtime_dir_open (runtime, NULL);
  CHECK (run_dir >= 0);
  char *err;

  /* Ends well: waited for, the lock is free after, nothing left. */
  pid_t pid = start_daemon (GONE_MAJ, GONE_MIN, END_OK, 200);
  CHECK (!image_free ());
  int64_t start = monotonic_ms ();
  CHECK (previous (10000, &err) == 1 && !err);
  CHECK (monotonic_ms () - start >= 150);
  CHECK (image_free ());
  CHECK (!exists (GONE_MAJ, GONE_MIN, RUNTIME_LOCK));
  CHECK (!exists (GONE_MAJ, GONE_MIN, RUNTIME_WAITING));
  CHECK (!exists (GONE_MAJ, GONE_MIN, RUNTIME_STATUS));
  reap (pid);

  /* Lost data: refused, naming the image, with what the daemon said; the
   * status stays for other waiters, until a new daemon of the number. */
  pid = start_daemon (GONE_MAJ, GONE_MIN, END_LOST, 100);
  CHECK (previous (10000, &err) == -1);
  CHECK (err && strstr (err, image) && strstr (err, "may have lost data") &&
         strstr (err, "the disk refused writes") && !strchr (err, '\n'));
  free (err);
  CHECK (image_free ());
  CHECK (!exists (GONE_MAJ, GONE_MIN, RUNTIME_LOCK));
  CHECK (!exists (GONE_MAJ, GONE_MIN, RUNTIME_WAITING));
  CHECK (exists (GONE_MAJ, GONE_MIN, RUNTIME_STATUS));
  reap (pid);
  runtime_unlink (run_dir, GONE_MAJ, GONE_MIN, RUNTIME_STATUS);

  /* Died before saying anything. */
  pid = start_daemon (GONE_MAJ, GONE_MIN, END_DIED, 100);
  CHECK (previous (10000, &err) == -1);
  CHECK (err && strstr (err, image) && strstr (err, "died"));
  free (err);
  reap (pid);
  runtime_unlink (run_dir, GONE_MAJ, GONE_MIN, RUNTIME_LOCK);

  /* Still running at the deadline: refused then, announcement removed. */
  pid = start_daemon (GONE_MAJ, GONE_MIN, END_NEVER, 0);
  start = monotonic_ms ();
  CHECK (previous (300, &err) == -1);
  int64_t took = monotonic_ms () - start;
  CHECK (took >= 300 && took < 3000);
  CHECK (err && strstr (err, image) && strstr (err, "has not finished"));
  free (err);
  CHECK (!exists (GONE_MAJ, GONE_MIN, RUNTIME_WAITING));
  kill (pid, SIGKILL);
  reap (pid);
  runtime_unlink (run_dir, GONE_MAJ, GONE_MIN, RUNTIME_LOCK);

  /* A live mount: nothing to wait for, at once. */
  unsigned maj, min;
  live_device (&maj, &min);
  pid = start_daemon (maj, min, END_NEVER, 0);
  start = monotonic_ms ();
  CHECK (previous (10000, &err) == 0 && !err);
  CHECK (monotonic_ms () - start < 1000);
  CHECK (!exists (maj, min, RUNTIME_WAITING));
  kill (pid, SIGKILL);
  reap (pid);
  runtime_unlink (run_dir, maj, min, RUNTIME_LOCK);

  /* A lock file nobody holds (a daemon killed with -9) is not a holder. */
  int stale = runtime_open (run_dir, GONE_MAJ, GONE_MIN, RUNTIME_LOCK, O_RDWR | O_CREAT);
  int img = open (image, O_RDONLY);
  CHECK (runtime_write_lock (stale, 1, &img, 1) == 0);
  close (stale);
  close (img);
  CHECK (previous (10000, &err) == 0 && !err);
  runtime_unlink (run_dir, GONE_MAJ, GONE_MIN, RUNTIME_LOCK);

  /* Waiters that come too late to be seen, two of them: the daemon ends
   * without a waiter, and they still learn how. */
  for (int lost = 0; lost <= 1; lost++) {
    pid = start_daemon (GONE_MAJ, GONE_MIN, lost ? END_LOST : END_OK, 100);
    int first = runtime_open (run_dir, GONE_MAJ, GONE_MIN, RUNTIME_LOCK, O_RDONLY);
    int second = runtime_open (run_dir, GONE_MAJ, GONE_MIN, RUNTIME_LOCK, O_RDONLY);
    reap (pid);
    CHECK (!exists (GONE_MAJ, GONE_MIN, RUNTIME_LOCK));   /* no waiter seen */
    for (int k = 0; k < 2; k++) {
      int got;
      char *status;
      enum finish_outcome o = finish_wait (run_dir, GONE_MAJ, GONE_MIN, k ? second : first, -1,
                                           &got, &status);
      CHECK (o == (lost ? FINISH_LOST : FINISH_OK) && got == pid);
      CHECK (lost ? status && strstr (status, "lost") : !status);
      free (status);
    }
    close (first);
    close (second);
    runtime_unlink (run_dir, GONE_MAJ, GONE_MIN, RUNTIME_STATUS);
  }

  /* Two waiters announced (imgmount -u and a mount): both learn it. */
  for (int lost = 0; lost <= 1; lost++) {
    pid = start_daemon (GONE_MAJ, GONE_MIN, lost ? END_LOST : END_OK, 100);
    int first = runtime_open (run_dir, GONE_MAJ, GONE_MIN, RUNTIME_LOCK, O_RDONLY);
    int second = runtime_open (run_dir, GONE_MAJ, GONE_MIN, RUNTIME_LOCK, O_RDONLY);
    close (runtime_open (run_dir, GONE_MAJ, GONE_MIN, RUNTIME_WAITING, O_WRONLY | O_CREAT));
    reap (pid);
    for (int k = 0; k < 2; k++) {
      int got;
      char *status;
      enum finish_outcome o = finish_wait (run_dir, GONE_MAJ, GONE_MIN, k ? second : first, -1,
                                           &got, &status);
      CHECK (o == (lost ? FINISH_LOST : FINISH_OK) && got == pid);
      free (status);
    }
    close (first);
    close (second);
    CHECK (!exists (GONE_MAJ, GONE_MIN, RUNTIME_LOCK));
    CHECK (!exists (GONE_MAJ, GONE_MIN, RUNTIME_WAITING));
    CHECK (exists (GONE_MAJ, GONE_MIN, RUNTIME_STATUS) == lost);
    runtime_unlink (run_dir, GONE_MAJ, GONE_MIN, RUNTIME_STATUS);
  }

  close (run_dir);
  CHECK (rmdir (runtime) == 0);   /* nothing left in it */
  unlink (image);
  rmdir (dir);
  return CHECK_DONE ();
}
