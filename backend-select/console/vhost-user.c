/* vhost-user.c: the device-independent vhost-user back-end (see
 * vhost-user.h).  Messages are read with blocking calls: the front-end
 * sends each one whole and waits for our reply where there is one. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include <linux/virtio_config.h>
#include "backend-select/console/vhost-user.h"
#include "common/message.h"
#include "common/xalloc.h"

/* ---- wire format ---- */
enum {
  VU_GET_FEATURES = 1, VU_SET_FEATURES = 2, VU_SET_OWNER = 3, VU_RESET_OWNER = 4,
  VU_SET_MEM_TABLE = 5, VU_SET_LOG_BASE = 6, VU_SET_LOG_FD = 7,
  VU_SET_VRING_NUM = 8, VU_SET_VRING_ADDR = 9, VU_SET_VRING_BASE = 10,
  VU_GET_VRING_BASE = 11, VU_SET_VRING_KICK = 12, VU_SET_VRING_CALL = 13,
  VU_SET_VRING_ERR = 14, VU_GET_PROTOCOL_FEATURES = 15,
  VU_SET_PROTOCOL_FEATURES = 16, VU_GET_QUEUE_NUM = 17,
  VU_SET_VRING_ENABLE = 18, VU_SET_SLAVE_REQ_FD = 21,
  VU_GET_CONFIG = 24, VU_SET_CONFIG = 25,
};
#define VU_FLAG_VERSION 0x1u
#define VU_FLAG_REPLY 0x4u
#define VU_FLAG_NEED_REPLY 0x8u
#define VU_F_PROTOCOL_FEATURES 30
#define VU_PROTO_F_SLAVE_REQ 5
#define VU_PROTO_F_CONFIG 9
#define VU_VRING_IDX_MASK 0xffu
#define VU_VRING_NOFD 0x100u
#define VU_MAX_FDS 8
#define VU_CONFIG_MAX 256

struct vu_hdr { uint32_t request, flags, size; } __attribute__ ((packed));
struct vu_region { uint64_t guest_addr, size, user_addr, mmap_offset; };
struct vu_msg {
  struct vu_hdr h;
  union {
    uint64_t u64;
    struct { uint32_t index, num; } state;
    struct { uint32_t index, flags; uint64_t desc, used, avail, log; } addr;
    struct { uint32_t num, pad; struct vu_region r[VQ_MAX_REGIONS]; } mem;
    struct { uint32_t offset, size, flags; uint8_t data[VU_CONFIG_MAX]; } cfg;
    uint8_t raw[4096];
  } p;
} __attribute__ ((packed));
#define VU_CONFIG_HDR 12        /* offset, size, flags before the data */
/* the region count and padding before SET_MEM_TABLE's regions */
#define VU_MEM_TABLE_HDR (offsetof (struct vu_msg, p.mem.r) - offsetof (struct vu_msg, p))

static const char *request_name (uint32_t req);

void
vu_log (const struct vu_server *vu, const char *fmt, ...)
{
  if (!vu->debug)
    return;
  va_list ap;
  va_start (ap, fmt);
  error_vprint (fmt, ap);
  va_end (ap);
}

void
vu_init (struct vu_server *vu, int fd, const struct vu_device_ops *ops,
         void *dev, bool debug)
{
  *vu = (struct vu_server) { .fd = fd, .ops = ops, .dev = dev, .debug = debug,
                             .slave_fd = -1 };
  for (unsigned i = 0; i < VU_MAX_QUEUES; i++)
    vq_init (&vu->queues[i], &vu->mem);
}

static void
unmap_memory (struct vu_server *vu)
{
  for (int i = 0; i < vu->mem.n_regions; i++)
    munmap (vu->map_base[i], vu->map_len[i]);
  vu->mem.n_regions = 0;
}

static void
replace_fd (int *slot, int fd)
{
  if (*slot >= 0)
    close (*slot);
  *slot = fd;
}

void
vu_close (struct vu_server *vu)
{
  for (unsigned i = 0; i < VU_MAX_QUEUES; i++) {
    replace_fd (&vu->queues[i].kick_fd, -1);
    replace_fd (&vu->queues[i].call_fd, -1);
  }
  unmap_memory (vu);
  replace_fd (&vu->slave_fd, -1);
  replace_fd (&vu->fd, -1);
}

