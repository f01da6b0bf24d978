/* list.h: imgmount --list. */
#ifndef IMGMOUNT_LIST_H
#define IMGMOUNT_LIST_H

#include <stdbool.h>
#include <guestfs.h>

/* Prints one line per filesystem of the launched handle G:
 * DEVICE<TAB>TYPE<TAB>LABEL<TAB>SIZE (label "-" when none, size in bytes,
 * "-" when unknown); with JSON, an array of {"device", "type", "label",
 * "size"} objects (label and size null when none).  Returns 0, or -1 with
 * *ERR set. */
int list_filesystems (guestfs_h *g, bool json, char **err);

#endif
