/* agent-client.c: the host's end of the agent protocol (see the header).
 *
 * Threads: callers take a credit, register their call by id, send under
 * the write lock and wait on their own condition variable; one reader
 * thread reads each reply, finds its call and hands the body over.  The
 * reader reads only what the call it answers could take (a longer body is
 * skipped, its call failed), so the host's memory stays bounded by what it
 * asked.  Whatever loses the stream's step breaks the connection, which
 * wakes everyone and stops the reader. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include "common/cleanup.h"
#include "common/reply-check.h"
#include "common/xalloc.h"
#include "common/clock.h"
#include "fsops/agent-client.h"

#define HEADER_SIZE sizeof (struct agent_header)

struct agent_call {
  uint64_t id;
  struct agent_req req;
  pthread_cond_t done_cv;
  bool done;                    /* the reader handed over a reply */
  bool oversize;                /* ... whose body was skipped */
  struct agent_header reply;
  char *body;                   /* the caller's to free */
  int64_t deadline;             /* for the reply, from the sending */
  bool detached;                /* no caller waits: the reader frees it */
};

struct agent_conn {
  int fd_in, fd_out;
  int stop_fd;                  /* an eventfd: readable once broken */
  bool out_is_socket;
  unsigned timeout_ms;
  uint32_t host_credits;
  struct stat root;

  pthread_mutex_t lock;         /* all below */
  pthread_cond_t credit_cv;
  pthread_condattr_t cv_attr;   /* CLOCK_MONOTONIC, for every wait with a deadline */
  bool broken;
  uint32_t credits, outstanding;
  uint64_t next_id;
  uint64_t changes;             /* agent_changes; atomic, not under LOCK */
  struct agent_call *calls[AGENT_CREDITS_MAX];

  pthread_mutex_t write_lock;   /* one message on the stream at a time */
  pthread_t reader;
  bool reader_started;
};

/* ---- breaking ---- */

/* Every waiter wakes to fail; the reader stops.  Called with LOCK. */
static void
break_locked (struct agent_conn *c)
{
  if (c->broken)
    return;
  c->broken = true;
  for (size_t k = 0; k < AGENT_CREDITS_MAX; k++)
    if (c->calls[k])
      pthread_cond_signal (&c->calls[k]->done_cv);
  pthread_cond_broadcast (&c->credit_cv);
  uint64_t one = 1;
  /* An eventfd's counter cannot overflow from one write. */
  (void) !write (c->stop_fd, &one, sizeof one);
}

static void
break_conn (struct agent_conn *c)
{
  pthread_mutex_lock (&c->lock);
  break_locked (c);
  pthread_mutex_unlock (&c->lock);
}

bool
agent_broken (struct agent_conn *c)
{
  pthread_mutex_lock (&c->lock);
  bool b = c->broken;
  pthread_mutex_unlock (&c->lock);
  return b;
}

/* ---- the call table ---- */

static struct agent_call *
find_call (struct agent_conn *c, uint64_t id)
{
  for (size_t k = 0; k < AGENT_CREDITS_MAX; k++)
    if (c->calls[k] && c->calls[k]->id == id)
      return c->calls[k];
  return NULL;
}

static void
register_call (struct agent_conn *c, struct agent_call *call)
{
  /* A free slot exists: fewer than CREDITS (at most the table's size)
   * are outstanding. */
  for (size_t k = 0; k < AGENT_CREDITS_MAX; k++)
    if (!c->calls[k]) {
      c->calls[k] = call;
      return;
    }
  abort ();
}

/* Its credit is given back: the call is no longer outstanding. */
static void
unregister_call (struct agent_conn *c, struct agent_call *call)
{
  for (size_t k = 0; k < AGENT_CREDITS_MAX; k++)
    if (c->calls[k] == call) {
      c->calls[k] = NULL;
      c->outstanding--;
      pthread_cond_signal (&c->credit_cv);
      return;
    }
}

/* A call no caller waits for, its reply dropped: what FORGET needs (a
 * FORGET that failed gives nothing back, and only leaves the agent holding
 * a handle the host no longer names). */
static void
free_detached (struct agent_call *call)
{
  pthread_cond_destroy (&call->done_cv);
  free (call);
}

/* ---- the reader ---- */

/* Waits for FD_IN to be readable; false once the connection is stopping. */
static bool
wait_readable (struct agent_conn *c)
{
  struct pollfd p[2] = { { .fd = c->fd_in, .events = POLLIN },
                         { .fd = c->stop_fd, .events = POLLIN } };
  while (poll (p, 2, -1) < 0)
    if (errno != EINTR)
      return false;
  return !p[1].revents;
}

/* Reads N bytes into BUF (or discards them, BUF NULL); -1 on EOF, error
 * or stop. */
