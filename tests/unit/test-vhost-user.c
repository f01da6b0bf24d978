/* test-vhost-user.c: the vhost-user protocol server driven through a
 * socketpair, as a front-end would: real messages, real fds passed with
 * SCM_RIGHTS (a memfd as guest memory, eventfds and pipes for kick and
 * call).  Mostly malformed input: short headers and payloads, memory tables
 * with missing fds or regions that wrap, vrings of a bad size or outside
 * guest memory, vring fds missing, config reads of a bad size, unknown
 * requests.  The server must reject what is wrong with -1 and a message
 * (its caller then drops the connection), close every fd it does not keep,
 * and never read outside what it was sent or mapped (ASan, valgrind). */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>
#include "backend-select/console/vhost-user.h"
#include "tests/unit/check.h"
#include "tests/unit/front-end.h"

/* the wire format (qemu docs/interop/vhost-user.rst) */
enum {
  GET_FEATURES = 1, SET_FEATURES = 2, SET_OWNER = 3, SET_MEM_TABLE = 5,
  SET_LOG_BASE = 6, SET_VRING_NUM = 8, SET_VRING_ADDR = 9, SET_VRING_BASE = 10,
  GET_VRING_BASE = 11, SET_VRING_KICK = 12, SET_VRING_CALL = 13, SET_VRING_ERR = 14,
  GET_PROTOCOL_FEATURES = 15, GET_QUEUE_NUM = 17, SET_VRING_ENABLE = 18,
  SET_SLAVE_REQ_FD = 21, GET_CONFIG = 24,
};
#define F_VERSION 0x1u
#define F_REPLY 0x4u
#define F_NEED_REPLY 0x8u
#define NOFD 0x100u

struct hdr { uint32_t request, flags, size; };
struct region { uint64_t gpa, size, uva, offset; };
struct mem_payload { uint32_t num, pad; struct region r[9]; };
struct addr_payload { uint32_t index, flags; uint64_t desc, used, avail, log; };

/* guest memory: one memfd, seen by the guest at GPA and by the front-end
 * at UVA */
#define MEM_SIZE 65536
#define GPA 0x100000ULL
#define UVA 0x7f0000000000ULL

/* ---- the test device ---- */

struct testdev {
  unsigned kicks[VU_MAX_QUEUES];
  unsigned stops[VU_MAX_QUEUES];
  uint32_t cfg_offset, cfg_size;
};

static void
dev_get_config (void *dev, uint32_t offset, uint8_t *buf, uint32_t size)
{
  struct testdev *d = dev;
  d->cfg_offset = offset;
  d->cfg_size = size;
  for (uint32_t i = 0; i < size; i++)
    buf[i] = (uint8_t) (0xa0 + offset + i);
}

static void
dev_kicked (void *dev, unsigned index)
{
  struct testdev *d = dev;
  d->kicks[index]++;
}

static void
dev_stopped (void *dev, unsigned index)
{
  struct testdev *d = dev;
  d->stops[index]++;
}

static const struct vu_device_ops test_ops = {
  .features = 1ULL << 3,
  .n_queues = 2,
  .get_config = dev_get_config,
  .kicked = dev_kicked,
  .stopped = dev_stopped,
};

/* ---- the connection ---- */

struct conn {
  struct vu_server vu;
  struct testdev dev;
  int peer;                     /* the front-end's end */
  int memfd;
};

static char last_err[512];

static void
conn_open (struct conn *c)
{
  int sv[2];
  CHECK (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == 0);
  memset (&c->dev, 0, sizeof c->dev);
  vu_init (&c->vu, sv[0], &test_ops, &c->dev, false);
  c->peer = sv[1];
  c->memfd = memfd_create ("guest", MFD_CLOEXEC);
  CHECK (c->memfd >= 0);
  CHECK (ftruncate (c->memfd, MEM_SIZE) == 0);
}

static void
conn_close (struct conn *c)
{
  vu_close (&c->vu);
  close (c->peer);
  close (c->memfd);
}

/* Sends raw bytes, with NFDS fds attached to the first byte. */
static void
send_raw (int sock, const void *buf, size_t len, const int *fds, int nfds)
{
  CHECK (send_with_fds (sock, buf, len, fds, nfds) == (ssize_t) len);
}

