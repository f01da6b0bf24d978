/* select-fs.h: deciding what to mount inside the appliance, and mounting
 * it there. */
#ifndef IMGMOUNT_SELECT_FS_H
#define IMGMOUNT_SELECT_FS_H

#include <guestfs.h>
#include "fsops/agent-client.h"
#include "mount/options.h"

/* Mounts the -m specs of OPTS, or without any: the single filesystem, the
 * operating system's root and what its fstab names (mount/find-root.c, or
 * else libguestfs's inspection), or
 * else the largest filesystem, saying so on stderr.  AGENT (may be NULL),
 * connected and not yet reopened, says what the block devices hold in
 * one request.  Returns 0, or -1
 * with a one-line reason in *ERR.  *FS_TYPES gets the filesystem types it
 * learnt on the way, as device, type pairs ending in NULL (or NULL: none),
 * for the caller to free. */
int select_and_mount (guestfs_h *g, struct agent_conn *agent, const struct options *opts,
                      unsigned scans, char ***fs_types, char **err);

/* Mounts DEVICE at PATH in the appliance, adding "ro" to OPTIONS (may be
 * NULL) when READONLY; FSTYPE NULL lets the kernel tell.  0 or an errno. */
int mount_in_appliance (guestfs_h *g, bool readonly, const char *device, const char *path,
                        const char *options, const char *fstype);

/* True for a filesystem type that can be mounted (not swap, not a volume
 * manager's or RAID member, not unknown). */
bool fs_type_is_mountable (const char *type);

#endif