static int
read_full (struct agent_conn *c, void *buf, size_t n)
{
  char scratch[4096];
  while (n > 0) {
    if (!wait_readable (c))
      return -1;
    char *to = buf ? buf : scratch;
    size_t want = buf || n < sizeof scratch ? n : sizeof scratch;
    ssize_t r = read (c->fd_in, to, want);
    if (r == 0 || (r < 0 && errno != EINTR && errno != EAGAIN))
      return -1;
    if (r > 0) {
      n -= (size_t) r;
      if (buf)
        buf = (char *) buf + r;
    }
  }
  return 0;
}

/* Reads one reply and hands it to its call; -1 when the stream is lost. */
static int
read_reply (struct agent_conn *c)
{
  struct agent_header h;
  if (read_full (c, &h, sizeof h) != 0 || !agent_frame_ok (&h))
    return -1;
  pthread_mutex_lock (&c->lock);
  struct agent_call *call = find_call (c, h.id);
  bool fits = call && call->req.op == h.op;
  size_t max = fits ? agent_reply_body_max (&call->req) : 0;
  pthread_mutex_unlock (&c->lock);
  if (!fits)                    /* an id never sent, or a reply to another op */
    return -1;
  size_t len = h.len - HEADER_SIZE;
  bool oversize = len > max;
  char *body = len && !oversize ? xmalloc (len) : NULL;
  if (read_full (c, body, len) != 0) {
    free (body);
    return -1;
  }
  pthread_mutex_lock (&c->lock);
  /* The caller may have given up meanwhile (a timeout: broken). */
  call = c->broken ? NULL : find_call (c, h.id);
  bool taken = call && !call->detached;
  if (call) {
    unregister_call (c, call);
    call->reply = h;
    call->body = body;
    call->oversize = oversize;
    call->done = true;
    if (call->detached)
      free_detached (call);
    else
      pthread_cond_signal (&call->done_cv);
  }
  pthread_mutex_unlock (&c->lock);
  if (!taken)
    free (body);
  return call ? 0 : -1;
}

static void *
reader_main (void *arg)
{
  struct agent_conn *c = arg;
  while (read_reply (c) == 0)
    ;
  break_conn (c);
  return NULL;
}

/* ---- the writer ---- */

static ssize_t
write_iov (struct agent_conn *c, struct iovec *iov, int n)
{
  if (c->out_is_socket) {
    struct msghdr m = { .msg_iov = iov, .msg_iovlen = (size_t) n };
    return sendmsg (c->fd_out, &m, MSG_NOSIGNAL);
  }
  return writev (c->fd_out, iov, n);
}

/* Writes all of IOV by DEADLINE (ms, monotonic_ms's clock); -1 if not: the
 * stream then holds part of a message, and is lost. */
static int
write_all (struct agent_conn *c, struct iovec *iov, int n, int64_t deadline)
{
  while (n > 0) {
    int64_t left = deadline - monotonic_ms ();
    struct pollfd p = { .fd = c->fd_out, .events = POLLOUT };
    if (left <= 0)
      return -1;
    int r = poll (&p, 1, left > INT32_MAX ? INT32_MAX : (int) left);
    if (r < 0 && errno != EINTR)
      return -1;
    if (r <= 0)
      continue;
    ssize_t w = write_iov (c, iov, n);
    if (w < 0 && errno != EINTR && errno != EAGAIN)
      return -1;
    for (; w > 0; iov++, n--) {
      size_t step = (size_t) w < iov->iov_len ? (size_t) w : iov->iov_len;
      iov->iov_base = (char *) iov->iov_base + step;
      iov->iov_len -= step;
      w -= (ssize_t) step;
      if (iov->iov_len)
        break;
    }
    /* empty pieces (no body, no name) are done without writing */
    for (; n > 0 && iov->iov_len == 0; iov++, n--)
      ;
  }
  return 0;
}

/* ---- a call ---- */

static void
deadline_ts (int64_t deadline, struct timespec *ts)
{
  ts->tv_sec = deadline / 1000;
  ts->tv_nsec = (deadline % 1000) * 1000000;
}

static bool
changes_something (uint16_t op)
{
  switch (op) {
  case AGENT_OP_WRITE: case AGENT_OP_CREATE: case AGENT_OP_SETATTR: case AGENT_OP_REMOVE:
  case AGENT_OP_RENAME: case AGENT_OP_LINK: case AGENT_OP_SETXATTR: case AGENT_OP_REMOVEXATTR:
  case AGENT_OP_FALLOCATE: case AGENT_OP_COPY_RANGE:
    return true;
  default:
    return false;
  }
}

/* Takes a credit and an id for CALL and registers it; EIO if broken. */
static int
start_call (struct agent_conn *c, struct agent_call *call)
{
  struct timespec ts;
  deadline_ts (monotonic_ms () + c->timeout_ms, &ts);
  pthread_mutex_lock (&c->lock);
  /* No credit back for a whole timeout: the agent holds them all, and
   * detached calls have no caller whose timeout would say so. */
  while (!c->broken && c->outstanding >= c->credits)
    if (pthread_cond_timedwait (&c->credit_cv, &c->lock, &ts) == ETIMEDOUT &&
        c->outstanding >= c->credits)
      break_locked (c);
  int e = c->broken ? EIO : 0;
  if (!e) {
    c->outstanding++;
    if (changes_something (call->req.op))
      __atomic_add_fetch (&c->changes, 1, __ATOMIC_RELAXED);
    call->id = c->next_id++;
    register_call (c, call);
  }
  pthread_mutex_unlock (&c->lock);
  return e;
}