/* Sends request REQ with SIZE bytes of PAYLOAD. */
static void
send_msg (struct conn *c, uint32_t req, uint32_t flags, const void *payload,
          uint32_t size, const int *fds, int nfds)
{
  uint8_t buf[4096 + sizeof (struct hdr)];
  struct hdr h = { req, F_VERSION | flags, size };
  memcpy (buf, &h, sizeof h);
  if (size)
    memcpy (buf + sizeof h, payload, size);
  send_raw (c->peer, buf, sizeof h + size, fds, nfds);
}

/* The server handles one message: its return value, with the error kept
 * in last_err. */
static int
handle (struct conn *c)
{
  char *err = NULL;
  int r = vu_handle_message (&c->vu, &err);
  snprintf (last_err, sizeof last_err, "%s", err ? err : "");
  CHECK ((r < 0) == (err != NULL));
  free (err);
  return r;
}

static int
send_and_handle (struct conn *c, uint32_t req, const void *payload, uint32_t size,
                 const int *fds, int nfds)
{
  send_msg (c, req, 0, payload, size, fds, nfds);
  return handle (c);
}

static int
send_u64 (struct conn *c, uint32_t req, uint64_t v, const int *fds, int nfds)
{
  return send_and_handle (c, req, &v, sizeof v, fds, nfds);
}

static int
send_state (struct conn *c, uint32_t req, uint32_t index, uint32_t num)
{
  uint32_t st[2] = { index, num };
  return send_and_handle (c, req, st, sizeof st, NULL, 0);
}

static int
send_addr (struct conn *c, uint32_t index, uint64_t desc, uint64_t avail, uint64_t used)
{
  struct addr_payload a = { index, 0, desc, used, avail, UINT64_MAX };
  return send_and_handle (c, SET_VRING_ADDR, &a, sizeof a, NULL, 0);
}

/* A memory table of N regions with NFDS copies of the memfd. */
static int
send_mem (struct conn *c, const struct region *r, uint32_t n, int nfds)
{
  struct mem_payload m = { .num = n };
  int fds[9];
  for (uint32_t i = 0; i < n && i < 9; i++)
    m.r[i] = r[i];
  for (int i = 0; i < nfds; i++)
    fds[i] = c->memfd;
  return send_and_handle (c, SET_MEM_TABLE, &m, 8 + 32 * (n < 9 ? n : 9), fds, nfds);
}

static int
send_good_mem (struct conn *c)
{
  struct region r = { GPA, MEM_SIZE, UVA, 0 };
  return send_mem (c, &r, 1, 1);
}

/* Reads the reply to REQ, checking its header; returns its payload size. */
static uint32_t
read_reply (struct conn *c, uint32_t req, void *payload, size_t max)
{
  struct hdr h;
  CHECK (recv (c->peer, &h, sizeof h, MSG_DONTWAIT | MSG_WAITALL) == sizeof h);
  CHECK (h.request == req);
  CHECK (h.flags == (F_VERSION | F_REPLY));
  CHECK (h.size <= max);
  if (h.size > max)
    return 0;
  CHECK (recv (c->peer, payload, h.size, MSG_DONTWAIT | MSG_WAITALL) == (ssize_t) h.size);
  return h.size;
}

static bool
no_reply (struct conn *c)
{
  char b;
  return recv (c->peer, &b, 1, MSG_DONTWAIT) < 0 && errno == EAGAIN;
}

static uint64_t
reply_u64 (struct conn *c, uint32_t req)
{
  uint64_t v = 0;
  CHECK (read_reply (c, req, &v, sizeof v) == sizeof v);
  return v;
}

/* ---- the tests ---- */

