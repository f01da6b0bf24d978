/* list.h: imgmount --list. */
#ifndef IMGMOUNT_LIST_H
#define IMGMOUNT_LIST_H

#include <guestfs.h>

/* Prints one line per filesystem of the launched handle G:
 * DEVICE<TAB>TYPE<TAB>LABEL<TAB>SIZE (label "-" when none, size in bytes,
 * "-" when unknown).  Returns 0, or -1 with *ERR set. */
int list_filesystems (guestfs_h *g, char **err);

#endif