/* Waits for CALL's reply until DEADLINE; a timeout breaks the connection
 * (the reply may yet come, and its id could not be told from a lie). */
static int
wait_call (struct agent_conn *c, struct agent_call *call, int64_t deadline)
{
  struct timespec ts;
  deadline_ts (deadline, &ts);
  pthread_mutex_lock (&c->lock);
  while (!call->done && !c->broken)
    if (pthread_cond_timedwait (&call->done_cv, &c->lock, &ts) == ETIMEDOUT && !call->done)
      break_locked (c);
  if (!call->done)
    unregister_call (c, call);
  pthread_mutex_unlock (&c->lock);
  return call->done ? 0 : EIO;
}

/* Takes a credit for CALL (its request REQ of op REQ->op) and sends it,
 * with body BODY (LEN bytes) then NAME (NAME_LEN); finish_call waits for
 * its reply, unless DETACHED (CALL malloc'd, then the reader's to free).
 * EIO when broken: nothing was sent, nothing is to finish, and CALL stays
 * the caller's. */
static int
send_call_as (struct agent_conn *c, struct agent_call *call, bool detached,
              const struct agent_req *req, const void *body, size_t len, const void *name,
              size_t name_len)
{
  *call = (struct agent_call) { .req = *req, .detached = detached };
  pthread_cond_init (&call->done_cv, &c->cv_attr);
  int e = start_call (c, call);
  if (e) {
    pthread_cond_destroy (&call->done_cv);
    return e;
  }
  call->deadline = monotonic_ms () + c->timeout_ms;
  struct agent_header h = { .len = (uint32_t) (HEADER_SIZE + len + name_len),
                            .op = req->op, .id = call->id };
  struct iovec iov[3] = { { &h, sizeof h }, { (void *) body, len }, { (void *) name, name_len } };
  pthread_mutex_lock (&c->write_lock);
  int w = write_all (c, iov, 3, call->deadline);
  pthread_mutex_unlock (&c->write_lock);
  if (w != 0)
    break_conn (c);             /* finish_call then fails */
  return 0;
}

static int
send_call (struct agent_conn *c, struct agent_call *call, const struct agent_req *req,
           const void *body, size_t len, const void *name, size_t name_len)
{
  return send_call_as (c, call, false, req, body, len, name, name_len);
}

/* Waits for the reply to CALL, sent.  On 0, *ERR is the agent's errno (0:
 * success) and *REPLY its body (*LEN_OUT bytes), the caller's to free;
 * else EIO, nothing to free. */
static int
finish_call (struct agent_conn *c, struct agent_call *call, int *err, char **reply,
             size_t *len_out)
{
  *reply = NULL;
  int e = wait_call (c, call, call->deadline);
  pthread_cond_destroy (&call->done_cv);
  if (changes_something (call->req.op))
    __atomic_add_fetch (&c->changes, 1, __ATOMIC_RELAXED);
  if (!e && (call->oversize || agent_reply_check (&call->req, &call->reply, err) != 0))
    e = EIO;
  if (e)
    free (call->body);
  else {
    *reply = call->body;
    *len_out = call->reply.len - HEADER_SIZE;
  }
  return e;
}

/* One request and its reply: send_call, then finish_call. */
static int
call_agent (struct agent_conn *c, const struct agent_req *req,
            const void *body, size_t len, const void *name, size_t name_len,
            int *err, char **reply, size_t *len_out)
{
  struct agent_call call;
  *reply = NULL;
  int e = send_call (c, &call, req, body, len, name, name_len);
  return e ? e : finish_call (c, &call, err, reply, len_out);
}

/* ---- connecting ---- */

static struct agent_conn *
conn_new (int fd_in, int fd_out, const struct agent_config *config)
{
  struct agent_conn *c = xcalloc (1, sizeof *c);
  c->fd_in = fd_in;
  c->fd_out = fd_out;
  int type;
  socklen_t tlen = sizeof type;
  c->out_is_socket = getsockopt (fd_out, SOL_SOCKET, SO_TYPE, &type, &tlen) == 0;
  c->timeout_ms = config && config->timeout_ms ? config->timeout_ms : AGENT_TIMEOUT_MS_DEFAULT;
  c->host_credits = config && config->credits && config->credits < AGENT_CREDITS_MAX
                    ? config->credits : AGENT_CREDITS_MAX;
  c->credits = 1;               /* HELLO alone, until its reply */
  pthread_mutex_init (&c->lock, NULL);
  pthread_mutex_init (&c->write_lock, NULL);
  pthread_condattr_init (&c->cv_attr);
  pthread_condattr_setclock (&c->cv_attr, CLOCK_MONOTONIC);
  pthread_cond_init (&c->credit_cv, &c->cv_attr);
  return c;
}