/* Returns 1, 0 on end of file before a message, -1 with errno set
 * (EPROTO for a malformed message). */
static int
recv_msg (int fd, struct vu_msg *m, int *fds, int *nfds)
{
  char cbuf[CMSG_SPACE (VU_MAX_FDS * sizeof (int))];
  struct iovec iov = { &m->h, sizeof m->h };
  struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf,
                       .msg_controllen = sizeof cbuf };
  ssize_t r;
  *nfds = 0;
  do
    r = recvmsg (fd, &mh, MSG_CMSG_CLOEXEC | MSG_WAITALL);
  while (r < 0 && errno == EINTR);
  if (r == 0 || (r < 0 && errno == ECONNRESET))
    return 0;
  if (r < 0)
    return -1;
  for (struct cmsghdr *c = CMSG_FIRSTHDR (&mh); c; c = CMSG_NXTHDR (&mh, c))
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
      int n = (c->cmsg_len - CMSG_LEN (0)) / sizeof (int);
      memcpy (fds + *nfds, CMSG_DATA (c), n * sizeof (int));
      *nfds += n;
    }
  if ((size_t) r != sizeof m->h || (mh.msg_flags & MSG_CTRUNC) || m->h.size > sizeof m->p) {
    errno = EPROTO;
    return -1;
  }
  size_t got = 0;
  while (got < m->h.size) {
    r = read (fd, m->p.raw + got, m->h.size - got);
    if (r < 0 && errno == EINTR)
      continue;
    if (r <= 0) {
      if (r == 0)
        errno = EPROTO;
      return -1;
    }
    got += r;
  }
  return 1;
}

static int
send_reply (struct vu_server *vu, struct vu_msg *m, uint32_t size, char **err)
{
  m->h.flags = VU_FLAG_VERSION | VU_FLAG_REPLY;
  m->h.size = size;
  size_t len = sizeof m->h + size;
  ssize_t w;
  do
    w = write (vu->fd, m, len);
  while (w < 0 && errno == EINTR);
  if (w != (ssize_t) len)
    return error_set (err, "vhost-user reply: %s", w < 0 ? strerror (errno) : "short write");
  return 0;
}

static int
reply_u64 (struct vu_server *vu, struct vu_msg *m, uint64_t value, char **err)
{
  m->p.u64 = value;
  return send_reply (vu, m, sizeof m->p.u64, err);
}

/* Whether SIZE bytes from OFFSET lie inside the file FD.  mmap maps a
 * range past the end of a file all the same, and the first access there
 * is a SIGBUS; only regular files have an end (a device's memory does not
 * shrink).  Returns 1, 0, or -1 with errno set. */
static int
region_in_file (int fd, uint64_t offset, uint64_t size)
{
  struct stat st;
  if (fstat (fd, &st) < 0)
    return -1;
  if (!S_ISREG (st.st_mode))
    return 1;
  uint64_t file_size = (uint64_t) st.st_size;
  return offset <= file_size && size <= file_size - offset;
}

