/* runtime.h: where a running mount leaves its state for `imgmount -u`,
 * and for a mount of an image whose previous daemon is still finishing.
 *
 * Each mount is known by the device number the kernel gave its FUSE
 * connection (as in /proc/self/mountinfo).  The daemon holds an exclusive
 * lock on RUNTIME_DIR/MAJ:MIN.lock from mount until it has exited cleanly;
 * the file names its pid and the images it holds (runtime_write_lock).
 * A waiter announces itself with RUNTIME_DIR/MAJ:MIN.waiting; the daemon
 * writes its outcome to RUNTIME_DIR/MAJ:MIN.status just before it lets go
 * of the lock when a waiter has announced itself, and also when it lost
 * data; without a waiter it removes the lock file.  How a waiter waits,
 * reads the outcome and tidies up: mount/finish.h. */
#ifndef IMGMOUNT_RUNTIME_H
#define IMGMOUNT_RUNTIME_H

#include <stdbool.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/types.h>

/* The files of one mount in the runtime directory. */
enum runtime_file { RUNTIME_LOCK, RUNTIME_WAITING, RUNTIME_STATUS };

/* Opens the runtime directory DIR, or when DIR is NULL this user's:
 * /run/imgmount for root, else $XDG_RUNTIME_DIR/imgmount, else
 * /tmp/imgmount-UID.  It is created (0700) if missing, and used after
 * checking that it is a directory, not a link to one, owned by us and shut
 * to everyone else.  Returns its fd, or -1 with *ERR set to a message that
 * names it and says what to do. */
int runtime_dir_open (const char *dir, char **err);

/* Opens FILE of mount MAJOR:MINOR in the runtime directory open as DIR_FD,
 * with FLAGS (O_NOFOLLOW and O_CLOEXEC added: a link there fails with
 * ELOOP; created 0600).  Returns the fd or -1. */
int runtime_open (int dir_fd, unsigned major, unsigned minor, enum runtime_file file,
                  int flags);

/* The same as a stream, MODE "r" or "w" (truncated). */
FILE *runtime_fopen (int dir_fd, unsigned major, unsigned minor, enum runtime_file file,
                     const char *mode);

/* stat (of a link itself) and unlink of FILE of mount MAJOR:MINOR in
 * DIR_FD: 0 or -1. */
int runtime_stat (int dir_fd, unsigned major, unsigned minor, enum runtime_file file,
                  struct stat *st);
int runtime_unlink (int dir_fd, unsigned major, unsigned minor, enum runtime_file file);

/* Whether NAME is the name of a runtime file (as runtime_open spells it):
 * sets MAJOR, MINOR and FILE. */
bool runtime_parse_name (const char *name, unsigned *major, unsigned *minor,
                         enum runtime_file *file);

/* The lock file's contents: the daemon's pid on the first line, then
 * "DEV INO" (decimal) of each image it holds, one a line.  Writes them to
 * FD, truncated, for the images open as IMAGE_FDS[0..N-1]: 0 or -1. */
int runtime_write_lock (int fd, pid_t pid, const int *image_fds, size_t n);

/* Reads the lock file open as FD: returns the pid it names (0 if none)
 * and, when HOLDS is not NULL, sets it to whether the file names the
 * image whose identity is DEV and INO. */
int runtime_read_lock (int fd, dev_t dev, ino_t ino, bool *holds);

/* Finds the mount at MOUNTPOINT in MOUNTINFO (normally
 * /proc/self/mountinfo): returns 1 and sets the device number and the
 * filesystem type (malloc'd) when it is mounted, 0 when not, -1 on error.
 * The path is compared after realpath-style canonicalisation by the
 * caller. */
int mountinfo_find (const char *mountinfo, const char *mountpoint,
                    unsigned *major, unsigned *minor, char **fstype);

/* Whether a mount of device MAJOR:MINOR is in MOUNTINFO: 1 or 0, -1 when
 * MOUNTINFO cannot be read. */
int mountinfo_has_device (const char *mountinfo, unsigned major, unsigned minor);

#endif
