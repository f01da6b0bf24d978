/* block-node.h: the JSON description of the qemu block node for a user's
 * disk, the same for qemu (a json: drive file) and for
 * qemu-storage-daemon (a --blockdev), so that both open exactly the files
 * imgmount checked: the image, in the format the user gave (never
 * probed), and for formats with a backing chain exactly the chain
 * imgmount checked against --backing, or none. */
#ifndef IMGMOUNT_BLOCK_NODE_H
#define IMGMOUNT_BLOCK_NODE_H

#include <stdbool.h>

struct block_node {
  const char *node_name;   /* NULL: none given */
  const char *format;      /* qemu's driver name */
  const char *file;        /* the image */
  /* JSON of the backing node ("null" for none), for formats with a
   * backing chain (image_format_has_backing); ignored for the others. */
  const char *backing;
  /* --cache mode (writeback, none, unsafe) as qemu's cache options; NULL:
   * qemu's defaults.  The file node and the backing chain inherit it. */
  const char *cache;
  bool read_only;
};

/* The JSON object of node N (malloc'd). */
char *block_node_json (const struct block_node *n);

#endif
