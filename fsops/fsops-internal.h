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

/* guestfs_pwrite and guestfs_pread move at most this much per call: the
 * protocol caps a message at 4 MiB. */
#define APPLIANCE_IO_MAX (2u * 1024 * 1024)
/* How much a sequential read fetches at once.  Measured (cold cat of
 * 100 MB, UML, 3 rounds interleaved, 2026-11-28): 1 MiB and 3 MiB were
 * each ~15% slower than 2 MiB.  4 MiB less 64 KiB (here and in
 * APPLIANCE_IO_MAX) was four times slower while guestfsd gave its buffers
 * back to the kernel after each call (see appliance-init), and is still
 * ~15% slower for cat and ~7% for cp now that it keeps them. */
#define READ_AHEAD (2u * 1024 * 1024)
/* Buffered writes per file before they are sent. */
#define WRITE_BUFFER_LIMIT (4u * 1024 * 1024)

/* Attributes of INODE, read when a call counter stood at AT. */
struct known_stat {
  struct inode *inode;
  struct stat st;
  uint64_t at;
};

struct fs {
  guestfs_h *g;
  /* imgmount-agent, which serves lookups, attributes, reads, links' targets
   * and statfs by handle; NULL: guestfsd serves everything. */
  struct agent_conn *agent;
  bool trace;
  /* One appliance, one conversation: every operation holds this lock while
   * it talks to the appliance or touches the inode table. */
  pthread_mutex_t lock;
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
  /* Appliance calls begun so far, all and those that may change a
   * directory's attributes; the stat the last call returned, and a
   * directory's taken with a file created in it (fsops-known-attrs.c). */
  uint64_t calls, dir_changing_calls;
  struct known_stat last_stat, dir_stat;
};