void
agent_disconnect (struct agent_conn *c)
{
  if (!c)
    return;
  break_conn (c);
  if (c->reader_started)
    pthread_join (c->reader, NULL);
  for (size_t k = 0; k < AGENT_CREDITS_MAX; k++)
    if (c->calls[k] && c->calls[k]->detached)
      free_detached (c->calls[k]);
  if (c->stop_fd >= 0)
    close (c->stop_fd);
  pthread_cond_destroy (&c->credit_cv);
  pthread_condattr_destroy (&c->cv_attr);
  pthread_mutex_destroy (&c->write_lock);
  pthread_mutex_destroy (&c->lock);
  free (c);
}

static int
say_hello (struct agent_conn *c)
{
  struct agent_hello hello = { .magic = AGENT_MAGIC, .version = AGENT_VERSION,
                               .credits = c->host_credits };
  struct agent_req req = { .op = AGENT_OP_HELLO };
  AUTO_FREE char *body = NULL;
  size_t len = 0;
  int err;
  uint32_t credits;
  int e = call_agent (c, &req, &hello, sizeof hello, NULL, 0, &err, &body, &len);
  if (e || err)
    return e ? e : err;
  if (agent_hello_decode (body, len, &credits, &c->root) != 0)
    return EIO;
  pthread_mutex_lock (&c->lock);
  c->credits = credits < c->host_credits ? credits : c->host_credits;
  pthread_cond_broadcast (&c->credit_cv);
  pthread_mutex_unlock (&c->lock);
  return 0;
}

int
agent_connect_with (int fd_in, int fd_out, const struct agent_config *config,
                    struct agent_conn **conn)
{
  int flags = fcntl (fd_out, F_GETFL);
  if (flags < 0 || fcntl (fd_out, F_SETFL, flags | O_NONBLOCK) < 0)
    return errno;
  struct agent_conn *c = conn_new (fd_in, fd_out, config);
  c->stop_fd = eventfd (0, EFD_CLOEXEC | EFD_NONBLOCK);
  int e = c->stop_fd < 0 ? errno : pthread_create (&c->reader, NULL, reader_main, c);
  c->reader_started = !e;
  if (!e)
    e = say_hello (c);
  if (e) {
    agent_disconnect (c);
    return e;
  }
  *conn = c;
  return 0;
}

int
agent_connect (int fd_in, int fd_out, struct agent_conn **conn)
{
  return agent_connect_with (fd_in, fd_out, NULL, conn);
}

uint32_t
agent_credits (struct agent_conn *c)
{
  pthread_mutex_lock (&c->lock);
  uint32_t n = c->credits;
  pthread_mutex_unlock (&c->lock);
  return n;
}

uint64_t
agent_changes (struct agent_conn *c)
{
  /* A count only ever read for "has it moved": no lock needed. */
  return __atomic_load_n (&c->changes, __ATOMIC_RELAXED);
}

void
agent_root_attr (struct agent_conn *c, struct stat *st)
{
  *st = c->root;                /* set before any other thread could ask */
}

/* ---- the operations ---- */

/* call_agent for a request without a name: 0 with the reply's body in
 * *REPLY (the caller's to free), or the call's or the agent's errno with
 * *REPLY NULL. */
static int
call_reply (struct agent_conn *c, const struct agent_req *req, const void *body, size_t len,
            char **reply, size_t *reply_len)
{
  int err;
  int e = call_agent (c, req, body, len, NULL, 0, &err, reply, reply_len);
  if (!e && err) {
    free (*reply);
    *reply = NULL;
  }
  return e ? e : err;
}

/* A call whose reply has no body on success (NOP, SYNC, FSYNC, ...). */
static int
call_empty (struct agent_conn *c, uint16_t op, const void *body, size_t len)
{
  struct agent_req req = { .op = op };
  AUTO_FREE char *reply = NULL;
  size_t got;
  int e = call_reply (c, &req, body, len, &reply, &got);
  return e ? e : got == 0 ? 0 : EIO;
}

int
agent_nop (struct agent_conn *c)
{
  return call_empty (c, AGENT_OP_NOP, NULL, 0);
}

int
agent_sync (struct agent_conn *c)
{
  return call_empty (c, AGENT_OP_SYNC, NULL, 0);
}

int
agent_bye (struct agent_conn *c)
{
  return call_empty (c, AGENT_OP_BYE, NULL, 0);
}

int
agent_reopen (struct agent_conn *c)
{
  int e = agent_bye (c);
  return e ? e : say_hello (c);
}

int
agent_devices (struct agent_conn *c, char **report, size_t *len)
{
  struct agent_req req = { .op = AGENT_OP_DEVICES };
  return call_reply (c, &req, NULL, 0, report, len);
}

