/* agent-handles.h: imgmount-agent's handles, the numbers the host names
 * objects by.  Each holds an O_PATH descriptor, so an object stays the
 * same object however its names change, and the *at() calls on it need no
 * path.  One object (st_dev, st_ino) has one handle while it is
 * referenced, as agent-protocol.h promises the host. */
#ifndef IMGMOUNT_AGENT_HANDLES_H
#define IMGMOUNT_AGENT_HANDLES_H

#include <stdint.h>
#include <sys/stat.h>

struct agent_handle_entry {
  int fd;             /* O_PATH|O_NOFOLLOW; -1 when the slot is free */
  int read_fd;        /* opened for READ on first use, else -1 */
  int write_fd;       /* opened for WRITE on first use, else -1 */
  int dir_fd;         /* opened for READDIR on first use, else -1 */
  mode_t mode;        /* type bits: an inode never changes type */
  dev_t dev;
  ino_t ino;
  uint64_t refs;
  uint32_t next;      /* the next in its hash chain, or in the free list */
};

/* Makes ROOT_FD (O_PATH, a directory) handle AGENT_ROOT_HANDLE. */
void handles_init (int root_fd);

/* The entry of handle H, or NULL if H is not a handle in use; valid
 * until the next handle_lookup, which may move the table. */
struct agent_handle_entry *handle_get (uint64_t h);

/* Looks NAME up in directory PARENT_FD, without following a last symbolic
 * link, and counts one reference to its handle, set in *H; *ST gets its
 * attributes.  Returns 0 or an errno. */
int handle_lookup (int parent_fd, const char *name, uint64_t *h, struct stat *st);

/* Closes every handle, the root's too (BYE). */
void handles_reset (void);

/* Gives back COUNT references to H; the last frees it (never the root's).
 * Returns 0, EBADF for no such handle, EINVAL for more than it has. */
int handle_forget (uint64_t h, uint64_t count);

#endif