static int
map_regions (struct vu_server *vu, struct vu_msg *m, int *fds, int nfds, char **err)
{
  if (m->p.mem.num > VQ_MAX_REGIONS || m->p.mem.num > (uint32_t) nfds)
    return error_set (err, "vhost-user SET_MEM_TABLE: %u regions, %d fds",
                      m->p.mem.num, nfds);
  if (m->h.size < VU_MEM_TABLE_HDR + m->p.mem.num * sizeof (struct vu_region))
    return error_set (err, "vhost-user SET_MEM_TABLE: %u regions in %u bytes",
                      m->p.mem.num, m->h.size);
  long page = sysconf (_SC_PAGESIZE);
  for (uint32_t i = 0; i < m->p.mem.num; i++) {
    struct vu_region region;        /* copied: the message is packed */
    memcpy (&region, &m->p.mem.r[i], sizeof region);
    const struct vu_region *r = &region;
    /* mmap needs a page-aligned offset; map from the page start */
    uint64_t adj = r->mmap_offset % page;
    /* every address in the region, and the mapping's length, must be
     * representable: the translation trusts the size we map */
    if (r->size == 0 || r->size > SIZE_MAX - adj
        || r->guest_addr + (r->size - 1) < r->guest_addr
        || r->user_addr + (r->size - 1) < r->user_addr)
      return error_set (err, "vhost-user SET_MEM_TABLE: region %u (gpa 0x%llx, uva 0x%llx, "
                        "size 0x%llx, offset 0x%llx) wraps around", i,
                        (unsigned long long) r->guest_addr, (unsigned long long) r->user_addr,
                        (unsigned long long) r->size, (unsigned long long) r->mmap_offset);
    int inside = region_in_file (fds[i], r->mmap_offset, r->size);
    if (inside < 0)
      return error_set (err, "vhost-user SET_MEM_TABLE: region %u: %m", i);
    if (!inside)
      return error_set (err, "vhost-user SET_MEM_TABLE: region %u (size 0x%llx at offset "
                        "0x%llx) goes past the end of its file", i,
                        (unsigned long long) r->size, (unsigned long long) r->mmap_offset);
    size_t len = r->size + adj;
    void *p = mmap (NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fds[i],
                    r->mmap_offset - adj);
    vu_log (vu, "  region %u: gpa 0x%llx size 0x%llx uva 0x%llx offset 0x%llx", i,
            (unsigned long long) r->guest_addr, (unsigned long long) r->size,
            (unsigned long long) r->user_addr, (unsigned long long) r->mmap_offset);
    if (p == MAP_FAILED)
      return error_set (err, "mapping guest memory (%llu bytes): %m",
                        (unsigned long long) r->size);
    vu->map_base[i] = p;
    vu->map_len[i] = len;
    vu->mem.regions[i] = (struct vq_region) {
      .gpa = r->guest_addr, .uva = r->user_addr, .size = r->size,
      .host = (uint8_t *) p + adj };
    vu->mem.n_regions = i + 1;
  }
  return 0;
}

static int
set_mem_table (struct vu_server *vu, struct vu_msg *m, int *fds, int nfds, char **err)
{
  unmap_memory (vu);
  int r = map_regions (vu, m, fds, nfds, err);
  if (r < 0)
    unmap_memory (vu);          /* a table is taken whole or not at all */
  /* every ring, so that none keeps pointing into the old mappings */
  for (unsigned q = 0; q < vu->ops->n_queues; q++)
    if (vq_resolve (&vu->queues[q]) < 0 && r == 0)
      r = error_set (err, "vhost-user: vring %u is outside the new memory table", q);
  return r;
}

/* ---- requests ----
 * One handler per request, as in libvhost-user: each returns 1 when it
 * sent the reply, 0 when it sent none (vu_handle_message then sends the
 * acknowledgement a front-end asked for with NEED_REPLY), -1 with *ERR
 * set.  A handler that keeps one of FDS sets its slot to -1. */
typedef int request_handler (struct vu_server *vu, struct vu_msg *m, int *fds, int nfds,
                             char **err);

static int
get_features (struct vu_server *vu, struct vu_msg *m, int *fds, int nfds, char **err)
{
  uint64_t features = vu->ops->features | (1ULL << VIRTIO_F_VERSION_1)
                      | (1ULL << VU_F_PROTOCOL_FEATURES);
  return reply_u64 (vu, m, features, err) < 0 ? -1 : 1;
}

static int
set_features (struct vu_server *vu, struct vu_msg *m, int *fds, int nfds, char **err)
{
  vu->features = m->p.u64;
  vu_log (vu, "  features 0x%llx", (unsigned long long) vu->features);
  return 0;
}

static int
get_protocol_features (struct vu_server *vu, struct vu_msg *m, int *fds, int nfds,
                       char **err)
{
  /* SLAVE_REQ although we never send a request on that channel: UML 6.1
   * allocates the device's IRQ only while setting up the slave request
   * channel; without it the vring call fds land on IRQ 0 (the timer) and
   * the driver's find_vqs fails with -EBUSY. */
  uint64_t features = (1ULL << VU_PROTO_F_CONFIG) | (1ULL << VU_PROTO_F_SLAVE_REQ);
  return reply_u64 (vu, m, features, err) < 0 ? -1 : 1;
}