int
agent_forget (struct agent_conn *c, uint64_t handle, uint64_t count)
{
  if (handle == 0 || handle == AGENT_ROOT_HANDLE || count == 0)
    return EINVAL;              /* the root is never forgotten */
  struct agent_forget f = { .handle = handle, .count = count };
  struct agent_req req = { .op = AGENT_OP_FORGET };
  struct agent_call *call = xmalloc (sizeof *call);
  int e = send_call_as (c, call, true, &req, &f, sizeof f, NULL, 0);
  if (e)
    free (call);
  return e;
}

int
agent_fsync (struct agent_conn *c, uint64_t handle, bool datasync)
{
  if (handle == 0)
    return EINVAL;
  struct agent_fsync f = { .handle = handle, .datasync = datasync };
  return call_empty (c, AGENT_OP_FSYNC, &f, sizeof f);
}

/* Does ST, the attributes of HANDLE, keep the root's identity rule? */
static int
identity (struct agent_conn *c, uint64_t handle, const struct stat *st)
{
  return agent_identity_ok (c->root.st_dev, c->root.st_ino, handle, st) ? 0 : EIO;
}

/* NAME as LOOKUP, CREATE, REMOVE and RENAME take it: 0, ENAMETOOLONG or
 * EINVAL (nothing is sent then). */
static int
name_arg (const char *name)
{
  if (strlen (name) > AGENT_NAME_MAX)
    return ENAMETOOLONG;  /* a name too long for any directory: the kernel's errno */
  return reply_name_ok (name) ? 0 : EINVAL;
}

/* A call about NAME (checked as name_arg says, and ARGS_OK: the caller's
 * judgement of the other arguments; nothing is sent unless both pass):
 * REQ with BODY, then TAIL (TAIL_LEN bytes: the name, and whatever
 * follows it).  On 0, *REPLY (the caller's to free) and *LEN are the
 * reply's body; else the call's errno, nothing to free. */
static int
call_named (struct agent_conn *c, const char *name, bool args_ok, const struct agent_req *req,
            const void *body, size_t body_len, const void *tail, size_t tail_len,
            char **reply, size_t *len)
{
  int err, e = name_arg (name);
  *reply = NULL;
  if (!e && !args_ok)
    e = EINVAL;
  if (!e)
    e = call_agent (c, req, body, body_len, tail, tail_len, &err, reply, len);
  if (!e && err) {
    free (*reply);
    *reply = NULL;
  }
  return e ? e : err;
}

int
agent_lookup (struct agent_conn *c, uint64_t parent, const char *name,
              uint64_t *handle, struct stat *st)
{
  struct agent_lookup l = { .parent = parent, .namelen = (uint32_t) strlen (name) };
  struct agent_req req = { .op = AGENT_OP_LOOKUP, .handle = parent };
  AUTO_FREE char *reply = NULL;
  size_t len;
  int e = call_named (c, name, parent != 0, &req, &l, sizeof l, name, l.namelen, &reply, &len);
  if (e)
    return e;
  if (agent_entry_decode (&req, reply, len, handle, st) != 0)
    return EIO;
  return identity (c, *handle, st);
}

/* A call on one handle (GETATTR, READLINK, STATFS): its reply's body. */
static int
call_handle (struct agent_conn *c, uint16_t op, uint64_t handle, char **reply, size_t *len)
{
  if (handle == 0)
    return EINVAL;
  struct agent_handle h = { .handle = handle };
  struct agent_req req = { .op = op };
  return call_reply (c, &req, &h, sizeof h, reply, len);
}

int
agent_getattr (struct agent_conn *c, uint64_t handle, struct stat *st)
{
  AUTO_FREE char *reply = NULL;
  size_t len;
  int e = call_handle (c, AGENT_OP_GETATTR, handle, &reply, &len);
  if (e)
    return e;
  if (agent_getattr_decode (reply, len, st) != 0)
    return EIO;
  return identity (c, handle, st);
}

int
agent_readlink (struct agent_conn *c, uint64_t handle, char **target)
{
  AUTO_FREE char *reply = NULL;
  size_t len;
  int e = call_handle (c, AGENT_OP_READLINK, handle, &reply, &len);
  if (e)
    return e;
  char *t = xmalloc (AGENT_LINK_MAX + 1);
  if (agent_readlink_decode (reply, len, t) != 0) {
    free (t);
    return EIO;
  }
  *target = t;
  return 0;
}

int
agent_statfs (struct agent_conn *c, uint64_t handle, struct statvfs *sv)
{
  AUTO_FREE char *reply = NULL;
  size_t len;
  int e = call_handle (c, AGENT_OP_STATFS, handle, &reply, &len);
  if (e)
    return e;
  return agent_statfs_decode (reply, len, sv);
}

