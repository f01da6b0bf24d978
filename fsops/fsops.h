/* fsops.h: the FUSE low-level operations, served by imgmount-agent in an
 * appliance whose filesystems libguestfs has mounted already. */
#ifndef IMGMOUNT_FSOPS_H
#define IMGMOUNT_FSOPS_H

#include <stdbool.h>
#include <fuse_lowlevel.h>
#include <guestfs.h>

struct fs;

struct fs_config {
  /* The appliance's handle, asked once at fs_new (what is mounted, and
   * whether its names compare byte for byte); no file operation uses it. */
  guestfs_h *g;
  bool readonly;
  /* -o fakeroot: without default_permissions; access(2) answers as for
   * root. */
  bool fakeroot;
  /* How long the kernel may trust names and attributes.  imgmount owns
   * the image while mounted, and every change goes through it, so this
   * can be long. */
  double cache_timeout;
  /* Image files to fdatasync after each guest sync, when the hypervisor
   * does not (backend_info.host_sync); else n_host_sync_fds is 0. */
  const int *host_sync_fds;
  size_t n_host_sync_fds;
  /* Device, type pairs ending in NULL (or NULL): the types of filesystems
   * that the mount learnt already, so that they need not be asked again. */
  char *const *fs_types;
  /* imgmount-agent's connection (backend_connect_agent); the caller
   * disconnects it after fs_free. */
  struct agent_conn *agent;
  /* --trace: the agent's calls are written to stderr as libguestfs writes
   * its own ("imgmount: trace: agent_lookup "/a/b""). */
  bool trace;
};

const struct fuse_lowlevel_ops *fsops_operations (void);

/* Creates the state the operations need (the userdata of the session). */
struct fs *fs_new (const struct fs_config *config);

/* Writes out every buffered write and syncs the appliance.  Returns 0, or
 * the errno of the first failure (a write that could not be saved). */
int fs_flush_all (struct fs *fs);

/* Frees it. */
void fs_free (struct fs *fs);

#endif
