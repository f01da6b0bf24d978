/* fsops-internal.h: state and helpers shared by the fsops-*.c files. */
#ifndef IMGMOUNT_FSOPS_INTERNAL_H
#define IMGMOUNT_FSOPS_INTERNAL_H

#include <pthread.h>
#include <stdlib.h>
#include <sys/stat.h>
#include "common/cleanup.h"
#include "fsops/agent-client.h"
#include "fsops/fsops.h"
#include "fsops/guest-calls.h"
#include "fsops/inode-table.h"
#include "fsops/name-set.h"
#include "fsops/read-cache.h"
#include "fsops/write-buffer.h"

/* How much a sequential read fetches at once.  Measured (cold cat of
 * 100 MB through guestfsd, UML, 3 rounds interleaved, 2026-11-28): 1 MiB
 * and 3 MiB were each ~15% slower than 2 MiB, 4 MiB less 64 KiB ~15%. */
#define READ_AHEAD (2u * 1024 * 1024)
/* Buffered writes per file before they are sent. */
#define WRITE_BUFFER_LIMIT (4u * 1024 * 1024)

/* Attributes of INODE, as a reply gave them. */
struct known_stat {
  struct inode *inode;
  struct stat st;
};

struct fs {
  /* imgmount-agent, which serves every file operation, by handle. */
  struct agent_conn *agent;
  bool trace;
  /* Every operation holds this lock while it touches the inode table and
   * the per-inode state; it lets it go while it waits for the agent
   * (fs_call_start). */
  pthread_mutex_t lock;
  /* Signalled each time a file's writes have been sent (file_state.sending
   * falls). */
  pthread_cond_t sent;
  double call_timeout;   /* see backend-select/watchdog.h */
  const int *host_sync_fds;
  size_t n_host_sync_fds;
  struct inode_table itable;
  bool readonly;
  bool fakeroot;
  double timeout;
  /* Names in the appliance match byte for byte (no case folding), so a
   * directory's known names can answer lookups: fsops-names.c. */
  bool exact_names;
  /* The attributes of the directory last changed (fsops-known-attrs.c). */
  struct known_stat dir_stat;
};

/* One name of a directory's listing (fsops-dir.c): its attributes (only
 * the type and inode number, unless listed with them) and its reference
 * at the agent (0: none, or taken by an inode). */
struct dir_entry {
  char *name;
  struct stat st;
  uint64_t handle;
};

/* Per-inode state kept by fsops (inode->data). */
struct file_state {
  struct write_buffer wb;
  struct read_cache rc;
  unsigned open_count;   /* open file handles */
  /* A thread sends writes of this file to the agent, the lock let go:
   * every other that needs them sent, or sends more, waits until it is
   * done, so that a file's writes reach the guest in the order made. */
  bool sending;
  /* Known to have no security.capability xattr.  The kernel asks for it
   * before every write(2) to see whether the write must remove it; every
   * change of xattrs goes through us, so the answer can be kept. */
  bool no_capability;
  /* A directory's every name, when known (fsops-names.c); else NULL. */
  struct name_set *names;
  /* Its handle at imgmount-agent, one reference held; 0: none yet. */
  uint64_t handle;
  /* Its file type (S_IFMT bits), from the first attributes that named it;
   * 0: none seen yet. */
  mode_t type;
};

/* I's state, made on first use. */
struct file_state *fs_state_of (struct inode *i);

struct fs *fs_of (fuse_req_t req);
void fs_lock (struct fs *fs);
void fs_unlock (struct fs *fs);

/* Every helper here that can fail returns 0 or a positive errno, as
 * fuse_reply_err takes it. */

/* EIO when MODE's file type is not the one I was first seen with (the
 * root: a directory): while the table holds an identity, the object
 * cannot change type, as an inode number the guest reuses comes to a new
 * inode (the old one lost its last name).  CALL names the reply. */
int fs_check_type (struct fs *fs, struct inode *i, mode_t mode, const char *call);

/* Registers PARENT/NAME with attributes ST as looked up and fills E.
 * EIO if the reply to CALL gave it the identity of PARENT or of one of its
 * ancestors (a directory cannot contain itself), or another type than the
 * one the table knows it by. */
int fs_make_entry (struct fs *fs, struct inode *parent, const char *name,
                   const struct stat *st, struct fuse_entry_param *e, const char *call);

/* Creates PARENT/NAME as WHAT says (its uid and gid are set here),
 * gives it to the caller of REQ and fills *E. */
int fs_create_node (fuse_req_t req, struct fs *fs, fuse_ino_t parent, const char *name,
                    struct agent_new what, struct fuse_entry_param *e);