/* Per-inode state kept by fsops (inode->data). */
struct file_state {
  struct write_buffer wb;
  struct read_cache rc;
  unsigned open_count;   /* open file handles */
  bool hidden;           /* unlinked while open: renamed aside until closed */
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

/* Stats PATH in the appliance into *ST. */
int fs_lstat (struct fs *fs, const char *path, struct stat *st);

/* EIO when MODE's file type is not the one I was first seen with (the
 * root: a directory): while the table holds an identity, the object
 * cannot change type, as an inode number the guest reuses comes to a new
 * inode (the old one lost its last name).  CALL names the reply. */
int fs_check_type (struct fs *fs, struct inode *i, mode_t mode, const char *call);

/* Registers PARENT/NAME with attributes ST as looked up and fills E.
 * EIO if the appliance gave it the identity of PARENT or of one of its
 * ancestors (a directory cannot contain itself), or another type than the
 * one the table knows it by. */
int fs_make_entry (struct fs *fs, struct inode *parent, const char *name,
                   const struct stat *st, struct fuse_entry_param *e);

/* Looks PATH up (PARENT/NAME) and replies with its entry, or the error. */
void fs_reply_entry (fuse_req_t req, struct fs *fs, struct inode *parent,
                     const char *name, const char *path);

/* Gives a file created by the appliance (as root) to the caller of REQ, as
 * a local filesystem would, and updates *ST to match. */
int fs_give_to_caller (fuse_req_t req, struct fs *fs, const char *path,
                       struct stat *st);

/* Creates PARENT/NAME as WHAT says (its uid and gid are set here),
 * gives it to the caller of REQ and fills *E. */
int fs_create_node (fuse_req_t req, struct fs *fs, fuse_ino_t parent, const char *name,
                    struct agent_new what, struct fuse_entry_param *e);

/* Replies with the entry of a created node, or the errno E. */
void fs_reply_created (fuse_req_t req, int e, const struct fuse_entry_param *entry);

/* Sends I's buffered writes to the appliance.  An errno is also kept for
 * the file's next write/fsync/close. */
int fs_flush_inode (struct fs *fs, struct inode *i);

/* imgmount-agent's handles for inodes (fsops-handles.c), when FS has an
 * agent.  I's handle, found by name the first time. */
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

/* Looks PARENT/NAME up at the agent (the lock let go meanwhile): fills *ST
 * and, as fs_make_entry, E; *CURRENT as fs_call_done says. */
int fs_agent_lookup (struct fs *fs, struct inode *parent, const char *name, struct stat *st,
                     struct fuse_entry_param *e, bool *current);

/* A listing's entry PARENT/NAME of attributes ST and agent reference H
 * (READDIR_PLUS), taken as fs_agent_lookup takes a LOOKUP's: fills E.
 * The reference is given back on failure. */
int fs_agent_take_entry (struct fs *fs, struct inode *parent, const char *name, uint64_t h,
                         const struct stat *st, struct fuse_entry_param *e);

/* I, an inode the table holds, takes the agent reference H for its
 * identity ST (a listing's): kept when I has no handle yet, else given
 * back.  EIO when H or ST are not I's. */
int fs_agent_keep_handle (struct fs *fs, struct inode *i, uint64_t h, const struct stat *st);

/* The calls that change something below let the lock go while the agent
 * answers; *CURRENT as fs_change_done says. */

/* Makes PARENT/NAME at the agent as WHAT says: fills *ST and, as
 * fs_make_entry, E; *PARENT_ST gets the directory's attributes after. */
int fs_agent_create (struct fs *fs, struct inode *parent, const char *name,
                     const struct agent_new *what, struct stat *st, struct stat *parent_st,
                     struct fuse_entry_param *e, bool *current);

/* I's attributes from the agent (the lock let go meanwhile), its identity
 * and type checked; *CURRENT as fs_call_done says. */
int fs_agent_getattr (struct fs *fs, struct inode *i, struct stat *st, bool *current);
/* Writes SIZE bytes of BUF at OFF to I's file through the agent (the file
 * stays open in the guest, a WRITE per MiB in flight); *ST gets the
 * attributes they leave. */
int fs_agent_write (struct fs *fs, struct inode *i, const char *buf, size_t size, int64_t off,
                    struct stat *st);

/* Changes I's attributes at the agent as SET says (its handle filled in
 * here); *ST gets them after, its identity checked. */
int fs_agent_setattr (struct fs *fs, struct inode *i, struct agent_setattr set,
                      struct stat *st, bool *current);

/* Removes PARENT/NAME at the agent (rmdir with DIR, else unlink); an
 * open file keeps its handle first, and through it its data, as no
 * hidden name is needed.  *PARENT_ST: the directory after. */
int fs_agent_remove (struct fs *fs, struct inode *parent, const char *name, bool dir,
                     struct stat *parent_st, bool *current);
/* Renames PARENT/NAME to NEWPARENT/NEWNAME at the agent (FLAGS 0 or
 * AGENT_RENAME_NOREPLACE); an open file renamed over keeps its handle
 * first.  *PARENT_ST, *NEWPARENT_ST: the directories after. */
int fs_agent_rename (struct fs *fs, struct inode *parent, const char *name,
                     struct inode *newparent, const char *newname, uint32_t flags,
                     struct stat *parent_st, struct stat *newparent_st, bool *current);

/* Makes NEWPARENT/NAME another name of I at the agent: fills *ST (I's
 * attributes after), *PARENT_ST and, as fs_make_entry, E. */
int fs_agent_link (struct fs *fs, struct inode *i, struct inode *newparent, const char *name,
                   struct stat *st, struct stat *parent_st, struct fuse_entry_param *e,
                   bool *current);

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

/* Files unlinked (or renamed over) while open: fsops-hidden.c.  Such a
 * file lives on under a name with this prefix until closed. */
#define HIDDEN_PREFIX ".imgmount-hidden-"

/* Has I open file handles? */
bool fs_is_open (struct inode *i);

/* Renames PARENT/NAME (at PATH), the open file CHILD, aside to a hidden
 * name in PARENT. */
int fs_hide_open_file (struct fs *fs, struct inode *parent, const char *name,
                       struct inode *child, const char *path);

/* Is PARENT/NAME such a file, which listings leave out?  Any name with the
 * prefix is, unless the table knows it as an ordinary file: listings read
 * before a hidden file went may still name it. */
bool fs_is_hidden_name (struct fs *fs, struct inode *parent, const char *name);

/* Removes the hidden name of I, now that it is closed.  Its buffered data
 * has been written already; the buffer is dropped only if no other link
 * keeps the file. */
void fs_remove_hidden (struct fs *fs, struct inode *i);

/* The directory PARENT/NAME (at PATH) is to be removed but is not empty:
 * if all it holds are hidden names, moves them to PARENT (leftovers of an
 * earlier session are removed) and returns 0, else returns ENOTEMPTY or
 * another errno. */
int fs_empty_hidden_dir (struct fs *fs, struct inode *parent, const char *name,
                         const char *path);

/* Directories whose every name is known: fsops-names.c.  Lookups of any
 * other name are answered without the appliance.  The rule that keeps it
 * exact: a name is added BEFORE each appliance call that may create it
 * (an extra name only costs a lookup; a missing one would hide a file). */

/* Do the mounted filesystems compare names byte for byte?  Asked once.
 * FS_TYPES: device, type pairs already known (see struct fs_config). */
bool fs_names_are_exact (guestfs_h *g, char *const *fs_types);

/* DIR was just made, empty; or ENTRIES is a listing of all of it. */
void fs_names_of_new_dir (struct fs *fs, struct inode *dir);
void fs_names_of_listing (struct fs *fs, struct inode *dir,
                          const struct guestfs_dirent_list *entries);

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

/* Attributes answered without another stat: fsops-known-attrs.c. */

/* Counts the appliance calls that begin, from now on, for as long as the
 * handle lives. */
int fs_count_calls (struct fs *fs);

/* The appliance call just made returned ST, I's attributes (all but
 * ctime, if fs_stat_after_setattr gave them). */
void fs_note_stat (struct fs *fs, struct inode *i, const struct stat *st);

/* I changed by a call libguestfs does not count (the agent's): a stat of
 * it noted before no longer tells. */
void fs_forget_stat (struct fs *fs, struct inode *i);

/* If the last call was a stat of I and TO_SET sets only the mode or
 * times given in ATTR (not "now"), fills *ST with that stat as it will be
 * once they are set, ctime excepted (reply with a zero timeout), and
 * returns true.  Else returns false. */
bool fs_stat_after_setattr (struct fs *fs, struct inode *i, const struct stat *attr, int to_set,
                            struct stat *st);

/* Stats DIR/NAME (at PATH), just created, into *ST, and DIR in the same
 * call, for fs_known_dir_stat. */
int fs_stat_new_child (struct fs *fs, struct inode *dir, const char *name, const char *path,
                       struct stat *st);

/* I's attributes, if I is a directory stat with a file created in it and
 * no call since may have changed it.  Returns true and fills *ST. */
bool fs_known_dir_stat (struct fs *fs, struct inode *i, struct stat *st);

/* ST is directory I's stat just after a file was created in it by a call
 * libguestfs does not count (the agent's), for fs_known_dir_stat. */
void fs_note_dir_stat (struct fs *fs, struct inode *i, const struct stat *st);

/* I is about to be chmodded, chowned or touched: fs_known_dir_stat no
 * longer knows it (those calls are not counted as changing directories). */
void fs_forget_dir_stat (struct fs *fs, struct inode *i);
/* After an agent call that changed DIR (no libguestfs call counts it):
 * its attributes ST from the reply, or forgotten (ST NULL) when the call
 * failed or another change ran meanwhile. */
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
