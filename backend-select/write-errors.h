/* write-errors.h: writes the appliance's disks refused.
 *
 * guestfsd's sync is sync(2), which reports no error, so a write the
 * appliance's disk refused (the filesystem holding the image full, an I/O
 * error on the image file) would be lost while fsync(2) and imgmount -u
 * said the data was in the image.  The appliance's kernel says so on its
 * console, which libguestfs passes on as GUESTFS_EVENT_APPLIANCE
 * messages: the block layer logs each failed write or flush, e.g.
 *   critical space allocation error, dev ubda, sector 81396 op 0x1:(WRITE) ...
 * and the filesystems add lines of their own.  The kernel logs them before
 * the writes count as done, so before sync(2) returns.  Once seen, the
 * mount stays failed: every later fsync and the unmount report it, as the
 * data lost cannot be told apart. */
#ifndef IMGMOUNT_WRITE_ERRORS_H
#define IMGMOUNT_WRITE_ERRORS_H

#include <stddef.h>
#include <guestfs.h>

/* Watches G's console messages.  Returns 0 or -1. */
int write_errors_watch (guestfs_h *g);

/* Console output, in pieces of any size: what the watch is fed. */
void write_errors_feed (const char *buf, size_t len);

/* 0 while no write was refused; else ENOSPC (one was for want of space)
 * or EIO. */
int write_errors_seen (void);

#endif
