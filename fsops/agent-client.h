/* agent-client.h: the host's end of the imgmount-agent protocol
 * (common/agent-protocol.h): a connection over a byte stream to the agent,
 * on which several threads make calls at once.
 *
 * Why a client of its own, and this shape: the agent answers requests in
 * any order, so one reader thread matches replies to waiting callers by
 * id; the agent's memory is bounded by its credits, so callers wait for a
 * credit before sending.  The appliance is hostile, so every reply passes
 * fsops/agent-reply.h's rules; a reply that breaks one fails its call with
 * EIO.  A stream that can no longer be read in step (a length no message
 * has, an id not outstanding, an op other than the one sent, EOF, a
 * timeout after which a late reply could not be told from a lie) breaks
 * the connection: every call outstanding and every later one fails with
 * EIO.  A silent agent holds no caller past the timeout.
 *
 * Every call returns 0 or a positive errno.  The client keeps nothing about
 * handles beyond what the protocol's root rule needs; the caller (the
 * inode table) judges identities across calls. */
#ifndef IMGMOUNT_AGENT_CLIENT_H
#define IMGMOUNT_AGENT_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include "fsops/agent-reply.h"

#define AGENT_TIMEOUT_MS_DEFAULT 60000u

struct agent_conn;

struct agent_config {
  unsigned timeout_ms;      /* per call, from its request on; 0: the default */
  uint32_t credits;         /* the most the host will use; 0: AGENT_CREDITS_MAX */
};

/* Says HELLO on FD_OUT, reads its reply from FD_IN (the same descriptor
 * for a socket), checks it and starts the reader thread.  The descriptors
 * stay the caller's, to close after agent_disconnect; FD_OUT is made
 * non-blocking, so that a stuck agent cannot hold a writer past its
 * timeout.  Writes to a socket raise no SIGPIPE; to anything else, the
 * caller ignores it.  CONFIG may be NULL (the defaults). */
int agent_connect_with (int fd_in, int fd_out, const struct agent_config *config,
                        struct agent_conn **conn);
int agent_connect (int fd_in, int fd_out, struct agent_conn **conn);

/* Stops the reader thread and frees CONN; no call may be in progress. */
void agent_disconnect (struct agent_conn *conn);

/* Whether the connection is broken (every call now fails with EIO). */
bool agent_broken (struct agent_conn *conn);

/* The credits in use (the lesser of the host's and the agent's), and the
 * root's attributes as HELLO gave them. */
uint32_t agent_credits (struct agent_conn *conn);
void agent_root_attr (struct agent_conn *conn, struct stat *st);

/* A count that moves when a call that may change something in the image
 * (WRITE, CREATE, SETATTR, ...) is sent and again when it is answered:
 * attributes asked for while it stayed put describe the files as they
 * still are, even while changes are in flight unlocked; those taken
 * before it moved may be older than the files they describe. */
uint64_t agent_changes (struct agent_conn *conn);

int agent_nop (struct agent_conn *conn);
/* Before the appliance unmounts: the agent closes every handle. */
int agent_bye (struct agent_conn *conn);
/* BYE, then HELLO again: the agent opens its root anew (the filesystems
 * mounted on it since the first HELLO), and the root's attributes are
 * the new root's.  No call may be in progress, no handle but the root's
 * held. */
int agent_reopen (struct agent_conn *conn);
/* On 0, *REPORT (malloc'd, *LEN bytes, at most AGENT_IO_MAX, not
 * terminated) is DEVICES's text, unchecked: mount/device-report.h parses
 * it. */
int agent_devices (struct agent_conn *conn, char **report, size_t *len);
/* NAME: 1 to AGENT_NAME_MAX bytes (else ENAMETOOLONG), no '/', not "."
 * or ".." (else EINVAL); nothing sent for a bad one.  On 0, one reference to *HANDLE, for FORGET to give back. */
int agent_lookup (struct agent_conn *conn, uint64_t parent, const char *name,
                  uint64_t *handle, struct stat *st);
/* Sends FORGET and returns: its reply is taken by the reader and dropped
 * (one that failed gave nothing back, which only leaves the agent holding
 * a handle).  Why not wait: the kernel forgets inodes by the thousand
 * (rm -rf), and a round trip each doubled the time of a removal.  0, or
 * EIO when broken; EINVAL (nothing sent) for the root, handle 0 or
 * COUNT 0. */
int agent_forget (struct agent_conn *conn, uint64_t handle, uint64_t count);
int agent_getattr (struct agent_conn *conn, uint64_t handle, struct stat *st);
/* MAX_BYTES: AGENT_READDIR_MIN to AGENT_IO_MAX.  FLAGS: 0,
 * AGENT_READDIR_PLUS (each entry's handle is a reference, for FORGET to
 * give back) or AGENT_READDIR_ATTRS (attributes, handle 0, no reference);
 * anything else is EINVAL, nothing sent.  On 0 the caller frees LIST
 * with agent_dirlist_free. */
int agent_readdir (struct agent_conn *conn, uint64_t handle, uint64_t cookie,
                   uint32_t max_bytes, uint32_t flags, struct agent_dirlist *list);
/* SIZE: 1 to AGENT_IO_MAX.  *GOT: the bytes read into BUF, 0 at the end. */
int agent_read (struct agent_conn *conn, uint64_t handle, uint64_t offset, uint32_t size,
                void *buf, size_t *got);
/* The same for SIZE up to AGENT_READ_SPAN_MAX: a READ per AGENT_IO_MAX
 * bytes, all in flight at once (credits allowing), so that the agent
 * reads the next piece while the host takes in the last.  *GOT < SIZE
 * only at the end of the file; an error after the end is not one. */
