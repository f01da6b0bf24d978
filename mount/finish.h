/* finish.h: waiting for a daemon whose mount has gone to finish writing
 * back and stopping its appliance: `imgmount -u` waits for the one it
 * unmounted; a mount waits for the one still holding its image, after
 * umount(8), fusermount3 -u or systemd ended that mount and returned at
 * once.
 *
 * A waiter, with the daemon's lock file (runtime.h) open, announces itself
 * (MAJ:MIN.waiting), takes the lock shared once the daemon has let go of
 * it, waits for the process to be gone and reads the status file.  A
 * status naming the daemon says how it ended; none, with the lock file
 * removed, means it ended well without seeing a waiter (it writes a
 * status whenever it lost data); none with the lock file still there
 * means it died on the way.  The waiter tidies up while it still holds the
 * lock (a new daemon of the same device number must take it exclusive
 * first), but leaves what other waiters of the same daemon must still
 * read: a status saying data was lost, the lock file of a daemon that
 * died.  A new daemon of that device number removes such a status. */
#ifndef IMGMOUNT_FINISH_H
#define IMGMOUNT_FINISH_H

#include <stdint.h>
#include <sys/stat.h>

/* The daemon's side, as it ends, still holding its lock: leaves STATUS
 * ("ok" or what went wrong, one line) for a waiter, or, when none has
 * announced itself (fusermount3 -u, a signal), tidies its runtime files
 * away, but for a status saying data was lost: a mount of the image may
 * have begun to wait just too late to be seen. */
void finish_leave_status (int run_dir, unsigned major, unsigned minor, const char *status);

enum finish_outcome {
  FINISH_OK,        /* everything is in the image */
  FINISH_LOST,      /* it ended, saying what was lost */
  FINISH_DIED,      /* it died before it could say */
  FINISH_TIMEOUT,   /* still running at the deadline */
};

/* Waits for the daemon of mount MAJOR:MINOR, whose lock file in the
 * runtime directory RUN_DIR is open as LOCK_FD, until DEADLINE_MS on
 * monotonic_ms's clock (-1: however long it takes), and removes the
 * announcement.  Sets *PID to the daemon's pid and, with FINISH_LOST, *STATUS
 * to what it said (malloc'd; else NULL). */
enum finish_outcome finish_wait (int run_dir, unsigned major, unsigned minor, int lock_fd,
                                 int64_t deadline_ms, int *pid, char **status);

/* IMAGE (whose identity is ST) could not be locked.  When a daemon of
 * this user's runtime directory RUN_DIR holds it and its mount is gone,
 * waits for it to finish until DEADLINE_MS, saying so on stderr.  Returns
 * 1 once it has ended well (try the lock again); 0 when no such daemon
 * holds the image (a live mount, or another user's: refuse as before);
 * -1 with *ERR (one line naming IMAGE, saying what to do) when it lost
 * data, died or was still running at the deadline (TIMEOUT_S, from
 * $IMGMOUNT_CALL_TIMEOUT, after the mount began, for the message). */
int finish_previous (int run_dir, const char *image, const struct stat *st, int64_t deadline_ms,
                     double timeout_s, char **err);

#endif
