/* agent-reply.h: what a reply from imgmount-agent may hold, given the
 * request it answers (common/agent-protocol.h).
 *
 * The appliance is hostile: every byte of a reply is chosen by whoever
 * owns it.  These functions are the one statement of the rules a reply
 * must pass before the host uses anything in it, and they decode what
 * passes into host structures.  They are pure (no I/O, no state), so that
 * fsops/agent-client.c, the unit tests and fuzz-agent-replies reach the
 * very same code.  Each returns 0 or EIO (a reply that breaks a rule);
 * they read bodies with memcpy, so a body need not be aligned. */
#ifndef IMGMOUNT_AGENT_REPLY_H
#define IMGMOUNT_AGENT_REPLY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include "common/agent-protocol.h"

/* What the host asked, as far as it bounds the reply. */
struct agent_req {
  uint16_t op;              /* enum agent_op */
  uint64_t handle;          /* LOOKUP, CREATE, LINK: the parent; READDIR: the
                               directory */
  uint64_t offset;          /* WRITE: where; SETATTR: the size asked; LSEEK:
                               where the search starts; COPY_RANGE: where
                               in OUT */
  uint32_t size;            /* READ: bytes asked; WRITE: bytes sent;
                               COPY_RANGE: bytes asked */
  uint32_t max_bytes;       /* READDIR: the body's limit */
  uint32_t flags;           /* READDIR: AGENT_READDIR_PLUS, _ATTRS or 0;
                               SETATTR: AGENT_SET_* */
  uint32_t mode;            /* CREATE: the type asked for */
  uint64_t object;          /* LINK: the handle of the object linked */
};

/* Can a message with header H be on the stream at all (its len counts at
 * least the header, at most AGENT_MSG_MAX)?  If not, nothing after it can
 * be trusted to start a message: the stream is lost. */
bool agent_frame_ok (const struct agent_header *h);

/* The most body bytes a reply to REQ may carry.  A longer one can be
 * skipped (the stream stays in step) but fails its call. */
size_t agent_reply_body_max (const struct agent_req *req);

/* Checks the header of a reply to REQ (its id and op already matched):
 * flags and reserved 0, len within what REQ allows, an error reply without
 * body.  On 0, *ERR is 0 (a success: decode the body) or the positive
 * errno the call fails with (errno_map's: no number Linux lacks). */
int agent_reply_check (const struct agent_req *req, const struct agent_header *h, int *err);

/* One object's attributes: a valid type and mode, times with valid
 * nanoseconds, sizes that fit off_t, owners other than (uid_t) -1, the
 * reserved field 0. */
int agent_attr_decode (const struct agent_attr *a, struct stat *st);

/* Is the pair (HANDLE, ST) consistent with the root's identity
 * (ROOT_DEV, ROOT_INO, from HELLO)?  The root's handle is never forgotten
 * and one object has one handle, so handle AGENT_ROOT_HANDLE is the root
 * and the root is AGENT_ROOT_HANDLE; handle 0 is never one. */
bool agent_identity_ok (uint64_t root_dev, uint64_t root_ino, uint64_t handle,
                        const struct stat *st);

/* HELLO's reply body: magic, version, *CREDITS (1 to AGENT_CREDITS_MAX),
 * then the root's attributes, a directory. */
int agent_hello_decode (const void *body, size_t len, uint32_t *credits, struct stat *root);

/* LOOKUP's reply to REQ: one agent_entry, its handle neither 0 nor the
 * parent's (a directory does not hold itself: "." is no name). */
int agent_entry_decode (const struct agent_req *req, const void *body, size_t len,
                        uint64_t *handle, struct stat *st);

/* CREATE's reply to REQ: one agent_created, its entry as LOOKUP's and of
 * the type asked for, the parent's attributes a directory's. */
int agent_created_decode (const struct agent_req *req, const void *body, size_t len,
                          uint64_t *handle, struct stat *st, struct stat *parent_st);

/* LINK's reply to REQ: one agent_created, its entry as LOOKUP's with
 * REQ's object's handle, no directory; the parent's attributes a
 * directory's. */
