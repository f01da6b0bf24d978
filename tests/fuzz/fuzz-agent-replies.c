/* fuzz-agent-replies.c: replies from a hostile imgmount-agent, every byte
 * chosen by the input, through fsops/agent-reply.c's rules and through
 * fsops/agent-client.c's reader.
 *
 * Why both: the rules are where a reply's bytes are judged, and the
 * reader is where the stream is cut into messages and handed between
 * threads; a reply that slips past either reaches the daemon.
 *
 * Input: u8 picks the op (modulo the ops below, in the protocol's order),
 * u32 the size a READ asks or a SETATTR sets (modulo AGENT_IO_MAX, plus
 * 1), u32 the max_bytes a READDIR asks (modulo AGENT_IO_MAX, at least
 * AGENT_READDIR_MIN), u8 bits 0 and 1 the flags a READDIR asks: bit 0
 * READDIR_PLUS, bit 1 READDIR_ATTRS (both: the client must refuse,
 * EINVAL, and send nothing); bit 0 also makes CREATE a directory's (else
 * a file's), SETATTR a truncation (else a chmod) and REMOVE an rmdir.  The
 * rest is the reply stream.  The rules see it cut into messages as the
 * headers say.  The client makes one call of the op (its id 1) after an
 * honest HELLO (unless the op is HELLO: then the stream is HELLO's reply);
 * a thread answers the call's request with the stream, then EOF.
 *
 * Checks, beyond the sanitizers and libFuzzer's hang and memory limits:
 * an error is a real errno (1..133); data is no longer than asked; names
 * listed are names, cookies are not 0, and the list fills no more than
 * its body; handles only with PLUS, never the directory's; with ATTRS no
 * entry of the root is the root; a mode has a real type; a link target
 * has no NUL. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include "common/reply-check.h"
#include "fsops/agent-client.h"
#include "fsops/agent-reply.h"
#include "mount/device-report.h"
#include "tests/fuzz/target.h"

#define HDR sizeof (struct agent_header)
#define ROOT_DEV 7u
#define ROOT_INO 2u
/* Input beyond this is not written to the socket, which must take it all
 * without a reader. */
#define STREAM_MAX 65536u

static const uint16_t ops[] = {
  AGENT_OP_HELLO, AGENT_OP_NOP, AGENT_OP_LOOKUP, AGENT_OP_FORGET, AGENT_OP_GETATTR,
  AGENT_OP_READDIR, AGENT_OP_READ, AGENT_OP_READLINK, AGENT_OP_STATFS, AGENT_OP_BYE,
  AGENT_OP_DEVICES, AGENT_OP_FSYNC, AGENT_OP_WRITE, AGENT_OP_CREATE, AGENT_OP_SETATTR,
  AGENT_OP_REMOVE, AGENT_OP_RENAME, AGENT_OP_LINK, AGENT_OP_GETXATTR, AGENT_OP_LISTXATTR,
  AGENT_OP_SETXATTR, AGENT_OP_REMOVEXATTR, AGENT_OP_FALLOCATE, AGENT_OP_LSEEK,
  AGENT_OP_COPY_RANGE, AGENT_OP_SYNC,
};

static void
check_stat (const struct stat *st)
{
  FUZZ_CHECK (reply_mode_ok (st->st_mode));
  FUZZ_CHECK (st->st_size >= 0 && st->st_blocks >= 0);
  FUZZ_CHECK (reply_nsec_ok (st->st_mtim.tv_nsec));
}

static void
check_list (const struct agent_req *req, const struct agent_dirlist *list, size_t len)
{
  FUZZ_CHECK (list->count * (sizeof (struct agent_dirent) + 8) + sizeof (struct agent_dirents) <= len);
  FUZZ_CHECK (list->count > 0 || list->eof);
  for (size_t k = 0; k < list->count; k++) {
    const struct agent_dirent_host *e = &list->entries[k];
    FUZZ_CHECK (reply_name_ok (e->name) && e->cookie != 0);
    bool plus = req->flags & AGENT_READDIR_PLUS, attrs = req->flags & AGENT_READDIR_ATTRS;
    FUZZ_CHECK (plus ? e->handle != 0 && e->handle != req->handle : e->handle == 0);
    if (plus || attrs)
      check_stat (&e->st);
    if (attrs && !plus)
      FUZZ_CHECK (e->st.st_dev != ROOT_DEV || e->st.st_ino != ROOT_INO);
  }
}