static void
test_replies (void)
{
  struct conn c;
  conn_open (&c);
  send_msg (&c, GET_FEATURES, 0, NULL, 0, NULL, 0);
  CHECK (handle (&c) == 1);
  CHECK (reply_u64 (&c, GET_FEATURES) == ((1ULL << 3) | (1ULL << 32) | (1ULL << 30)));
  send_msg (&c, GET_PROTOCOL_FEATURES, 0, NULL, 0, NULL, 0);
  CHECK (handle (&c) == 1);
  CHECK (reply_u64 (&c, GET_PROTOCOL_FEATURES) == ((1ULL << 9) | (1ULL << 5)));
  send_msg (&c, GET_QUEUE_NUM, 0, NULL, 0, NULL, 0);
  CHECK (handle (&c) == 1);
  CHECK (reply_u64 (&c, GET_QUEUE_NUM) == 2);
  /* requests without a reply send none, unless the front-end asks */
  CHECK (send_u64 (&c, SET_FEATURES, 1ULL << 32, NULL, 0) == 1);
  CHECK (c.vu.features == 1ULL << 32);
  CHECK (no_reply (&c));
  uint64_t v = 0;
  send_msg (&c, SET_OWNER, F_NEED_REPLY, &v, 0, NULL, 0);
  CHECK (handle (&c) == 1);
  CHECK (reply_u64 (&c, SET_OWNER) == 0);
  /* GET_VRING_BASE stops the ring and says where it was */
  CHECK (send_state (&c, SET_VRING_BASE, 1, 70000) == 1);
  CHECK (c.vu.queues[1].last_avail == (uint16_t) 70000);
  uint32_t st[2];
  CHECK (send_state (&c, GET_VRING_BASE, 1, 0) == 1);
  CHECK (read_reply (&c, GET_VRING_BASE, st, sizeof st) == sizeof st);
  CHECK (st[0] == 1 && st[1] == (uint16_t) 70000);
  /* the device hears of every stop: a driver being reset */
  CHECK (c.dev.stops[1] == 1 && c.dev.stops[0] == 0);
  CHECK (send_state (&c, SET_VRING_ENABLE, 0, 1) == 1);
  CHECK (c.dev.stops[0] == 0);
  CHECK (send_state (&c, SET_VRING_ENABLE, 0, 0) == 1);
  CHECK (c.dev.stops[0] == 1 && c.dev.stops[1] == 1);
  CHECK (send_state (&c, GET_VRING_BASE, 2, 0) < 0);
  CHECK (strstr (last_err, "no vring 2") != NULL);
  /* the front-end closing is end of file, not an error */
  shutdown (c.peer, SHUT_WR);
  CHECK (handle (&c) == 0);
  conn_close (&c);
}

/* Headers cut short, payloads longer than the buffer or than what came. */
static void
test_bad_framing (void)
{
  struct conn c;
  int before = count_open_fds ();

  conn_open (&c);
  struct hdr h = { GET_FEATURES, F_VERSION, 0 };
  send_raw (c.peer, &h, 5, NULL, 0);
  shutdown (c.peer, SHUT_WR);
  CHECK (handle (&c) < 0);
  CHECK (strstr (last_err, "vhost-user connection") != NULL);
  conn_close (&c);

  /* a payload larger than any request's: refused before reading it */
  conn_open (&c);
  uint8_t big[sizeof h + 64] = { 0 };
  h = (struct hdr) { SET_FEATURES, F_VERSION, 4097 };
  send_raw (c.peer, &h, sizeof h, NULL, 0);
  CHECK (handle (&c) < 0);
  h.size = UINT32_MAX;
  send_raw (c.peer, &h, sizeof h, NULL, 0);
  CHECK (handle (&c) < 0);
  conn_close (&c);

  /* a payload shorter than announced, then end of file */
  conn_open (&c);
  h = (struct hdr) { SET_FEATURES, F_VERSION, 8 };
  memcpy (big, &h, sizeof h);
  send_raw (c.peer, big, sizeof h + 4, NULL, 0);
  shutdown (c.peer, SHUT_WR);
  CHECK (handle (&c) < 0);
  conn_close (&c);

  /* more fds than a message may carry: refused, and all closed */
  conn_open (&c);
  int fds[12];
  for (int i = 0; i < 12; i++)
    fds[i] = c.memfd;
  struct mem_payload m = { .num = 1 };
  m.r[0] = (struct region) { GPA, MEM_SIZE, UVA, 0 };
  send_msg (&c, SET_MEM_TABLE, 0, &m, 8 + 32, fds, 12);
  CHECK (handle (&c) < 0);
  CHECK (c.vu.mem.n_regions == 0);
  conn_close (&c);

  CHECK (count_open_fds () == before);
}

/* Payloads too short for the request's fields: nothing may be read past
 * what came (valgrind: uninitialised values), and the request is refused. */