static int
set_protocol_features (struct vu_server *vu, struct vu_msg *m, int *fds, int nfds,
                       char **err)
{
  vu->protocol_features = m->p.u64;
  vu_log (vu, "  protocol features 0x%llx", (unsigned long long) vu->protocol_features);
  return 0;
}

/* SET_OWNER, RESET_OWNER, and SET_CONFIG: nothing in our config space is
 * writable. */
static int
nothing_to_do (struct vu_server *vu, struct vu_msg *m, int *fds, int nfds, char **err)
{
  return 0;
}

static int
get_queue_num (struct vu_server *vu, struct vu_msg *m, int *fds, int nfds, char **err)
{
  return reply_u64 (vu, m, vu->ops->n_queues, err) < 0 ? -1 : 1;
}

static int
get_config (struct vu_server *vu, struct vu_msg *m, int *fds, int nfds, char **err)
{
  /* UML drops a reply (-EPROTO) unless its size is the request's: the
   * 12-byte config header plus exactly the size asked for */
  uint32_t offset = m->p.cfg.offset, size = m->p.cfg.size;
  vu_log (vu, "  config offset %u size %u", offset, size);
  if (size > VU_CONFIG_MAX || m->h.size != VU_CONFIG_HDR + size)
    return error_set (err, "vhost-user GET_CONFIG: bad size %u", size);
  memset (m->p.cfg.data, 0, size);
  vu->ops->get_config (vu->dev, offset, m->p.cfg.data, size);
  return send_reply (vu, m, VU_CONFIG_HDR + size, err) < 0 ? -1 : 1;
}

static int
set_slave_req_fd (struct vu_server *vu, struct vu_msg *m, int *fds, int nfds, char **err)
{
  /* Keep it open although we never write to it: closing it would make
   * UML read end of file on its end and break the device. */
  if (nfds > 0) {
    replace_fd (&vu->slave_fd, fds[0]);
    fds[0] = -1;
  }
  return 0;
}

/* The requests for one ring, whose payload starts with its index, get
 * the ring Q from dispatch, which checks that it exists; they return as
 * request handlers do. */
typedef int vring_handler (struct vu_server *vu, struct vu_msg *m, struct virtqueue *q,
                           char **err);

static unsigned
vring_index (const struct vu_server *vu, const struct virtqueue *q)
{
  return q - vu->queues;
}

static int
vring_resolve (struct vu_server *vu, struct virtqueue *q, char **err)
{
  return vq_resolve (q) < 0
    ? error_set (err, "vhost-user: vring %u is outside guest memory", vring_index (vu, q)) : 0;
}

static int
set_vring_num (struct vu_server *vu, struct vu_msg *m, struct virtqueue *q, char **err)
{
  uint32_t num = m->p.state.num;
  /* a power of two, so that ring positions survive the 16-bit wrap */
  if (num == 0 || num > VQ_MAX_SIZE || (num & (num - 1)))
    return error_set (err, "vhost-user: bad size %u for vring %u", num, vring_index (vu, q));
  q->num = num;
  return vring_resolve (vu, q, err);
}

static int
set_vring_addr (struct vu_server *vu, struct vu_msg *m, struct virtqueue *q, char **err)
{
  q->desc_uva = m->p.addr.desc;
  q->avail_uva = m->p.addr.avail;
  q->used_uva = m->p.addr.used;
  q->have_addr = true;
  return vring_resolve (vu, q, err);
}

static int
set_vring_base (struct vu_server *vu, struct vu_msg *m, struct virtqueue *q, char **err)
{
  q->last_avail = m->p.state.num;
  return 0;
}

static int
get_vring_base (struct vu_server *vu, struct vu_msg *m, struct virtqueue *q, char **err)
{
  /* the front-end stops the ring and wants to know where we were */
  q->enabled = false;
  q->have_addr = false;
  vq_resolve (q);
  replace_fd (&q->kick_fd, -1);
  if (vu->ops->stopped)
    vu->ops->stopped (vu->dev, vring_index (vu, q));
  m->p.state.num = q->last_avail;
  return send_reply (vu, m, sizeof m->p.state, err) < 0 ? -1 : 1;
}