/* One message's body through the decoder of REQ's op. */
static void
decode (const struct agent_req *req, const char *body, size_t len)
{
  struct stat st;
  struct statvfs sv;
  struct agent_dirlist list;
  char target[AGENT_LINK_MAX + 1];
  uint64_t handle;
  uint32_t credits;
  switch (req->op) {
  case AGENT_OP_HELLO:
    if (agent_hello_decode (body, len, &credits, &st) == 0)
      FUZZ_CHECK (credits >= 1 && credits <= AGENT_CREDITS_MAX && S_ISDIR (st.st_mode));
    break;
  case AGENT_OP_LOOKUP:
    if (agent_entry_decode (req, body, len, &handle, &st) == 0) {
      FUZZ_CHECK (handle != 0 && handle != req->handle);
      check_stat (&st);
      (void) agent_identity_ok (ROOT_DEV, ROOT_INO, handle, &st);
    }
    break;
  case AGENT_OP_GETATTR:
    if (agent_getattr_decode (body, len, &st) == 0)
      check_stat (&st);
    break;
  case AGENT_OP_READDIR:
    if (agent_readdir_decode (req, body, len, ROOT_DEV, ROOT_INO, &list) == 0) {
      check_list (req, &list, len);
      agent_dirlist_free (&list);
    }
    break;
  case AGENT_OP_READ:
    if (agent_read_check (req, len) == 0)
      FUZZ_CHECK (len <= req->size);
    break;
  case AGENT_OP_WRITE:
    if (agent_write_decode (req, body, len, &st) == 0) {
      check_stat (&st);
      FUZZ_CHECK (S_ISREG (st.st_mode) && (uint64_t) st.st_size >= req->offset + req->size);
    }
    break;
  case AGENT_OP_CREATE: {
    struct stat parent;
    if (agent_created_decode (req, body, len, &handle, &st, &parent) == 0) {
      FUZZ_CHECK (handle != 0 && handle != req->handle && S_ISDIR (parent.st_mode));
      FUZZ_CHECK ((st.st_mode & S_IFMT) == (req->mode & S_IFMT));
      check_stat (&st);
    }
    break;
  }
  case AGENT_OP_SETATTR:
    if (agent_setattr_decode (req, body, len, &st) == 0) {
      check_stat (&st);
      if (req->flags & AGENT_SET_SIZE)
        FUZZ_CHECK (S_ISREG (st.st_mode) && (uint64_t) st.st_size == req->offset);
    }
    break;
  case AGENT_OP_REMOVE:
    if (agent_dir_attr_decode (body, len, &st) == 0) {
      FUZZ_CHECK (S_ISDIR (st.st_mode));
      check_stat (&st);
    }
    break;
  case AGENT_OP_RENAME: {
    struct stat other;
    if (agent_renamed_decode (body, len, &st, &other) == 0)
      FUZZ_CHECK (S_ISDIR (st.st_mode) && S_ISDIR (other.st_mode));
    break;
  }
  case AGENT_OP_LINK: {
    struct stat parent;
    if (agent_linked_decode (req, body, len, &st, &parent) == 0)
      FUZZ_CHECK (!S_ISDIR (st.st_mode) && S_ISDIR (parent.st_mode));
    break;
  }
  case AGENT_OP_GETXATTR:
    FUZZ_CHECK (len <= AGENT_XATTR_MAX);
    break;
  case AGENT_OP_LSEEK: {
    uint64_t at;
    if (agent_offset_decode (req, body, len, &at) == 0)
      FUZZ_CHECK (at >= req->offset && at <= INT64_MAX);
    break;
  }
  case AGENT_OP_COPY_RANGE: {
    uint64_t copied;
    if (agent_copied_decode (req, body, len, &copied, &st) == 0) {
      check_stat (&st);
      FUZZ_CHECK (copied <= req->size && S_ISREG (st.st_mode));
      FUZZ_CHECK (copied == 0 || (uint64_t) st.st_size >= req->offset + copied);
    }
    break;
  }
  case AGENT_OP_LISTXATTR:
    if (agent_xattr_list_check (body, len) == 0)
      FUZZ_CHECK (len <= AGENT_XATTR_MAX && (len == 0 || body[len - 1] == '\0'));
    break;
  case AGENT_OP_READLINK:
    if (agent_readlink_decode (body, len, target) == 0)
      FUZZ_CHECK (strlen (target) == len && len >= 1 && len <= AGENT_LINK_MAX);
    break;
  case AGENT_OP_STATFS:
    if (agent_statfs_decode (body, len, &sv) == 0)
      FUZZ_CHECK (sv.f_bfree <= sv.f_blocks && sv.f_namemax <= AGENT_NAME_MAX);
    break;
  case AGENT_OP_DEVICES: {
    struct reported_device *devs;
    size_t n;
    if (device_report_parse (body, len, &devs, &n) == 0) {
      FUZZ_CHECK (len <= AGENT_IO_MAX);
      device_report_free (devs, n);
    }
    break;
  }
  default:
    break;
  }
}