static void
test_short_payloads (void)
{
  struct conn c;
  int before = count_open_fds ();
  conn_open (&c);
  uint8_t zero[64] = { 0 };
  CHECK (send_and_handle (&c, SET_VRING_NUM, zero, 0, NULL, 0) < 0);
  CHECK (send_and_handle (&c, SET_VRING_NUM, zero, 4, NULL, 0) < 0);
  CHECK (send_and_handle (&c, SET_VRING_ADDR, zero, 8, NULL, 0) < 0);
  CHECK (send_and_handle (&c, SET_FEATURES, zero, 4, NULL, 0) < 0);
  CHECK (send_and_handle (&c, SET_VRING_KICK, zero, 0, NULL, 0) < 0);
  CHECK (send_and_handle (&c, GET_CONFIG, zero, 0, NULL, 0) < 0);
  CHECK (send_and_handle (&c, SET_MEM_TABLE, zero, 4, NULL, 0) < 0);
  /* two regions announced, room for one sent */
  struct mem_payload m = { .num = 2 };
  m.r[0] = (struct region) { GPA, MEM_SIZE, UVA, 0 };
  int fds[2] = { c.memfd, c.memfd };
  CHECK (send_and_handle (&c, SET_MEM_TABLE, &m, 8 + 32, fds, 2) < 0);
  CHECK (c.vu.mem.n_regions == 0);
  CHECK (no_reply (&c));
  /* UML's table is sized for two regions whatever it uses: that is fine */
  m.num = 1;
  CHECK (send_and_handle (&c, SET_MEM_TABLE, &m, 8 + 2 * 32, fds, 1) == 1);
  CHECK (c.vu.mem.n_regions == 1);
  /* no payload at all where none is read */
  CHECK (send_and_handle (&c, SET_OWNER, NULL, 0, NULL, 0) == 1);
  CHECK (send_and_handle (&c, SET_SLAVE_REQ_FD, NULL, 0, fds, 1) == 1);
  CHECK (c.vu.slave_fd >= 0);
  conn_close (&c);
  CHECK (count_open_fds () == before);
}

