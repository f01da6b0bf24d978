/* runtime.h: where a running mount leaves its state for `imgmount -u`.
 *
 * Each mount is known by the device number the kernel gave its FUSE
 * connection (as in /proc/self/mountinfo).  The daemon holds an exclusive
 * lock on RUNTIME_DIR/MAJ:MIN.lock from mount until it has exited cleanly,
 * and, if -u has announced itself with RUNTIME_DIR/MAJ:MIN.waiting, writes
 * its outcome to RUNTIME_DIR/MAJ:MIN.status just before; -u waits on the
 * lock, then reads the status and removes the files.  Without a waiter the
 * daemon removes them itself. */
#ifndef IMGMOUNT_RUNTIME_H
#define IMGMOUNT_RUNTIME_H

#include <stdbool.h>
#include <sys/types.h>

/* The per-user runtime directory, created if missing (malloc'd). */
char *runtime_dir (void);

/* RUNTIME_DIR/MAJ:MIN.SUFFIX (malloc'd). */
char *runtime_file (unsigned major, unsigned minor, const char *suffix);

/* Finds the mount at MOUNTPOINT in MOUNTINFO (normally
 * /proc/self/mountinfo): returns 1 and sets the device number and the
 * filesystem type (malloc'd) when it is mounted, 0 when not, -1 on error.
 * The path is compared after realpath-style canonicalisation by the
 * caller. */
int mountinfo_find (const char *mountinfo, const char *mountpoint,
                    unsigned *major, unsigned *minor, char **fstype);

#endif