/* Replies with the entry of a created node, or the errno E. */
void fs_reply_created (fuse_req_t req, int e, const struct fuse_entry_param *entry);

/* Sends I's buffered writes to the agent, after those another thread is
 * sending, the lock let go meanwhile; the caller pins I (a request on it,
 * or the kernel's forget of it).  An errno is also kept for the file's
 * next write/fsync/close. */
int fs_flush_inode (struct fs *fs, struct inode *i);

/* imgmount-agent's handles for inodes (fsops-handles.c).  I's handle,
 * found by name the first time. */
int fs_handle_of (struct fs *fs, struct inode *i, uint64_t *handle);

/* An agent call that only looks lets FS's lock go while its reply comes,
 * so that other requests go on meanwhile: the kernel pins the inodes a
 * request names until it is answered, and each inode its handle, taken
 * under the lock before.  fs_call_start lets go; fs_call_done takes the
 * lock back and says whether nothing was changed meanwhile, so that what
 * the call saw may be kept in the daemon's caches (else it is only the
 * reply's, as the kernel orders attributes against changes itself). */
uint64_t fs_call_start (struct fs *fs);
bool fs_call_done (struct fs *fs, uint64_t start);
/* The same for one call that changes something: the kernel orders the
 * changes to one directory or file (their inode locks), so the daemon's
 * table follows them in order; fs_change_done says whether no other
 * change was sent or answered meanwhile, so that the reply's attributes
 * may be kept in the caches (else they are forgotten). */
bool fs_change_done (struct fs *fs, uint64_t start);

/* Looks PARENT/NAME up at the agent (the lock let go meanwhile): fills E
 * as fs_make_entry. */
int fs_agent_lookup (struct fs *fs, struct inode *parent, const char *name,
                     struct fuse_entry_param *e);

/* The entry PARENT/NAME of attributes ST and agent reference H, from the
 * reply to CALL (a LOOKUP's, a CREATE's, a LINK's, a READDIR_PLUS
 * listing's): fills E as fs_make_entry.  The reference is given back on
 * failure. */
int fs_agent_take_entry (struct fs *fs, struct inode *parent, const char *name, uint64_t h,
                         const struct stat *st, struct fuse_entry_param *e, const char *call);

/* I, an inode the table holds, takes the agent reference H for its
 * identity ST (from the reply to CALL): kept when I has no handle yet,
 * else given back.  EIO when H or ST are not I's. */
int fs_agent_keep_handle (struct fs *fs, struct inode *i, uint64_t h, const struct stat *st,
                          const char *call);

/* The calls that change something below let the lock go while the agent
 * answers; *CURRENT as fs_change_done says. */

/* Makes PARENT/NAME at the agent as WHAT says: fills E as fs_make_entry;
 * *PARENT_ST gets the directory's attributes after. */
int fs_agent_create (struct fs *fs, struct inode *parent, const char *name,
                     const struct agent_new *what, struct stat *parent_st,
                     struct fuse_entry_param *e, bool *current);

/* I's attributes from the agent (the lock let go meanwhile), its identity
 * and type checked. */
int fs_agent_getattr (struct fs *fs, struct inode *i, struct stat *st);
/* Writes SIZE bytes of BUF at OFF to I's file through the agent (the file
 * stays open in the guest, a WRITE per MiB in flight), the lock let go
 * meanwhile; *ST gets the attributes they leave. */
int fs_agent_write (struct fs *fs, struct inode *i, const char *buf, size_t size, int64_t off,
                    struct stat *st);

/* Changes I's attributes at the agent as SET says (its handle filled in
 * here; the lock let go meanwhile); *ST gets them after, its identity
 * checked. */
int fs_agent_setattr (struct fs *fs, struct inode *i, struct agent_setattr set,
                      struct stat *st);

/* Removes PARENT/NAME at the agent (rmdir with DIR, else unlink); an
 * open file keeps its handle first, and through it its data.  *PARENT_ST: the directory after. */
int fs_agent_remove (struct fs *fs, struct inode *parent, const char *name, bool dir,
                     struct stat *parent_st, bool *current);
/* Renames PARENT/NAME to NEWPARENT/NEWNAME at the agent (FLAGS: the
 * AGENT_RENAME_* bits); an open file renamed over keeps its handle
 * first.  *PARENT_ST, *NEWPARENT_ST: the directories after. */
int fs_agent_rename (struct fs *fs, struct inode *parent, const char *name,
                     struct inode *newparent, const char *newname, uint32_t flags,
                     struct stat *parent_st, struct stat *newparent_st, bool *current);