static void
test_mem_table (void)
{
  struct conn c;
  int before = count_open_fds ();
  conn_open (&c);
  static const char hello[] = "guest memory";
  CHECK (pwrite (c.memfd, hello, sizeof hello, 4096 + 100) == sizeof hello);

  /* a good table, at an offset that is not page-aligned */
  struct region r = { GPA, MEM_SIZE - 8192, UVA, 4096 + 100 };
  CHECK (send_mem (&c, &r, 1, 1) == 1);
  CHECK (c.vu.mem.n_regions == 1);
  CHECK (memcmp (vq_gpa_to_host (&c.vu.mem, GPA, sizeof hello), hello, sizeof hello) == 0);
  CHECK (vq_uva_to_host (&c.vu.mem, UVA, sizeof hello) == c.vu.mem.regions[0].host);
  CHECK (vq_gpa_to_host (&c.vu.mem, GPA + MEM_SIZE - 8192, 1) == NULL);

  /* regions without an fd: none, or fewer fds than regions */
  CHECK (send_mem (&c, &r, 1, 0) < 0);
  CHECK (strstr (last_err, "1 regions, 0 fds") != NULL);
  CHECK (c.vu.mem.n_regions == 0);
  struct region two[2] = { { GPA, 4096, UVA, 0 }, { GPA + 4096, 4096, UVA + 4096, 4096 } };
  CHECK (send_mem (&c, two, 2, 1) < 0);
  CHECK (send_mem (&c, two, 2, 2) == 1);
  CHECK (c.vu.mem.n_regions == 2);
  /* more regions than the table holds */
  struct region nine[9];
  for (int i = 0; i < 9; i++)
    nine[i] = (struct region) { GPA + 4096 * i, 4096, UVA + 4096 * i, 4096 * i };
  CHECK (send_mem (&c, nine, 9, 8) < 0);
  CHECK (c.vu.mem.n_regions == 0);

  /* regions whose end wraps around: guest address, user address */
  r = (struct region) { UINT64_MAX - 4095, 8192, UVA, 0 };
  CHECK (send_mem (&c, &r, 1, 1) < 0);
  CHECK (c.vu.mem.n_regions == 0);
  r = (struct region) { GPA, 8192, UINT64_MAX - 100, 0 };
  CHECK (send_mem (&c, &r, 1, 1) < 0);
  CHECK (c.vu.mem.n_regions == 0);
  /* a size that wraps once the offset's misalignment is added: the
   * mapping would be 4094 bytes for a region of 2^64 - 1 */
  r = (struct region) { 0, UINT64_MAX, 0, 4095 };
  CHECK (send_mem (&c, &r, 1, 1) < 0);
  CHECK (c.vu.mem.n_regions == 0);
  CHECK (vq_gpa_to_host (&c.vu.mem, 1 << 20, 8) == NULL);
  /* empty, and too large to map */
  r = (struct region) { GPA, 0, UVA, 0 };
  CHECK (send_mem (&c, &r, 1, 1) < 0);
  r = (struct region) { GPA, 1ULL << 62, UVA, 0 };
  CHECK (send_mem (&c, &r, 1, 1) < 0);
  /* past the end of the memfd: mmap would map it, and the first access
   * there would be a SIGBUS (found by tests/fuzz/fuzz-vhost-user) */
  r = (struct region) { GPA, 2 * MEM_SIZE, UVA, 0 };
  CHECK (send_mem (&c, &r, 1, 1) < 0);
  CHECK (strstr (last_err, "past the end") != NULL);
  r = (struct region) { GPA, MEM_SIZE - 4096, UVA, 8192 };
  CHECK (send_mem (&c, &r, 1, 1) < 0);
  r = (struct region) { GPA, 4096, UVA, UINT64_MAX - 4095 };
  CHECK (send_mem (&c, &r, 1, 1) < 0);
  CHECK (c.vu.mem.n_regions == 0);
  /* the whole file, to its last byte, is fine */
  r = (struct region) { GPA, MEM_SIZE - 4096, UVA, 4096 };
  CHECK (send_mem (&c, &r, 1, 1) == 1);
  CHECK (c.vu.mem.n_regions == 1);

  /* a refused table leaves no ring pointing at the old memory */
  CHECK (send_good_mem (&c) == 1);
  CHECK (send_state (&c, SET_VRING_NUM, 0, 8) == 1);
  CHECK (send_addr (&c, 0, UVA, UVA + 256, UVA + 512) == 1);
  CHECK (c.vu.queues[0].desc != NULL);
  CHECK (send_mem (&c, two, 2, 1) < 0);
  CHECK (c.vu.queues[0].desc == NULL && c.vu.queues[0].avail == NULL
         && c.vu.queues[0].used == NULL);
  /* a new table the ring does not fit in */
  CHECK (send_good_mem (&c) == 1);
  CHECK (c.vu.queues[0].desc != NULL);
  r = (struct region) { GPA, 4096, UVA + 4096, 0 };
  CHECK (send_mem (&c, &r, 1, 1) < 0);
  CHECK (strstr (last_err, "outside the new memory table") != NULL);
  CHECK (c.vu.queues[0].desc == NULL);

  conn_close (&c);
  CHECK (count_open_fds () == before);
}