/* The rules, on the stream cut into messages. */
static void
run_rules (const struct agent_req *req, const uint8_t *p, size_t left)
{
  while (left >= HDR) {
    struct agent_header h;
    memcpy (&h, p, HDR);
    if (!agent_frame_ok (&h) || h.len > left)
      return;
    int err = -1;
    if (agent_reply_check (req, &h, &err) == 0) {
      FUZZ_CHECK (err >= 0 && err <= 133);
      FUZZ_CHECK (err != 0 || h.len - HDR <= agent_reply_body_max (req));
      if (err == 0)
        decode (req, (const char *) p + HDR, h.len - HDR);
    }
    p += h.len;
    left -= h.len;
  }
}

/* ---- the client ---- */

static void
write_all (int fd, const void *buf, size_t len)
{
  const char *p = buf;
  while (len > 0) {
    ssize_t w = write (fd, p, len);
    if (w <= 0)
      abort ();
    p += w;
    len -= (size_t) w;
  }
}

static void
honest_hello (int fd)
{
  struct agent_header h = { .len = HDR + sizeof (struct agent_hello) + sizeof (struct agent_attr),
                            .op = AGENT_OP_HELLO, .id = 0 };
  struct agent_hello hello = { .magic = AGENT_MAGIC, .version = AGENT_VERSION, .credits = 4 };
  struct agent_attr root = { .dev = ROOT_DEV, .ino = ROOT_INO, .mode = S_IFDIR | 0755, .nlink = 2 };
  write_all (fd, &h, sizeof h);
  write_all (fd, &hello, sizeof hello);
  write_all (fd, &root, sizeof root);
}

