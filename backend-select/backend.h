/* backend.h: the one place that prepares and launches the appliance. */
#ifndef IMGMOUNT_BACKEND_H
#define IMGMOUNT_BACKEND_H

#include <stdbool.h>
#include <stddef.h>
#include <guestfs.h>
#include "backend-select/backend-name.h"

struct backend_request {
  enum backend_kind kind;
  char *const *images;
  size_t n_images;
  /* Per image, the JSON of the qemu node of its backing chain, "null"
   * for none (see image/image-refs.h). */
  char *const *backing_nodes;
  /* The files --backing named (the hypervisor may read them). */
  char *const *backings;
  size_t n_backings;
  const char *format;     /* never probed: see the README */
  bool readonly;          /* images are never written: qemu gets overlays */
  enum cache_mode cache;  /* for the images, on every backend */
  enum sandbox_mode sandbox;
  int verbose;            /* 2 and more: the appliance's own debug output */
  bool trace;
  /* Told when a slow phase starts ("booting the appliance (tcg)"); may be
   * NULL. */
  void (*on_phase) (const char *what);
};

/* What the running appliance can do, for the filesystem operations. */
struct backend_info {
  enum backend_kind kind;
  /* The hypervisor does not pass the guest's flushes on to the image file
   * (UML's ubd), so imgmount fdatasyncs the image itself after a guest sync. */
  bool host_sync;
  /* The scans the appliance ran for volumes (SCAN_* of metadata-probe.h):
   * the host found LVM, MD or LDM metadata on an image, or could not rule
   * it out. */
  unsigned scans;
  /* Listening for imgmount-agent's channel (agent-channel.h), for
   * backend_connect_agent once the filesystems are mounted. */
  int agent_listen_fd;
  int agent_fd;   /* the connection's, once accepted; else -1 */
};

/* Chooses the hypervisor, adds the images and boots the appliance.
 * Returns the handle and fills *INFO, or NULL with a one-line reason in *ERR. */
guestfs_h *backend_start (const struct backend_request *req, struct backend_info *info,
                          char **err);

/* Connects to imgmount-agent, which serves what the appliance has mounted
 * on its /sysroot: the image's filesystems, so after they are mounted.
 * Returns 0 with *CONN set, or -1 with a one-line reason in *ERR. */
struct agent_conn;
int backend_connect_agent (struct backend_info *info, struct agent_conn **conn, char **err);

/* Ends the agent's conversation: it closes every handle (so that the
 * filesystems can be unmounted), then the connection.  CONN may be NULL. */
void backend_end_agent (struct backend_info *info, struct agent_conn *conn);

/* Shuts the appliance down and waits until the hypervisor has exited, so
 * that every write has reached the image file.  Closes G.  Returns 0, or
 * -1 with a reason in *ERR. */
int backend_stop (guestfs_h *g, char **err);

#endif