static void
test_vring_num_addr (void)
{
  struct conn c;
  conn_open (&c);
  CHECK (send_good_mem (&c) == 1);
  struct virtqueue *q = &c.vu.queues[0];

  /* sizes: a power of two from 1 to 32768 */
  CHECK (send_state (&c, SET_VRING_NUM, 0, 0) < 0);
  CHECK (send_state (&c, SET_VRING_NUM, 0, 3) < 0);
  CHECK (send_state (&c, SET_VRING_NUM, 0, 384) < 0);
  CHECK (send_state (&c, SET_VRING_NUM, 0, 65536) < 0);
  CHECK (send_state (&c, SET_VRING_NUM, 0, UINT32_MAX) < 0);
  CHECK (strstr (last_err, "bad size") != NULL);
  CHECK (q->num == 0);
  CHECK (send_state (&c, SET_VRING_NUM, 2, 8) < 0);
  CHECK (send_state (&c, SET_VRING_NUM, UINT32_MAX, 8) < 0);
  CHECK (strstr (last_err, "no vring") != NULL);
  CHECK (send_state (&c, SET_VRING_NUM, 0, 8) == 1);
  CHECK (q->num == 8);

  /* addresses: each part of the ring inside one region */
  CHECK (send_addr (&c, 0, UVA, UVA + 256, UVA + 512) == 1);
  CHECK ((uint8_t *) q->desc == c.vu.mem.regions[0].host);
  CHECK ((uint8_t *) q->avail == c.vu.mem.regions[0].host + 256);
  CHECK ((uint8_t *) q->used == c.vu.mem.regions[0].host + 512);
  CHECK (send_addr (&c, 0, UVA - 4096, UVA + 256, UVA + 512) < 0);
  CHECK (strstr (last_err, "outside guest memory") != NULL);
  CHECK (q->desc == NULL);
  CHECK (send_addr (&c, 0, UVA, UVA + MEM_SIZE, UVA + 512) < 0);
  /* straddling the end: 6 + 8 * 8 bytes of used ring from 32 before it */
  CHECK (send_addr (&c, 0, UVA, UVA + 256, UVA + MEM_SIZE - 32) < 0);
  /* guest-physical instead of user addresses */
  CHECK (send_addr (&c, 0, GPA, GPA + 256, GPA + 512) < 0);
  CHECK (send_addr (&c, 0, UINT64_MAX - 7, UVA + 256, UVA + 512) < 0);
  /* misaligned rings (16, 2 and 4 bytes) */
  CHECK (send_addr (&c, 0, UVA + 8, UVA + 256, UVA + 512) < 0);
  CHECK (send_addr (&c, 0, UVA, UVA + 257, UVA + 512) < 0);
  CHECK (send_addr (&c, 0, UVA, UVA + 256, UVA + 514) < 0);
  CHECK (q->desc == NULL);
  CHECK (send_addr (&c, 2, UVA, UVA + 256, UVA + 512) < 0);
  CHECK (send_addr (&c, 0, UVA, UVA + 256, UVA + 512) == 1);
  CHECK (q->desc != NULL);

  /* a size the ring no longer fits in at these addresses */
  CHECK (send_addr (&c, 0, UVA + MEM_SIZE - 4096, UVA + 256, UVA + 512) == 1);
  CHECK (send_state (&c, SET_VRING_NUM, 0, 512) < 0);
  CHECK (q->desc == NULL);
  CHECK (no_reply (&c));
  conn_close (&c);
}

static void
test_vring_fds (void)
{
  struct conn c;
  int before = count_open_fds ();
  conn_open (&c);
  struct virtqueue *q = &c.vu.queues[1];
  int efd = eventfd (0, EFD_CLOEXEC);
  int pfd[2];
  CHECK (efd >= 0 && pipe2 (pfd, O_CLOEXEC) == 0);

  /* an fd is required unless NOFD says there is none */
  CHECK (send_u64 (&c, SET_VRING_KICK, 1, NULL, 0) < 0);
  CHECK (q->kick_fd < 0);
  CHECK (send_u64 (&c, SET_VRING_CALL, 1, NULL, 0) < 0);
  CHECK (q->call_fd < 0);
  CHECK (send_u64 (&c, SET_VRING_KICK, 1 | NOFD, NULL, 0) == 1);
  CHECK (q->kick_fd < 0);
  /* with NOFD, an fd sent anyway is closed */
  CHECK (send_u64 (&c, SET_VRING_KICK, 1 | NOFD, &efd, 1) == 1);
  CHECK (q->kick_fd < 0);
  /* no such vring: the fd is closed too */
  CHECK (send_u64 (&c, SET_VRING_KICK, 2, &efd, 1) < 0);
  CHECK (send_u64 (&c, SET_VRING_CALL, 0xff, &pfd[1], 1) < 0);
  CHECK (strstr (last_err, "no vring 255") != NULL);
  /* bits above the index and the flag are ignored */
  CHECK (send_u64 (&c, SET_VRING_ERR, 1 | (1ULL << 40), &efd, 1) == 1);

  /* a call fd is made non-blocking; extra fds are closed */
  int three[3] = { pfd[1], efd, efd };
  CHECK (send_u64 (&c, SET_VRING_CALL, 1, three, 3) == 1);
  CHECK (q->call_fd >= 0 && (fcntl (q->call_fd, F_GETFL) & O_NONBLOCK));

  /* the ring starts on its kick fd (no PROTOCOL_FEATURES): the device is
   * told at once */
  CHECK (send_good_mem (&c) == 1);
  CHECK (send_state (&c, SET_VRING_NUM, 1, 8) == 1);
  CHECK (send_addr (&c, 1, UVA, UVA + 256, UVA + 512) == 1);
  CHECK (c.dev.kicks[1] == 0);
  CHECK (send_u64 (&c, SET_VRING_KICK, 1, &efd, 1) == 1);
  CHECK (q->kick_fd >= 0 && q->enabled && vq_ready (q));
  CHECK (c.dev.kicks[1] == 1 && c.dev.kicks[0] == 0);
  uint64_t one = 1;
  CHECK (write (efd, &one, sizeof one) == sizeof one);
  vu_kick (&c.vu, 1);
  CHECK (c.dev.kicks[1] == 2);
  /* a kick that was never signalled (the read fails) still reaches it */
  vu_kick (&c.vu, 0);
  CHECK (c.dev.kicks[0] == 1);
  CHECK (no_reply (&c));

  close (efd);
  close (pfd[0]);
  close (pfd[1]);
  conn_close (&c);
  CHECK (count_open_fds () == before);
}