/* Makes NEWPARENT/NAME another name of I at the agent: fills *PARENT_ST
 * and, as fs_make_entry, E (I's attributes after). */
int fs_agent_link (struct fs *fs, struct inode *i, struct inode *newparent, const char *name,
                   struct stat *parent_st, struct fuse_entry_param *e, bool *current);

/* fallocate(2) of I's file at the agent; *ST: its attributes after. */
int fs_agent_fallocate (struct fs *fs, struct inode *i, int mode, int64_t offset, int64_t length,
                        struct stat *st);

/* SEEK_DATA or SEEK_HOLE in I's file at the agent, from OFFSET: *AT. */
int fs_agent_lseek (struct fs *fs, struct inode *i, int64_t offset, int whence, int64_t *at);

/* copy_file_range(2) at the agent of SIZE bytes (at most AGENT_COPY_MAX)
 * from IN's file at IN_OFF to OUT's at OUT_OFF: *COPIED, and *ST (OUT's
 * attributes after). */
int fs_agent_copy_range (struct fs *fs, struct inode *in, int64_t in_off, struct inode *out,
                         int64_t out_off, uint64_t size, uint64_t *copied, struct stat *st);

/* Gives back I's handle, as I goes. */
void fs_forget_handle (struct fs *fs, struct inode *i);

/* Directories whose every name is known: fsops-names.c.  Lookups of any
 * other name are answered without the appliance.  The rule that keeps it
 * exact: a name is added BEFORE each appliance call that may create it
 * (an extra name only costs a lookup; a missing one would hide a file). */

/* Do the mounted filesystems compare names byte for byte?  Asked once.
 * FS_TYPES: device, type pairs already known (see struct fs_config). */
bool fs_names_are_exact (guestfs_h *g, char *const *fs_types);

/* DIR was just made, empty; or ENTRIES (N of them) list all of it. */
void fs_names_of_new_dir (struct fs *fs, struct inode *dir);
void fs_names_of_listing (struct fs *fs, struct inode *dir, const struct dir_entry *entries,
                          size_t n);

/* Is DIR/NAME known not to exist? */
bool fs_name_is_absent (struct inode *dir, const char *name);

/* An appliance call is about to create DIR/NAME (it may fail). */
void fs_name_may_appear (struct inode *dir, const char *name);

/* DIR/NAME was removed: the inode table and DIR's names forget it. */
void fs_name_unlinked (struct fs *fs, struct inode *dir, const char *name);

/* DIR/NAME is now NEWDIR/NEWNAME (NEWNAME was made known before the call). */
void fs_name_renamed (struct fs *fs, struct inode *dir, const char *name,
                      struct inode *newdir, const char *newname);

/* Sends the buffered writes of PARENT/NAME, if the table knows that name,
 * before its attributes are read from the appliance for a reply. */
void fs_flush_child (struct fs *fs, struct inode *parent, const char *name);

/* A directory's attributes answered without another call:
 * fsops-known-attrs.c.  I's, if I is the directory last changed and
 * nothing since can have changed it: true, and *ST filled. */
bool fs_known_dir_stat (struct fs *fs, struct inode *i, struct stat *st);

/* I's attributes are about to change (setattr, xattrs): fs_known_dir_stat
 * no longer knows them. */
void fs_forget_dir_stat (struct fs *fs, struct inode *i);

/* After a change of a name in DIR: its attributes ST from the reply, or
 * forgotten (ST NULL) when the call failed or another change ran
 * meanwhile. */
void fs_dir_changed (struct fs *fs, struct inode *dir, const struct stat *st);

/* Syncs the appliance's disks, then the image files on the host. */
int fs_sync_disks (struct fs *fs);

/* Defined in fsops-dir.c and fsops-xattr.c. */
void op_opendir (fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi);
void op_readdir (fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
                 struct fuse_file_info *fi);
void op_readdirplus (fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
                     struct fuse_file_info *fi);
void op_releasedir (fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi);
void op_mkdir (fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode);
void op_rmdir (fuse_req_t req, fuse_ino_t parent, const char *name);
void op_setxattr (fuse_req_t req, fuse_ino_t ino, const char *name,
                  const char *value, size_t size, int flags);
void op_getxattr (fuse_req_t req, fuse_ino_t ino, const char *name, size_t size);
void op_listxattr (fuse_req_t req, fuse_ino_t ino, size_t size);
void op_removexattr (fuse_req_t req, fuse_ino_t ino, const char *name);

#endif
