/* agent-double.h: a hostile stand-in for imgmount-agent, on the far end of
 * a socketpair from fsops/agent-client.c, for tests/unit/test-agent-client.c.
 *
 * Why a scripted double: the real agent is honest (and written apart);
 * the client must hold against the one a hostile image could put in its
 * place.  The double serves a small tree honestly (the root, handle 1,
 * holding "f" a regular file, "l" a symbolic link to it and "d" an empty
 * directory) unless the script gives the next request another kind of
 * reply: bytes that are no message, ids never sent, lengths no message
 * has, bodies longer than asked, bad names and list shapes, errnos no
 * kernel has, a stream without end, silence.  It runs in a thread of its
 * own and counts the requests the host has outstanding at once. */
#ifndef IMGMOUNT_AGENT_DOUBLE_H
#define IMGMOUNT_AGENT_DOUBLE_H

#include <stdint.h>
#include "common/agent-protocol.h"

enum ad_kind {
  AD_HONEST,
  AD_FAIL,            /* an error reply, the errno agent_double_errno set */
  AD_GARBAGE,         /* bytes that are no message */
  AD_UNKNOWN_ID,      /* a reply to an id never sent */
  AD_WRONG_OP,        /* the right id, another op */
  AD_TWICE,           /* the reply, then the same again */
  AD_LEN_HUGE,        /* header.len past AGENT_MSG_MAX */
  AD_LEN_SHORT,       /* header.len below the header's size */
  AD_OVERSIZE,        /* the body and 8 bytes more (READ, READDIR: past
                       * what was asked) */
  AD_TRUNCATED,       /* the body less its last 8 bytes (READLINK: empty) */
  AD_ERROR_BODY,      /* an error, yet a body */
  AD_ERRNO_999,       /* an error no kernel has */
  AD_FLAGS,           /* error 0 with flags set */
  AD_RESERVED,        /* the header's reserved field set */
  AD_BAD_MODE,        /* attributes with a type no file has */
  AD_BAD_NSEC,        /* a time with a second's worth of nanoseconds */
  AD_HANDLE_ZERO,     /* an entry's handle 0 */
  AD_ROOT_IMPOSTOR,   /* handle 1 for an object other than the root (READDIR
                       * without PLUS: a handle not 0) */
  AD_ROOT_ELSEWHERE,  /* the root's identity under another handle */
  AD_SELF,            /* an entry that is the directory it is in (READDIR
                       * with ATTRS: by its identity alone, handle 0) */
  AD_NAME_SLASH,      /* READDIR: the first name "a/b" ... */
  AD_NAME_DOT,        /* "." */
  AD_NAME_DOTDOT,     /* ".." */
  AD_NAME_NUL,        /* "a\0b" */
  AD_NAME_LONG,       /* namelen 256 */
  AD_NAME_EMPTY,      /* namelen 0 */
  AD_COUNT_MORE,      /* count one more than the entries */
  AD_COUNT_LESS,      /* count one less: an entry's bytes left over */
  AD_BAD_PAD,         /* a padding byte not zero */
  AD_EOF_2,           /* eof neither 0 nor 1 */
  AD_COOKIE_ZERO,     /* an entry's cookie 0 */
  AD_NO_PROGRESS,     /* no entries, not the end */
  AD_LINK_NUL,        /* READLINK: a target with a NUL */
  AD_STATFS_BAD,      /* STATFS: more free blocks than blocks */
  AD_WRITE_SHORT,     /* WRITE: a file that ends before the bytes written;
                       * SETATTR: size 0 */
  AD_NOT_FILE,        /* attributes of a directory where a file's must be */
  AD_NOT_DIR,         /* a regular file's where a directory's must be */
  AD_SEEK_BACK,       /* LSEEK: an offset before where the search started */
  AD_COPY_MORE,       /* COPY_RANGE: a byte more copied than asked */
  AD_ENDLESS,         /* the reply, then copies of it without end */
  AD_TRICKLE,         /* a header, then a byte of body every 20 ms */
  AD_SILENT,          /* no reply ever */
  /* HELLO only (agent_double_start's HELLO_KIND) */
  AD_BAD_MAGIC, AD_BAD_VERSION, AD_CREDITS_ZERO, AD_CREDITS_OVER, AD_ROOT_NOT_DIR,
  N_AD_KINDS
};

/* The tree's identities, for tests to compare with. */
#define AD_DEV 7u
#define AD_ROOT_INO 2u
#define AD_FILE_HANDLE 2u
#define AD_FILE_INO 12u
#define AD_LINK_HANDLE 3u
#define AD_DIR_HANDLE 4u
#define AD_NEW_HANDLE 5u              /* what CREATE makes */
#define AD_NEW_INO 15u
#define AD_FILE_SIZE (2u * AGENT_IO_MAX + 10000u)   /* byte k of "f" is (k * 7) & 0xff */
#define AD_LINK_TARGET "f"
/* The xattrs every object has: one value with NUL bytes, two names. */
#define AD_XATTR_VALUE "val\0ue"
#define AD_XATTR_LIST "user.a\0user.b\0"
/* DEVICES's honest text: a partitioned disk, and an LV. */
#define AD_DEVICES_TEXT "DEVNAME=/dev/sda\nPTTYPE=gpt\n\n" \
  "DEVNAME=/dev/sda1\nLABEL=BOOT\nTYPE=ext2\nPART_ENTRY_NUMBER=1\n\n" \
  "DEVNAME=/dev/mapper/vg0-root\nUUID=78da5dfd\nTYPE=ext4\n"

struct agent_double;

/* Starts a double on FD (its end of a socketpair; it closes it when
 * stopped) answering HELLO with HELLO_KIND and CREDITS.  BATCH_MS: how
 * long it waits for more requests before it answers those it holds (in
 * the reverse order), so that the host's may pile up; 0 answers each at
 * once. */
struct agent_double *agent_double_start (int fd, enum ad_kind hello_kind, uint32_t credits,
                                         unsigned batch_ms);

/* The next request (after those already given a kind) gets KIND. */
void agent_double_next (struct agent_double *d, enum ad_kind kind);

/* Picks the kind of each request's reply that the script leaves (not
 * HELLO's): called in the double's thread, in the order the requests
 * come, with the lock held.  For AD_FAIL it may set *FAIL_ERRNO, which
 * that reply alone gets when BATCH_MS is 0 (else the batch's last).
 * Why: a fuzz target (tests/fuzz/fuzz-agent-ops.c) takes each kind from
 * its input as the request arrives, not knowing beforehand how many
 * requests an operation makes. */
typedef enum ad_kind (*ad_chooser) (void *arg, const struct agent_header *h, uint32_t *fail_errno);
void agent_double_choose (struct agent_double *d, ad_chooser choose, void *arg);

/* The errno of AD_FAIL replies. */
void agent_double_errno (struct agent_double *d, uint32_t e);

/* Requests received, and the most the host had outstanding at once. */
unsigned agent_double_requests (struct agent_double *d);
unsigned agent_double_max_outstanding (struct agent_double *d);

/* The last request's header and body (up to 512 bytes of it). */
void agent_double_last (struct agent_double *d, struct agent_header *h, void *body);

/* Stops the thread and closes its end. */
void agent_double_stop (struct agent_double *d);

#endif