static void
test_get_config (void)
{
  struct conn c;
  conn_open (&c);
  struct { uint32_t offset, size, flags; uint8_t data[300]; } cfg = { 0, 4, 0, { 0 } };
  send_msg (&c, GET_CONFIG, F_NEED_REPLY, &cfg, 12 + 4, NULL, 0);
  CHECK (handle (&c) == 1);
  memset (&cfg, 0, sizeof cfg);
  CHECK (read_reply (&c, GET_CONFIG, &cfg, sizeof cfg) == 16);
  CHECK (cfg.offset == 0 && cfg.size == 4);
  CHECK (cfg.data[0] == 0xa0 && cfg.data[3] == 0xa3);
  CHECK (no_reply (&c));        /* NEED_REPLY adds no second reply */

  /* the offset is the device's to check */
  cfg = (typeof (cfg)) { UINT32_MAX, 2, 0, { 0 } };
  CHECK (send_and_handle (&c, GET_CONFIG, &cfg, 12 + 2, NULL, 0) == 1);
  CHECK (c.dev.cfg_offset == UINT32_MAX && c.dev.cfg_size == 2);
  CHECK (read_reply (&c, GET_CONFIG, &cfg, sizeof cfg) == 14);

  /* too large; a size that is not the payload's */
  cfg = (typeof (cfg)) { 0, 257, 0, { 0 } };
  CHECK (send_and_handle (&c, GET_CONFIG, &cfg, 12 + 257, NULL, 0) < 0);
  CHECK (strstr (last_err, "GET_CONFIG: bad size 257") != NULL);
  cfg.size = UINT32_MAX;
  CHECK (send_and_handle (&c, GET_CONFIG, &cfg, 12 + 4, NULL, 0) < 0);
  cfg.size = 8;
  CHECK (send_and_handle (&c, GET_CONFIG, &cfg, 12 + 4, NULL, 0) < 0);
  cfg.size = 4;
  CHECK (send_and_handle (&c, GET_CONFIG, &cfg, 12 + 8, NULL, 0) < 0);
  CHECK (no_reply (&c));
  conn_close (&c);
}

static void
test_unknown_requests (void)
{
  struct conn c;
  int before = count_open_fds ();
  conn_open (&c);
  uint8_t payload[64] = { 1, 2, 3 };
  static const uint32_t reqs[] = { 0, SET_LOG_BASE, 19, 20, 22, 23, 26, 99, 1000,
                                   UINT32_MAX };
  for (size_t i = 0; i < sizeof reqs / sizeof *reqs; i++) {
    CHECK (send_and_handle (&c, reqs[i], payload, sizeof payload, &c.memfd, 1) == 1);
    CHECK (no_reply (&c));
  }
  /* answered with success when a reply is asked for (REPLY_ACK is not
   * offered, so a front-end should not ask) */
  send_msg (&c, 99, F_NEED_REPLY, payload, 0, NULL, 0);
  CHECK (handle (&c) == 1);
  CHECK (reply_u64 (&c, 99) == 0);
  CHECK (no_reply (&c));
  conn_close (&c);
  CHECK (count_open_fds () == before);
}

int
main (void)
{
  alarm (60);                   /* a server blocked on a read fails the test */
  test_replies ();
  test_bad_framing ();
  test_short_payloads ();
  test_mem_table ();
  test_vring_num_addr ();
  test_vring_fds ();
  test_get_config ();
  test_unknown_requests ();
  return CHECK_DONE ();
}
