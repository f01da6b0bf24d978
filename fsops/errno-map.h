/* errno-map.h: the errno a FUSE reply carries for a failed appliance call. */
#ifndef IMGMOUNT_ERRNO_MAP_H
#define IMGMOUNT_ERRNO_MAP_H

/* GUEST_ERRNO is what guestfs_last_errno reported: the appliance's errno
 * (already translated to host numbering by libguestfs), or 0 when the
 * failure was not a system call's (protocol error, appliance gone).
 * Returns a positive errno fit for fuse_reply_err: one Linux has (the
 * kernel leaves the caller unkillable on others), else EIO. */
int errno_map (int guest_errno);

#endif