static int
set_vring_enable (struct vu_server *vu, struct vu_msg *m, struct virtqueue *q, char **err)
{
  q->enabled = m->p.state.num != 0;
  if (!q->enabled && vu->ops->stopped)
    vu->ops->stopped (vu->dev, vring_index (vu, q));
  return 0;
}

/* The ring numbered INDEX, or NULL with *ERR set. */
static struct virtqueue *
vring (struct vu_server *vu, uint32_t index, char **err)
{
  if (index >= vu->ops->n_queues) {
    error_set (err, "vhost-user: no vring %u", index);
    return NULL;
  }
  return &vu->queues[index];
}

/* The ring a SET_VRING_KICK, _CALL or _ERR names, and in *FD the fd it
 * brings (taken from FDS), or -1; else NULL with *ERR set. */
static struct virtqueue *
vring_fd (struct vu_server *vu, const struct vu_msg *m, int *fds, int nfds, int *fd,
          char **err)
{
  uint32_t i = m->p.u64 & VU_VRING_IDX_MASK;
  *fd = -1;
  if (!(m->p.u64 & VU_VRING_NOFD)) {
    if (nfds == 0) {
      error_set (err, "vhost-user %s for vring %u: no fd and no NOFD flag",
                 request_name (m->h.request), i);
      return NULL;
    }
    *fd = fds[0];
    fds[0] = -1;
  }
  struct virtqueue *q = vring (vu, i, err);
  if (!q && *fd >= 0)
    close (*fd);
  return q;
}

/* SET_VRING_KICK, _CALL and _ERR get from dispatch their ring Q and the
 * fd, or -1 (NOFD), which they then own; they cannot fail. */
typedef void vring_fd_handler (struct vu_server *vu, struct virtqueue *q, int fd);

static void
set_vring_kick (struct vu_server *vu, struct virtqueue *q, int fd)
{
  replace_fd (&q->kick_fd, fd);
  /* without PROTOCOL_FEATURES a ring starts on its kick fd; with it, on
   * SET_VRING_ENABLE */
  if (!(vu->features & (1ULL << VU_F_PROTOCOL_FEATURES)))
    q->enabled = true;
}

static void
set_vring_call (struct vu_server *vu, struct virtqueue *q, int fd)
{
  /* UML's call fds are pipes: never block on one whose interrupt the
   * guest has not taken yet */
  if (fd >= 0)
    fcntl (fd, F_SETFL, fcntl (fd, F_GETFL) | O_NONBLOCK);
  replace_fd (&q->call_fd, fd);
}

static void
set_vring_err (struct vu_server *vu, struct virtqueue *q, int fd)
{
  if (fd >= 0)                  /* we never report ring errors */
    close (fd);
}

/* What each request is called, the payload bytes its handler reads at
 * least (a message with fewer would have it read what was never sent:
 * the rest of the buffer; SET_MEM_TABLE's regions are checked against
 * its size in map_regions), and its handler, of one of three kinds. */
struct request {
  const char *name;
  uint32_t payload;
  request_handler *handle;
  vring_handler *handle_vring;
  vring_fd_handler *handle_vring_fd;
};

#define REQ(x, payload, handler) [VU_##x] = { #x, payload, .handle = handler }
#define VRING_REQ(x, payload, handler) [VU_##x] = { #x, payload, .handle_vring = handler }
#define VRING_FD_REQ(x, handler) [VU_##x] = { #x, U64, .handle_vring_fd = handler }
#define U64 sizeof ((struct vu_msg *) 0)->p.u64
#define STATE sizeof ((struct vu_msg *) 0)->p.state
#define ADDR sizeof ((struct vu_msg *) 0)->p.addr
static const struct request requests[] = {
  REQ (GET_FEATURES, 0, get_features),
  REQ (SET_FEATURES, U64, set_features),
  REQ (SET_OWNER, 0, nothing_to_do),
  REQ (RESET_OWNER, 0, nothing_to_do),
  REQ (SET_MEM_TABLE, VU_MEM_TABLE_HDR, set_mem_table),
  REQ (SET_LOG_BASE, 0, NULL),
  REQ (SET_LOG_FD, 0, NULL),
  VRING_REQ (SET_VRING_NUM, STATE, set_vring_num),
  VRING_REQ (SET_VRING_ADDR, ADDR, set_vring_addr),
  VRING_REQ (SET_VRING_BASE, STATE, set_vring_base),
  VRING_REQ (GET_VRING_BASE, STATE, get_vring_base),
  VRING_FD_REQ (SET_VRING_KICK, set_vring_kick),
  VRING_FD_REQ (SET_VRING_CALL, set_vring_call),
  VRING_FD_REQ (SET_VRING_ERR, set_vring_err),
  REQ (GET_PROTOCOL_FEATURES, 0, get_protocol_features),
  REQ (SET_PROTOCOL_FEATURES, U64, set_protocol_features),
  REQ (GET_QUEUE_NUM, 0, get_queue_num),
  VRING_REQ (SET_VRING_ENABLE, STATE, set_vring_enable),
  REQ (SET_SLAVE_REQ_FD, 0, set_slave_req_fd),
  REQ (GET_CONFIG, VU_CONFIG_HDR, get_config),
  REQ (SET_CONFIG, 0, nothing_to_do),
};
#undef ADDR
#undef STATE
#undef U64
#undef VRING_FD_REQ
#undef VRING_REQ
#undef REQ