int
agent_readdir (struct agent_conn *c, uint64_t handle, uint64_t cookie,
               uint32_t max_bytes, uint32_t flags, struct agent_dirlist *list)
{
  memset (list, 0, sizeof *list);
  if (handle == 0 || max_bytes < AGENT_READDIR_MIN || max_bytes > AGENT_IO_MAX ||
      (flags != 0 && flags != AGENT_READDIR_PLUS && flags != AGENT_READDIR_ATTRS))
    return EINVAL;
  struct agent_readdir r = { .handle = handle, .cookie = cookie, .max_bytes = max_bytes,
                             .flags = flags };
  struct agent_req req = { .op = AGENT_OP_READDIR, .handle = handle, .max_bytes = max_bytes,
                           .flags = flags };
  AUTO_FREE char *reply = NULL;
  size_t len;
  int e = call_reply (c, &req, &r, sizeof r, &reply, &len);
  if (e)
    return e;
  return agent_readdir_decode (&req, reply, len, c->root.st_dev, c->root.st_ino, list);
}

/* CALL's reply, finished: 0 with its body in *REPLY (*LEN bytes), or the
 * errno it failed with. */
static int
finish_reply (struct agent_conn *c, struct agent_call *call, char **reply, size_t *len)
{
  int err;
  *len = 0;
  int e = finish_call (c, call, &err, reply, len);
  return e ? e : err;
}

/* A READ's reply, finished: its bytes copied to BUF (NULL: dropped);
 * *GOT, their count. */
static int
finish_read (struct agent_conn *c, struct agent_call *call, void *buf, size_t *got)
{
  AUTO_FREE char *reply = NULL;
  size_t len;
  int e = finish_reply (c, call, &reply, &len);
  if (e)
    return e;
  if (agent_read_check (&call->req, len) != 0)
    return EIO;
  if (len && buf)
    memcpy (buf, reply, len);
  *got = len;
  return 0;
}

int
agent_read (struct agent_conn *c, uint64_t handle, uint64_t offset, uint32_t size,
            void *buf, size_t *got)
{
  if (size == 0 || size > AGENT_IO_MAX)
    return EINVAL;
  return agent_read_span (c, handle, offset, size, buf, got);
}

int
agent_read_span (struct agent_conn *c, uint64_t handle, uint64_t offset, size_t size,
                 void *buf, size_t *got)
{
  if (handle == 0 || size == 0 || size > AGENT_READ_SPAN_MAX)
    return EINVAL;
  struct agent_call calls[AGENT_READ_SPAN_MAX / AGENT_IO_MAX];
  size_t n = 0, at = 0;
  int e = 0;
  for (; at < size && !e; n++) {
    uint32_t piece = (uint32_t) (size - at > AGENT_IO_MAX ? AGENT_IO_MAX : size - at);
    struct agent_read r = { .handle = handle, .offset = offset + at, .size = piece };
    struct agent_req req = { .op = AGENT_OP_READ, .size = piece };
    e = send_call (c, &calls[n], &req, &r, sizeof r, NULL, 0);
    at += piece;
  }
  if (e)
    n--;                        /* the last was not sent */
  /* Every piece sent is finished (its call lives here); the bytes count
   * up to the first short piece, the end of the file. */
  *got = 0;
  bool ended = false;
  char *p = buf;
  for (size_t k = 0; k < n; k++) {
    size_t len = 0;
    int ek = finish_read (c, &calls[k], ended ? NULL : p + *got, &len);
    if (ended)
      continue;
    if (ek) {
      e = e ? e : ek;
      ended = true;
      continue;
    }
    *got += len;
    ended = len < calls[k].req.size;
  }
  return e;
}

/* A WRITE's reply, finished: the file's attributes into *ST. */
static int
finish_write (struct agent_conn *c, struct agent_call *call, uint64_t handle, struct stat *st)
{
  AUTO_FREE char *reply = NULL;
  size_t len;
  int e = finish_reply (c, call, &reply, &len);
  if (e)
    return e;
  if (agent_write_decode (&call->req, reply, len, st) != 0)
    return EIO;
  return identity (c, handle, st);
}

int
agent_write_span (struct agent_conn *c, uint64_t handle, uint64_t offset, const void *buf,
                  size_t size, struct stat *st)
{
  if (handle == 0 || size == 0 || size > AGENT_WRITE_SPAN_MAX ||
      offset > (uint64_t) INT64_MAX - size)
    return EINVAL;
  struct agent_call calls[AGENT_WRITE_SPAN_MAX / AGENT_IO_MAX];
  size_t n = 0, at = 0;
  int e = 0;
  const char *p = buf;
  for (; at < size && !e; n++) {
    uint32_t piece = (uint32_t) (size - at > AGENT_IO_MAX ? AGENT_IO_MAX : size - at);
    struct agent_write w = { .handle = handle, .offset = offset + at, .size = piece };
    struct agent_req req = { .op = AGENT_OP_WRITE, .offset = offset + at, .size = piece };
    e = send_call (c, &calls[n], &req, &w, sizeof w, p + at, piece);
    at += piece;
  }
  if (e)
    n--;                        /* the last was not sent */
  /* Every piece sent is finished (its call lives here); the agent serves
   * them in order, so the last one's attributes are the file's now. */
  for (size_t k = 0; k < n; k++) {
    int ek = finish_write (c, &calls[k], handle, st);
    e = e ? e : ek;
  }
  return e;
}

