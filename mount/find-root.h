/* find-root.h: an operating system's root among the listed filesystems,
 * and the mounts its /etc/fstab asks for. */
#ifndef IMGMOUNT_FIND_ROOT_H
#define IMGMOUNT_FIND_ROOT_H

#include <guestfs.h>
#include <stdbool.h>

/* FS: the listing, device and type pairs ending in NULL.  BLKIDS: for
 * each pair, what blkid said of that device as key, value pairs (an entry
 * NULL: nothing), or NULL to ask blkid when an fstab needs it.
 * Looks for a filesystem holding an os-release file, the likeliest first
 * (named root, not ext2 or vfat), mounts it at / and then, parents first,
 * what its /etc/fstab names that the image holds (skipped lines said with
 * VERBOSE).  Several roots: the first found is mounted and stderr says
 * which and how to choose another.  Returns 0 when mounted, 1 when there
 * is no such root (nothing is left mounted; the caller tries libguestfs's
 * inspection), or -1 with a one-line reason in *ERR. */
int find_root_and_mount (guestfs_h *g, char *const *fs, char **const *blkids, bool readonly,
                         int verbose, char **err);

/* Frees BLKIDS, one entry per pair of FS (NULL or NULL-terminated). */
void blkids_free (char ***blkids, char *const *fs);

#endif