/* REQ's entry; one with neither name nor handler if we do not know it. */
static const struct request *
request_of (uint32_t req)
{
  static const struct request unknown = { .name = NULL };
  return req < ARRAY_SIZE (requests) ? &requests[req] : &unknown;
}

static const char *
request_name (uint32_t req)
{
  const char *name = request_of (req)->name;
  return name ? name : "?";
}

/* Handles M; returns 1 if a reply was sent, 0 if none was, -1 with *ERR
 * set. */
static int
dispatch (struct vu_server *vu, struct vu_msg *m, int *fds, int nfds, char **err)
{
  const struct request *r = request_of (m->h.request);
  if (m->h.size < r->payload)
    return error_set (err, "vhost-user %s: payload of %u bytes, %u needed",
                      request_name (m->h.request), m->h.size, r->payload);
  if (r->handle)
    return r->handle (vu, m, fds, nfds, err);
  if (r->handle_vring) {
    /* state.index, or addr.index: the same bytes */
    struct virtqueue *q = vring (vu, m->p.state.index, err);
    return q ? r->handle_vring (vu, m, q, err) : -1;
  }
  if (r->handle_vring_fd) {
    int fd;
    struct virtqueue *q = vring_fd (vu, m, fds, nfds, &fd, err);
    if (!q)
      return -1;
    r->handle_vring_fd (vu, q, fd);
    return 0;
  }
  vu_log (vu, "  not handled");
  return 0;
}

int
vu_handle_message (struct vu_server *vu, char **err)
{
  struct vu_msg m;
  int fds[VU_MAX_FDS], nfds;
  int r = recv_msg (vu->fd, &m, fds, &nfds);
  if (r == 0)
    return 0;
  if (r < 0) {
    for (int k = 0; k < nfds; k++)
      close (fds[k]);
    return error_set (err, "vhost-user connection: %m");
  }
  uint32_t req = m.h.request;
  bool need_reply = m.h.flags & VU_FLAG_NEED_REPLY;
  vu_log (vu, "vhost-user %s (%u) size %u fds %d", request_name (req), req, m.h.size, nfds);

  r = dispatch (vu, &m, fds, nfds, err);
  for (int k = 0; k < nfds; k++)        /* fds the request did not keep */
    if (fds[k] >= 0)
      close (fds[k]);
  if (r < 0)
    return -1;
  /* REPLY_ACK is not offered, so a front-end should not ask; answer
   * success anyway rather than leave it waiting */
  if (need_reply && r == 0 && reply_u64 (vu, &m, 0, err) < 0)
    return -1;
  /* a ring may just have become usable, with work already waiting */
  for (unsigned i = 0; i < vu->ops->n_queues; i++)
    if (vq_ready (&vu->queues[i]))
      vu->ops->kicked (vu->dev, i);
  return 1;
}

void
vu_kick (struct vu_server *vu, unsigned index)
{
  uint64_t count;
  /* eventfd: one read clears it, however many kicks there were */
  if (read (vu->queues[index].kick_fd, &count, sizeof count) < 0) {
    /* EAGAIN or a spurious wakeup: look at the ring anyway */
  }
  vu->ops->kicked (vu->dev, index);
}
