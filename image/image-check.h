/* image-check.h: checks made on the host before any appliance starts, so
 * that bad input fails fast with a clear message and nothing is written. */
#ifndef IMGMOUNT_IMAGE_CHECK_H
#define IMGMOUNT_IMAGE_CHECK_H

#include <stdbool.h>

/* The image must exist and be a non-empty regular file or block device,
 * readable (and writable for a read-write mount: not immutable, and with
 * some write permission bit even when root could write it anyway).  Returns 0, or -1 with a
 * one-line message in *ERR (malloc'd). */
int image_check (const char *path, bool readonly, char **err);

/* The mountpoint must be an existing directory, empty unless NONEMPTY. */
int mountpoint_check (const char *path, bool nonempty, char **err);

/* Opens IMAGE and locks it for the life of the returned descriptor: shared
 * for a read-only mount, exclusive for a read-write one, so that two
 * imgmounts never write one image.  Also refuses an image that a qemu
 * process holds open for writing (qemu marks that with an OFD lock on byte
 * 101 of the file).  Returns the fd, or -1 with *ERR set, and *BUSY set
 * when the lock is held elsewhere (another imgmount). */
int image_lock (const char *path, bool readonly, bool *busy, char **err);

#endif
