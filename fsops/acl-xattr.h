/* acl-xattr.h: POSIX ACL xattr values to the text form libguestfs takes.
 *
 * libguestfs's lsetxattr carries the value as a C string, so a binary value
 * with NUL bytes (every ACL) arrives cut short.  ACLs therefore go through
 * guestfs_acl_set_file, which takes the text form ("u::rw-,g::r--,o::r--"). */
#ifndef IMGMOUNT_ACL_XATTR_H
#define IMGMOUNT_ACL_XATTR_H

#include <stddef.h>

/* Converts a system.posix_acl_* xattr value (version 2, the kernel's
 * format) to ACL text (malloc'd).  An empty ACL (header only) gives "".
 * Returns NULL with *ERR = EINVAL or EOPNOTSUPP for a malformed value. */
char *acl_xattr_to_text (const void *value, size_t size, int *err);

#endif