#define AGENT_READ_SPAN_MAX (4u * AGENT_IO_MAX)
int agent_read_span (struct agent_conn *conn, uint64_t handle, uint64_t offset, size_t size,
                     void *buf, size_t *got);
/* On 0, *TARGET is a malloc'd string of 1 to AGENT_LINK_MAX bytes. */
int agent_readlink (struct agent_conn *conn, uint64_t handle, char **target);
int agent_statfs (struct agent_conn *conn, uint64_t handle, struct statvfs *sv);
/* What CREATE makes (common/agent-protocol.h): MODE's type and
 * permission bits, RDEV for a device node, TARGET for a symbolic link
 * (else NULL), and its owners. */
struct agent_new {
  uint32_t mode;
  uint64_t rdev;
  const char *target;
  uint32_t uid, gid;
};
/* Makes NAME (as agent_lookup's) in directory PARENT.  On 0, *HANDLE and
 * *ST are the new object's (a reference, as agent_lookup's) and
 * *PARENT_ST the directory's after it. */
int agent_create (struct agent_conn *conn, uint64_t parent, const char *name,
                  const struct agent_new *what, uint64_t *handle, struct stat *st,
                  struct stat *parent_st);
/* Changes what SET.valid says of SET.handle (common/agent-protocol.h's
 * SETATTR); on 0, *ST has its attributes after it. */
int agent_setattr (struct agent_conn *conn, struct agent_setattr set, struct stat *st);
/* Removes NAME (as agent_lookup's) from directory PARENT: rmdir(2) with
 * DIR, else unlink(2).  On 0, *PARENT_ST is the directory's attributes
 * after it.  A handle held of what went stays usable until forgotten. */
int agent_remove (struct agent_conn *conn, uint64_t parent, const char *name, bool dir,
                  struct stat *parent_st);
/* renameat2(2) of PARENT/NAME to NEWPARENT/NEWNAME (names as
 * agent_lookup's), FLAGS of AGENT_RENAME_* (the guest kernel judges their
 * combination).  On 0, *PARENT_ST
 * and *NEWPARENT_ST are the directories' attributes after it. */
int agent_rename (struct agent_conn *conn, uint64_t parent, const char *name,
                  uint64_t newparent, const char *newname, uint32_t flags,
                  struct stat *parent_st, struct stat *newparent_st);
/* Makes NEWPARENT/NAME (as agent_lookup's) another name of HANDLE's
 * object.  On 0 the host holds one more reference to HANDLE (for FORGET
 * to give back), and *ST and *PARENT_ST are the object's and the
 * directory's attributes after it. */
int agent_link (struct agent_conn *conn, uint64_t handle, uint64_t newparent, const char *name,
                struct stat *st, struct stat *parent_st);
/* Extended attributes of HANDLE's object, raw bytes (common/agent-
 * protocol.h's GETXATTR and the rest).  NAME: 1 to AGENT_XATTR_NAME_MAX
 * bytes (else ERANGE, or EINVAL when empty); a value of at most
 * AGENT_XATTR_MAX bytes (else E2BIG).  Nothing is sent for a bad one.
 * On 0, *VALUE or *NAMES (malloc'd, *LEN bytes; the names each followed
 * by a NUL, checked) are the caller's.  FLAGS: 0, AGENT_XATTR_CREATE or
 * AGENT_XATTR_REPLACE. */
int agent_getxattr (struct agent_conn *conn, uint64_t handle, const char *name, char **value,
                    size_t *len);
int agent_listxattr (struct agent_conn *conn, uint64_t handle, char **names, size_t *len);
int agent_setxattr (struct agent_conn *conn, uint64_t handle, const char *name,
                    const void *value, size_t size, uint32_t flags);
int agent_removexattr (struct agent_conn *conn, uint64_t handle, const char *name);
/* fallocate(2) of HANDLE's regular file in the guest (MODE: FALLOC_FL_*
 * as Linux's); on 0, *ST has its attributes after it. */
int agent_fallocate (struct agent_conn *conn, uint64_t handle, uint32_t mode, uint64_t offset,
                     uint64_t length, struct stat *st);
/* lseek(2) of HANDLE's regular file in the guest, WHENCE SEEK_DATA or
 * SEEK_HOLE, from OFFSET: on 0, *AT (not before OFFSET). */
int agent_lseek (struct agent_conn *conn, uint64_t handle, uint64_t offset, int whence,
                 uint64_t *at);
/* The guest's sync(2) and a flush of each of its disks. */
int agent_sync (struct agent_conn *conn);
/* copy_file_range(2) in the guest of SIZE bytes (1 to AGENT_COPY_MAX)
 * from regular file IN at IN_OFFSET to OUT at OUT_OFFSET: on 0, *COPIED
 * (fewer only at IN's end) and *ST, OUT's attributes after it. */
int agent_copy_range (struct agent_conn *conn, uint64_t in, uint64_t in_offset, uint64_t out,
                      uint64_t out_offset, uint64_t size, uint64_t *copied, struct stat *st);
/* Writes SIZE bytes of BUF (1 to AGENT_WRITE_SPAN_MAX) at OFFSET: a WRITE
 * per AGENT_IO_MAX bytes, all in flight at once (credits allowing).  On
 * 0, *ST has the file's attributes after the last. */
#define AGENT_WRITE_SPAN_MAX (4u * AGENT_IO_MAX)
int agent_write_span (struct agent_conn *conn, uint64_t handle, uint64_t offset,
                      const void *buf, size_t size, struct stat *st);
/* fsync(2), or fdatasync(2) with DATASYNC, of a regular file or directory
 * in the guest. */
int agent_fsync (struct agent_conn *conn, uint64_t handle, bool datasync);

#endif