int
agent_setattr (struct agent_conn *c, struct agent_setattr set, struct stat *st)
{
  if (set.handle == 0 || (set.valid & ~AGENT_SET_ALL) || set.size > INT64_MAX ||
      set.atime_nsec >= 1000000000u || set.mtime_nsec >= 1000000000u || (set.mode & ~07777u))
    return EINVAL;
  struct agent_req req = { .op = AGENT_OP_SETATTR, .offset = set.size, .flags = set.valid };
  AUTO_FREE char *reply = NULL;
  size_t len;
  int e = call_reply (c, &req, &set, sizeof set, &reply, &len);
  if (e)
    return e;
  if (agent_setattr_decode (&req, reply, len, st) != 0)
    return EIO;
  return identity (c, set.handle, st);
}

int
agent_fallocate (struct agent_conn *c, uint64_t handle, uint32_t mode, uint64_t offset,
                 uint64_t length, struct stat *st)
{
  if (handle == 0 || length == 0 || offset > INT64_MAX || length > INT64_MAX - offset)
    return EINVAL;
  struct agent_fallocate f = { .handle = handle, .offset = offset, .length = length,
                               .mode = mode };
  struct agent_req req = { .op = AGENT_OP_FALLOCATE };
  AUTO_FREE char *reply = NULL;
  size_t len;
  int e = call_reply (c, &req, &f, sizeof f, &reply, &len);
  if (e)
    return e;
  /* A regular file's: sizes are the guest filesystem's business (a
   * collapse shrinks the file, an insert grows it). */
  if (agent_getattr_decode (reply, len, st) != 0 || !S_ISREG (st->st_mode))
    return EIO;
  return identity (c, handle, st);
}

int
agent_lseek (struct agent_conn *c, uint64_t handle, uint64_t offset, int whence, uint64_t *at)
{
  if (handle == 0 || offset > INT64_MAX || (whence != SEEK_DATA && whence != SEEK_HOLE))
    return EINVAL;
  struct agent_lseek l = { .handle = handle, .offset = offset, .whence = (uint32_t) whence };
  struct agent_req req = { .op = AGENT_OP_LSEEK, .offset = offset };
  AUTO_FREE char *reply = NULL;
  size_t len;
  int e = call_reply (c, &req, &l, sizeof l, &reply, &len);
  if (e)
    return e;
  return agent_offset_decode (&req, reply, len, at);
}

int
agent_copy_range (struct agent_conn *c, uint64_t in, uint64_t in_offset, uint64_t out,
                  uint64_t out_offset, uint64_t size, uint64_t *copied, struct stat *st)
{
  if (in == 0 || out == 0 || size == 0 || size > AGENT_COPY_MAX || in_offset > INT64_MAX - size
      || out_offset > INT64_MAX - size)
    return EINVAL;
  struct agent_copy_range r = { .in_handle = in, .in_offset = in_offset, .out_handle = out,
                                .out_offset = out_offset, .size = size };
  struct agent_req req = { .op = AGENT_OP_COPY_RANGE, .handle = out, .offset = out_offset,
                           .size = (uint32_t) size };
  AUTO_FREE char *reply = NULL;
  size_t len;
  int e = call_reply (c, &req, &r, sizeof r, &reply, &len);
  if (e)
    return e;
  e = agent_copied_decode (&req, reply, len, copied, st);
  return e ? e : identity (c, out, st);
}

int
agent_remove (struct agent_conn *c, uint64_t parent, const char *name, bool dir,
              struct stat *parent_st)
{
  struct agent_remove r = { .parent = parent, .namelen = (uint32_t) strlen (name), .dir = dir };
  struct agent_req req = { .op = AGENT_OP_REMOVE, .handle = parent };
  AUTO_FREE char *reply = NULL;
  size_t len;
  int e = call_named (c, name, parent != 0, &req, &r, sizeof r, name, r.namelen, &reply, &len);
  if (e)
    return e;
  if (agent_dir_attr_decode (reply, len, parent_st) != 0)
    return EIO;
  return identity (c, parent, parent_st);
}

int
agent_rename (struct agent_conn *c, uint64_t parent, const char *name, uint64_t newparent,
              const char *newname, uint32_t flags, struct stat *parent_st,
              struct stat *newparent_st)
{
  int e = name_arg (newname);
  if (e)
    return e;
  struct agent_rename r = { .parent = parent, .newparent = newparent, .flags = flags,
                            .namelen = (uint32_t) strlen (name),
                            .newnamelen = (uint32_t) strlen (newname) };
  struct agent_req req = { .op = AGENT_OP_RENAME, .handle = parent };
  AUTO_FREE char *names = xasprintf ("%s%s", name, newname);
  AUTO_FREE char *reply = NULL;
  size_t len;
  bool args_ok = parent && newparent && !(flags & ~AGENT_RENAME_FLAGS);
  e = call_named (c, name, args_ok, &req, &r, sizeof r, names, strlen (names), &reply, &len);
  if (e)
    return e;
  if (agent_renamed_decode (reply, len, parent_st, newparent_st) != 0 ||
      identity (c, parent, parent_st) != 0 || identity (c, newparent, newparent_st) != 0)
    return EIO;
  return 0;
}