int agent_linked_decode (const struct agent_req *req, const void *body, size_t len,
                         struct stat *st, struct stat *parent_st);

/* GETATTR's: one agent_attr. */
int agent_getattr_decode (const void *body, size_t len, struct stat *st);

/* READLINK's: 1 to AGENT_LINK_MAX bytes, no NUL; TARGET (AGENT_LINK_MAX
 * + 1 bytes) gets them, terminated. */
int agent_readlink_decode (const void *body, size_t len, char *target);

/* STATFS's: counts that add up; the name limit clamped to
 * AGENT_NAME_MAX, as no longer name passes. */
int agent_statfs_decode (const void *body, size_t len, struct statvfs *sv);

/* WRITE's reply to REQ: one agent_attr, of a regular file reaching at
 * least as far as the bytes written. */
int agent_write_decode (const struct agent_req *req, const void *body, size_t len,
                        struct stat *st);

/* SETATTR's reply to REQ: one agent_attr; with AGENT_SET_SIZE, a regular
 * file's of exactly the size asked.  Owners, mode and times are not held
 * to what was asked: a filesystem may round times or ignore a chmod
 * (vfat), and the reply is then the truth. */
int agent_setattr_decode (const struct agent_req *req, const void *body, size_t len,
                          struct stat *st);

/* REMOVE's: one agent_attr, a directory's. */
int agent_dir_attr_decode (const void *body, size_t len, struct stat *st);

/* RENAME's: one agent_renamed, two directories' attributes. */
int agent_renamed_decode (const void *body, size_t len, struct stat *parent,
                          struct stat *newparent);

/* LISTXATTR's: names of 1 to AGENT_XATTR_NAME_MAX bytes, each followed
 * by a NUL (none at all: an empty list). */
int agent_xattr_list_check (const void *body, size_t len);

/* LSEEK's: an agent_offset, not before where the search started (REQ's
 * offset), at most INT64_MAX. */
int agent_offset_decode (const struct agent_req *req, const void *body, size_t len,
                         uint64_t *at);

/* COPY_RANGE's: an agent_copied, no more copied than REQ's size asked,
 * a regular file's attributes that reach past what was copied into it;
 * *COPIED and *ST (OUT's) from it. */
int agent_copied_decode (const struct agent_req *req, const void *body, size_t len,
                         uint64_t *copied, struct stat *st);

/* READ's: the data, no more than asked. */
int agent_read_check (const struct agent_req *req, size_t len);

/* One directory entry as the host keeps it. */
struct agent_dirent_host {
  uint64_t cookie;          /* never 0: 0 would start the listing over */
  uint64_t handle;          /* 0 unless PLUS */
  struct stat st;           /* without PLUS or ATTRS: st_ino, st_mode's type */
  const char *name;         /* into the list's names; 1 to AGENT_NAME_MAX */
};

struct agent_dirlist {
  size_t count;
  bool eof;
  struct agent_dirent_host *entries;
  char *names;              /* the entries' names, each terminated */
};

/* READDIR's reply to REQ: agent_dirents, then exactly COUNT entries
 * filling the body, each name a name and padded with zeros to 8 bytes,
 * all within REQ's max_bytes; EOF 0 or 1; no reply without entries that
 * is not the end (the caller would ask for the same again, for ever).
 * With PLUS each entry's handle and attributes pass as LOOKUP's do
 * (not the directory's own handle; identity against the root's too).
 * With ATTRS the attributes pass as with PLUS and the handle is 0; no
 * entry of the root has the root's identity (it would be the directory
 * itself); another directory's identity is not known here, so an entry
 * that is that directory is for the caller, who knows it, to judge.
 * Without either flag the handle is 0.  REQ's flags are never both.  On 0 the caller frees LIST with
 * agent_dirlist_free; on EIO LIST holds nothing. */
int agent_readdir_decode (const struct agent_req *req, const void *body, size_t len,
                          uint64_t root_dev, uint64_t root_ino, struct agent_dirlist *list);

void agent_dirlist_free (struct agent_dirlist *list);

#endif
