/* unmounter.h: a small process that takes the daemon's own mount off when
 * the daemon asks (a signal, the appliance gone).  The daemon cannot once
 * it has confined itself (confine-daemon.h): Landlock refuses umount2 in
 * a domain, and under no-new-privileges the setuid fusermount3 runs as
 * the user and fails.  Forked before the confinement, the unmounter never
 * sees guest data; all it takes from the daemon is a byte, and it detaches
 * only the mount the daemon made (by device number), nothing else. */
#ifndef IMGMOUNT_UNMOUNTER_H
#define IMGMOUNT_UNMOUNTER_H

/* Starts the unmounter of MOUNTPOINT, where the daemon's FUSE mount is
 * device MAJ:MIN.  Returns the fd to ask it through (it ends when the
 * daemon does), or -1 with errno. */
int unmounter_start (const char *mountpoint, unsigned maj, unsigned min);

/* Asks the unmounter on FD to detach the mount, if it is still the
 * daemon's.  Does not wait; async-signal-safe (one write). */
void unmounter_request (int fd);

#endif
