/* appliance-double.h: a hostile stand-in for libguestfs and for the
 * kernel's side of FUSE, linked with the daemon's own code (daemon_lib)
 * in place of the real ones.
 *
 * appliance-double.c defines every libguestfs function that the daemon
 * calls once the appliance runs; the test links without libguestfs, so a
 * call the double lacks is a link error, not a gap.  Each call answers
 * the way a real appliance would over a small tree, unless the driver
 * picks another kind of reply for it: one a taken-over appliance could
 * send (more bytes than asked, an odd list, a directory's own identity,
 * an errno no kernel has...).  Two drivers: a script of (call, kind) for
 * tests/unit/test-hostile-appliance.c, and fuzz input for
 * tests/fuzz/fuzz-guest-replies.c.
 *
 * fuse-double.c stands in for libfuse's request and reply functions: a
 * request records the one reply the operation gave. */
#ifndef IMGMOUNT_APPLIANCE_DOUBLE_H
#define IMGMOUNT_APPLIANCE_DOUBLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <fuse_lowlevel.h>
#include <guestfs.h>

enum reply_kind {
  REPLY_HONEST,
  REPLY_FAIL,         /* fails; its errno is the driver's number */
  REPLY_OVERSIZE,     /* more than asked: bytes, entries, lengths */
  REPLY_UNDERSIZE,    /* fewer: a short list, nothing written, "" */
  REPLY_ODD,          /* a list of pairs with one string more */
  REPLY_BAD_NAME,     /* a name with '/', "..", "" or 300 bytes */
  REPLY_ESCAPES,      /* strings with terminal escape sequences */
  REPLY_ANCESTOR,     /* the identity of the directory asked about */
  REPLY_ROOT,         /* the identity of the root */
  REPLY_BAD_MODE,     /* a file type no file has */
  REPLY_NEGATIVE,     /* negative sizes and counts */
  REPLY_BAD_TIME,     /* nanoseconds past a second */
  N_REPLY_KINDS
};

struct double_driver {
  /* The kind of reply CALL ("pread", as libguestfs names it) gets. */
  enum reply_kind (*kind) (const char *call);
  /* The errno of a failing call. */
  int (*errno_value) (void);
};

/* Sets the driver (NULL: every reply honest) and resets the tree. */
void double_start (const struct double_driver *driver);

/* Makes the image one disk with a btrfs filesystem on /dev/sda1: the
 * subvolume @ holds a system (/etc/os-release), and so does @snap, a
 * snapshot of it; the top level, the default, holds none. */
void double_btrfs_disk (void);

/* The image is one ext4 filesystem on the whole of /dev/sda, on which the
 * appliance's kernel found a partition /dev/sda1 all the same (UML's
 * Acorn parser does, on about one small ext4 image in 256): blkid says
 * ext4 and no partition table for both. */
void double_phantom_partition (void);

/* The K-th mountable mounted at / since double_start (each once), or NULL. */
const char *double_root_mounted (size_t k);

/* The handle to give the daemon's code; nothing in it is real. */
guestfs_h *double_handle (void);

/* How many times CALL was made since double_start. */
unsigned double_calls (const char *call);

/* Runs the mount code (select_and_mount, then list_filesystems, which
 * prints to stdout) against the double, telling it which volume SCANS
 * (SCAN_* of metadata-probe.h) the appliance ran. */
void double_mount_code (unsigned scans);

/* ---- FUSE ---- */

enum reply_type {
  FUSE_NO_REPLY, FUSE_REPLY_ERR, FUSE_REPLY_NONE, FUSE_REPLY_ENTRY, FUSE_REPLY_CREATE,
  FUSE_REPLY_ATTR, FUSE_REPLY_READLINK, FUSE_REPLY_OPEN, FUSE_REPLY_WRITE,
  FUSE_REPLY_BUF, FUSE_REPLY_STATFS, FUSE_REPLY_XATTR,
};

struct fuse_req {
  void *userdata;
  struct fuse_ctx ctx;
  unsigned replies;            /* must end as 1 */
  enum reply_type type;
  int err;                     /* FUSE_REPLY_ERR */
  struct fuse_entry_param entry;
  struct fuse_file_info fi;
  struct stat attr;
  struct statvfs statfs;
  size_t count;                /* bytes written, xattr size */
  char *buf;                   /* buf, readlink: a copy */
  size_t len;
};

/* A request from root for the filesystem state USERDATA. */
void double_request (struct fuse_req *req, void *userdata);
/* Frees what the reply kept. */
void double_request_done (struct fuse_req *req);

#endif