int
agent_link (struct agent_conn *c, uint64_t handle, uint64_t newparent, const char *name,
            struct stat *st, struct stat *parent_st)
{
  struct agent_link l = { .handle = handle, .newparent = newparent,
                          .namelen = (uint32_t) strlen (name) };
  struct agent_req req = { .op = AGENT_OP_LINK, .handle = newparent, .object = handle };
  AUTO_FREE char *reply = NULL;
  size_t len;
  int e = call_named (c, name, handle && newparent, &req, &l, sizeof l, name, l.namelen, &reply,
                      &len);
  if (e)
    return e;
  if (agent_linked_decode (&req, reply, len, st, parent_st) != 0 ||
      identity (c, handle, st) != 0 || identity (c, newparent, parent_st) != 0)
    return EIO;
  return 0;
}

/* An xattr call about HANDLE's NAME (NULL: LISTXATTR) with VALUE (SETXATTR).
 * On 0, *REPLY and *LEN as call_named's. */
static int
call_xattr (struct agent_conn *c, uint16_t op, uint64_t handle, const char *name,
            const void *value, size_t size, uint32_t flags, char **reply, size_t *len)
{
  size_t nl = name ? strlen (name) : 0;
  *reply = NULL;
  if (name && nl > AGENT_XATTR_NAME_MAX)
    return ERANGE;              /* as the kernel says of a name too long */
  if (size > AGENT_XATTR_MAX)
    return E2BIG;
  if (handle == 0 || (name && nl == 0))
    return EINVAL;
  struct agent_xattr x = { .handle = handle, .namelen = (uint32_t) nl,
                           .valuelen = (uint32_t) size, .flags = flags };
  struct agent_req req = { .op = op };
  AUTO_FREE char *tail = xmalloc (nl + size + 1);
  memcpy (tail, name ? name : "", nl);
  if (size)
    memcpy (tail + nl, value, size);
  int err, e = call_agent (c, &req, &x, sizeof x, tail, nl + size, &err, reply, len);
  if (!e && err) {
    free (*reply);
    *reply = NULL;
  }
  return e ? e : err;
}

int
agent_getxattr (struct agent_conn *c, uint64_t handle, const char *name, char **value,
                size_t *len)
{
  return call_xattr (c, AGENT_OP_GETXATTR, handle, name, NULL, 0, 0, value, len);
}

int
agent_listxattr (struct agent_conn *c, uint64_t handle, char **names, size_t *len)
{
  int e = call_xattr (c, AGENT_OP_LISTXATTR, handle, NULL, NULL, 0, 0, names, len);
  if (!e && agent_xattr_list_check (*names, *len) != 0) {
    free (*names);
    *names = NULL;
    e = EIO;
  }
  return e;
}

int
agent_setxattr (struct agent_conn *c, uint64_t handle, const char *name, const void *value,
                size_t size, uint32_t flags)
{
  if (flags != 0 && flags != AGENT_XATTR_CREATE && flags != AGENT_XATTR_REPLACE)
    return EINVAL;
  AUTO_FREE char *reply = NULL;
  size_t len;
  return call_xattr (c, AGENT_OP_SETXATTR, handle, name, value, size, flags, &reply, &len);
}

int
agent_removexattr (struct agent_conn *c, uint64_t handle, const char *name)
{
  AUTO_FREE char *reply = NULL;
  size_t len;
  return call_xattr (c, AGENT_OP_REMOVEXATTR, handle, name, NULL, 0, 0, &reply, &len);
}

int
agent_create (struct agent_conn *c, uint64_t parent, const char *name,
              const struct agent_new *what, uint64_t *handle, struct stat *st,
              struct stat *parent_st)
{
  size_t nl = strlen (name), tl = what->target ? strlen (what->target) : 0;
  if (tl > AGENT_LINK_MAX)
    return ENAMETOOLONG;        /* as symlink(2) says of such a target */
  struct agent_create r = { .parent = parent, .rdev = what->rdev, .mode = what->mode,
                            .uid = what->uid, .gid = what->gid, .namelen = (uint32_t) nl,
                            .targetlen = (uint32_t) tl };
  struct agent_req req = { .op = AGENT_OP_CREATE, .handle = parent, .mode = what->mode };
  AUTO_FREE char *tail = xmalloc (nl + tl + 1);
  memcpy (tail, name, nl);
  memcpy (tail + nl, what->target ? what->target : "", tl);
  AUTO_FREE char *reply = NULL;
  size_t len;
  bool args_ok = parent && (tl > 0) == S_ISLNK (what->mode);
  int e = call_named (c, name, args_ok, &req, &r, sizeof r, tail, nl + tl, &reply, &len);
  if (e)
    return e;
  if (agent_created_decode (&req, reply, len, handle, st, parent_st) != 0 ||
      identity (c, *handle, st) != 0 || identity (c, parent, parent_st) != 0)
    return EIO;
  return 0;
}