static int
call (struct agent_conn *conn, const struct agent_req *req)
{
  static char buf[AGENT_IO_MAX];
  struct stat st;
  struct statvfs sv;
  struct agent_dirlist list;
  uint64_t handle;
  size_t got = 0;
  char *target = NULL;
  int e;
  switch (req->op) {
  case AGENT_OP_NOP: return agent_nop (conn);
  case AGENT_OP_BYE: return agent_bye (conn);
  case AGENT_OP_LOOKUP:
    e = agent_lookup (conn, AGENT_ROOT_HANDLE, "f", &handle, &st);
    if (!e)
      check_stat (&st);
    return e;
  case AGENT_OP_FORGET: return agent_forget (conn, 5, 1);
  case AGENT_OP_GETATTR:
    e = agent_getattr (conn, 5, &st);
    if (!e)
      check_stat (&st);
    return e;
  case AGENT_OP_READDIR:
    e = agent_readdir (conn, AGENT_ROOT_HANDLE, 0, req->max_bytes, req->flags, &list);
    if (req->flags == (AGENT_READDIR_PLUS | AGENT_READDIR_ATTRS))
      FUZZ_CHECK (e == EINVAL);
    if (!e)
      check_list (req, &list, req->max_bytes);
    agent_dirlist_free (&list);
    return e;
  case AGENT_OP_READ:
    e = agent_read (conn, 5, 0, req->size, buf, &got);
    FUZZ_CHECK (e || got <= req->size);
    return e;
  case AGENT_OP_READLINK:
    e = agent_readlink (conn, 5, &target);
    FUZZ_CHECK (e || (strlen (target) >= 1 && strlen (target) <= AGENT_LINK_MAX));
    free (target);
    return e;
  case AGENT_OP_STATFS: return agent_statfs (conn, AGENT_ROOT_HANDLE, &sv);
  case AGENT_OP_FSYNC: return agent_fsync (conn, 5, req->size & 1);
  case AGENT_OP_SYNC: return agent_sync (conn);
  case AGENT_OP_WRITE:
    /* A few KiB: the agent's side reads requests only as it answers. */
    e = agent_write_span (conn, 5, 0, buf, req->size % 4096 + 1, &st);
    if (!e)
      FUZZ_CHECK (S_ISREG (st.st_mode) && st.st_size >= 1);
    return e;
  case AGENT_OP_CREATE: {
    struct stat parent;
    struct agent_new what = { .mode = req->mode };
    e = agent_create (conn, AGENT_ROOT_HANDLE, "f", &what, &handle, &st, &parent);
    if (!e)
      FUZZ_CHECK ((st.st_mode & S_IFMT) == (req->mode & S_IFMT) && S_ISDIR (parent.st_mode));
    return e;
  }
  case AGENT_OP_SETATTR:
    e = agent_setattr (conn, (struct agent_setattr) { .handle = 5, .size = req->offset,
                       .mode = 0644, .valid = req->flags }, &st);
    if (!e && (req->flags & AGENT_SET_SIZE))
      FUZZ_CHECK (S_ISREG (st.st_mode) && (uint64_t) st.st_size == req->offset);
    return e;
  case AGENT_OP_REMOVE:
    e = agent_remove (conn, 5, "f", req->flags & 1, &st);
    FUZZ_CHECK (e || S_ISDIR (st.st_mode));
    return e;
  case AGENT_OP_RENAME: {
    struct stat other;
    e = agent_rename (conn, 5, "f", AGENT_ROOT_HANDLE, "g", 0, &st, &other);
    FUZZ_CHECK (e || (S_ISDIR (st.st_mode) && S_ISDIR (other.st_mode)));
    return e;
  }
  case AGENT_OP_GETXATTR:
  case AGENT_OP_LISTXATTR:
    e = req->op == AGENT_OP_GETXATTR ? agent_getxattr (conn, 5, "user.a", &target, &got)
                                     : agent_listxattr (conn, 5, &target, &got);
    FUZZ_CHECK (e || got <= AGENT_XATTR_MAX);
    if (!e && req->op == AGENT_OP_LISTXATTR)
      FUZZ_CHECK (got == 0 || target[got - 1] == '\0');
    free (target);
    return e;
  case AGENT_OP_LSEEK: {
    uint64_t at;
    e = agent_lseek (conn, 5, req->offset, SEEK_DATA, &at);
    FUZZ_CHECK (e || (at >= req->offset && at <= INT64_MAX));
    return e;
  }
  case AGENT_OP_COPY_RANGE: {
    uint64_t copied;
    e = agent_copy_range (conn, 5, 0, 5, req->offset, req->size, &copied, &st);
    FUZZ_CHECK (e || (copied <= req->size && S_ISREG (st.st_mode)));
    return e;
  }
  case AGENT_OP_FALLOCATE:
    e = agent_fallocate (conn, 5, 0, 0, req->size, &st);
    FUZZ_CHECK (e || S_ISREG (st.st_mode));
    return e;
  case AGENT_OP_SETXATTR: return agent_setxattr (conn, 5, "user.a", "v\0", 2, 0);
  case AGENT_OP_REMOVEXATTR: return agent_removexattr (conn, 5, "user.a");
  case AGENT_OP_LINK: {
    struct stat parent;
    e = agent_link (conn, 5, AGENT_ROOT_HANDLE, "g", &st, &parent);
    FUZZ_CHECK (e || (!S_ISDIR (st.st_mode) && S_ISDIR (parent.st_mode)));
    return e;
  }
  default: return 0;
  }
}

