/* hv-qsd.h: the user's disks served to UML by qemu-storage-daemon. */
#ifndef IMGMOUNT_HV_QSD_H
#define IMGMOUNT_HV_QSD_H

#include <stdbool.h>
#include <sys/types.h>
#include "backend-select/hv/block-node.h"
#include "backend-select/hv/confine.h"

#define QSD_MAX_DISKS 16

struct qsd {
  pid_t pid;
  int n_disks;
  char *nodes[QSD_MAX_DISKS];     /* --blockdev JSON of each disk's node */
  char *sockets[QSD_MAX_DISKS];   /* vhost-user-blk socket of each disk */
  /* For a read-only disk: the qcow2 overlay the guest writes to, in
   * TMPDIR, and the JSON of the image's node under it; else NULL. */
  char *overlays[QSD_MAX_DISKS];
  char *bases[QSD_MAX_DISKS];
  char *base_formats[QSD_MAX_DISKS];
  /* Whether the export flushes after every write (see qsd_add_disk). */
  bool writethrough[QSD_MAX_DISKS];
  /* What it may open (confine_landlock): each image, read-only under an
   * overlay, and TMPDIR (sockets, overlays); the strings are q's. */
  char *paths[QSD_MAX_DISKS];
  struct confine_path files[QSD_MAX_DISKS];
  int n_files;
  char *tmpdir;
};

/* Adds the image IMAGE describes (its node_name and read_only are set
 * here); its socket, and for READONLY its overlay, will be in TMPDIR.
 * READONLY: the image is opened read-only and the guest writes to a
 * scratch overlay (what snapshot=on is to qemu).  -1 when full. */
int qsd_add_disk (struct qsd *q, const struct block_node *image, bool readonly,
                  const char *tmpdir);

/* Makes the overlays, starts qemu-storage-daemon exporting every disk
 * added, and waits until its sockets listen (UML connects to them while
 * it boots).  Returns 0, or -1 with a message on stderr. */
int qsd_start (struct qsd *q);

/* Stops it (SIGTERM, then waits), removes the overlays and frees Q's
 * strings. */
void qsd_stop (struct qsd *q);

#endif
