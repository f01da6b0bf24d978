/* hv-qsd.h: the user's disks served to UML by qemu-storage-daemon. */
#ifndef IMGMOUNT_HV_QSD_H
#define IMGMOUNT_HV_QSD_H

#include <sys/types.h>

#define QSD_MAX_DISKS 16

struct qsd {
  pid_t pid;
  int n_disks;
  char *files[QSD_MAX_DISKS];
  char *sockets[QSD_MAX_DISKS];   /* vhost-user-blk socket of each disk */
};

/* Adds raw image FILE; its socket will be in TMPDIR.  -1 when full. */
int qsd_add_disk (struct qsd *q, const char *file, const char *tmpdir);

/* Starts qemu-storage-daemon exporting every disk added, opened with
 * O_DIRECT, and waits until its sockets listen (UML connects to them while
 * it boots).  Returns 0, or -1 with a message on stderr. */
int qsd_start (struct qsd *q);

/* Stops it (SIGTERM, then waits) and frees Q's strings. */
void qsd_stop (struct qsd *q);

#endif
