/* unmount.h: imgmount -u. */
#ifndef IMGMOUNT_UNMOUNT_H
#define IMGMOUNT_UNMOUNT_H

#include <stdbool.h>

/* Unmounts MOUNTPOINT and waits until its daemon has written everything to
 * the image and its appliance has exited.  LAZY detaches a busy mount
 * instead of refusing (the daemon then finishes when the last user goes).
 * Returns the exit status for the command. */
int unmount_and_wait (const char *mountpoint, bool lazy);

/* Unmounts MOUNTPOINT (LAZY: detaches it even when busy): root directly,
 * others through the setuid fusermount3.  Returns 0 or an errno (EBUSY
 * for anything fusermount3 refused). */
int unmount_detach (const char *mountpoint, bool lazy);

#endif