/* The agent's side: each reply goes out after its request has come (one
 * sent before would answer an id not outstanding, and rightly break the
 * connection). */
struct agent_side {
  int requests, replies;        /* the far ends of the client's pair */
  bool hello;                   /* an honest HELLO reply first */
  const uint8_t *stream;
  size_t len;
};

/* Reads one request; false once the client has gone. */
static bool
read_request (int fd)
{
  struct agent_header h;
  char skip[256];
  size_t got = 0;
  while (got < HDR) {
    ssize_t r = read (fd, (char *) &h + got, HDR - got);
    if (r <= 0)
      return false;
    got += (size_t) r;
  }
  for (size_t left = h.len - HDR; left > 0; ) {
    ssize_t r = read (fd, skip, left < sizeof skip ? left : sizeof skip);
    if (r <= 0)
      return false;
    left -= (size_t) r;
  }
  return true;
}

static void *
agent_main (void *arg)
{
  struct agent_side *a = arg;
  bool asked = read_request (a->requests);
  if (asked && a->hello) {
    honest_hello (a->replies);
    asked = read_request (a->requests);
  }
  if (asked)
    write_all (a->replies, a->stream, a->len < STREAM_MAX ? a->len : STREAM_MAX);
  close (a->replies);           /* EOF after the input: no call waits */
  return NULL;
}

/* The client, the stream its agent's replies. */
static void
run_client (const struct agent_req *req, const uint8_t *p, size_t left)
{
  int in[2], out[2];
  if (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, in) != 0 ||
      socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, out) != 0)
    abort ();
  struct agent_side a = { .requests = out[1], .replies = in[1],
                          .hello = req->op != AGENT_OP_HELLO, .stream = p, .len = left };
  pthread_t agent;
  if (pthread_create (&agent, NULL, agent_main, &a) != 0)
    abort ();
  struct agent_config cfg = { .timeout_ms = 5000 };
  struct agent_conn *conn = NULL;
  int e = agent_connect_with (in[0], out[0], &cfg, &conn);
  FUZZ_CHECK (e >= 0 && e <= 133);
  if (!e) {
    e = call (conn, req);
    FUZZ_CHECK (e >= 0 && e <= 133);
    agent_disconnect (conn);
  }
  close (out[0]);               /* the agent's side reads EOF, if it waits */
  pthread_join (agent, NULL);
  close (in[0]);
  close (out[1]);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  struct fuzz_input in = fuzz_input (data, size);
  /* The directory asked about is the root's, as in run_client's calls. */
  struct agent_req req = { .op = ops[fuzz_u8 (&in) % (sizeof ops / sizeof ops[0])],
                           .handle = AGENT_ROOT_HANDLE };
  req.size = fuzz_u32 (&in) % AGENT_IO_MAX + 1;
  req.max_bytes = fuzz_u32 (&in) % AGENT_IO_MAX;
  if (req.max_bytes < AGENT_READDIR_MIN)
    req.max_bytes = AGENT_READDIR_MIN;
  req.flags = fuzz_u8 (&in) & (AGENT_READDIR_PLUS | AGENT_READDIR_ATTRS);
  /* What the client's own request says, for the rules to judge by. */
  if (req.op == AGENT_OP_CREATE)
    req.mode = req.flags & 1 ? S_IFDIR | 0755 : S_IFREG | 0644;
  if (req.op == AGENT_OP_LINK)
    req.object = 5;
  if (req.op == AGENT_OP_LSEEK)
    req.offset = req.size;      /* where the search starts */
  if (req.op == AGENT_OP_COPY_RANGE)
    req.offset = 4096;          /* where in OUT */
  if (req.op == AGENT_OP_SETATTR) {
    req.offset = req.size;
    req.flags = req.flags & 1 ? AGENT_SET_SIZE : AGENT_SET_MODE;
  }
  run_rules (&req, in.data, in.left);
  run_client (&req, in.data, in.left);
  return 0;
}
