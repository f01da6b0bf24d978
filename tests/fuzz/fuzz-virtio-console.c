/* fuzz-virtio-console.c: the virtio console device
 * (backend-select/console/virtio-console.c): its control queues above all (the
 * DEVICE_READY / PORT_READY / PORT_OPEN handshake and the messages it
 * sends back), and the data queues bridged to the channel socket.
 *
 * Guest memory is one malloc'd buffer registered as the only region, at
 * GPA for descriptors and UVA for rings; the four queues have their rings
 * at fixed places in it, data buffers go after them.  Input, little-endian:
 *   u8 log2 of the queue size (mod 9); u8 port name length (the name is
 *   that many 'p's);
 * then operations, each a u8 code (mod 7) and its arguments:
 *   0 CHAIN q nseg, nseg x (u16 offset, u16 len, u8 flags): descriptors
 *     for buffers at GPA + DATA_OFF + offset (device-writable if flags
 *     bit 0), linked, then made available on queue q; no kick
 *   1 CONTROL u32 id, u16 event, u16 value: the guest sends a control
 *     message (a buffer on the control transmit queue, kicked)
 *   2 KICK q: the guest kicks queue q
 *   3 POKE u16 offset, u8 len, bytes: raw writes anywhere in guest memory
 *     (descriptors, ring indices, ...)
 *   4 SEND u8 len, bytes: the host side of the channel writes
 *   5 DRAIN: the host side of the channel reads what is waiting
 *   6 IO u8 revents: the channel socket polled with these events
 * Checks, beyond the sanitizers: the device never says it sent the host
 * more than it took from the guest, nor the guest more than the host
 * sent, never has more control messages pending than it has room for,
 * and once broken moves no data. */
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "backend-select/console/virtio-console.h"
#include "tests/fuzz/target.h"

enum { N_QUEUES = 4, Q_CTL_TX = 3 };
#define MAX_LOG2_NUM 9
#define QUEUE_AREA 8192         /* desc (16 * 256), avail at 4096, used at 5120 */
#define AVAIL_OFF 4096
#define USED_OFF 5120
#define DATA_OFF (N_QUEUES * QUEUE_AREA)
#define GUEST_SIZE 65536
#define GPA 0x40000000ULL
#define UVA 0x7f1200000000ULL
#define MAX_OPS 256
#define CTL_MSG_SIZE 8          /* struct virtio_console_control */

struct rig {
  uint8_t *guest;
  struct vu_server vu;
  struct console con;
  int host_end;                 /* the channel's other end */
  unsigned num;
  uint16_t next_desc[N_QUEUES];
  uint16_t next_ctl_buf;        /* CONTROL's buffers, in the data area */
  uint64_t sent_to_guest, taken_from_guest;
};

static void
rig_open (struct rig *r, unsigned num, const char *port_name)
{
  int sv[2];
  memset (r, 0, sizeof *r);
  r->num = num;
  r->guest = calloc (1, GUEST_SIZE);
  if (!r->guest || socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0, sv) < 0)
    abort ();
  r->host_end = sv[1];
  vu_init (&r->vu, -1, &console_ops, &r->con, false);
  r->vu.mem.n_regions = 1;
  r->vu.mem.regions[0] = (struct vq_region) { .gpa = GPA, .uva = UVA, .size = GUEST_SIZE,
                                              .host = r->guest };
  for (unsigned i = 0; i < N_QUEUES; i++) {
    struct virtqueue *q = &r->vu.queues[i];
    q->num = num;
    q->desc_uva = UVA + i * QUEUE_AREA;
    q->avail_uva = UVA + i * QUEUE_AREA + AVAIL_OFF;
    q->used_uva = UVA + i * QUEUE_AREA + USED_OFF;
    q->have_addr = true;
    FUZZ_CHECK (vq_resolve (q) == 0 && q->desc);
    q->kick_fd = 0;             /* never read: kicks are direct calls */
    q->enabled = true;
  }
  char *err = NULL;
  FUZZ_CHECK (console_init (&r->con, &r->vu, port_name, sv[0], &err) == 0);
}

static void
rig_close (struct rig *r)
{
  if (r->con.chan_fd >= 0)
    close (r->con.chan_fd);
  close (r->host_end);
  free (r->guest);
}

/* Makes the chain at HEAD available on queue QI. */
static void
publish (struct rig *r, unsigned qi, uint16_t head)
{
  struct vring_avail *avail = r->vu.queues[qi].avail;
  avail->ring[avail->idx & (r->num - 1)] = head;
  __atomic_store_n (&avail->idx, (uint16_t) (avail->idx + 1), __ATOMIC_RELEASE);
}

static uint16_t
add_desc (struct rig *r, unsigned qi, uint64_t gpa, uint32_t len, uint16_t flags)
{
  uint16_t i = r->next_desc[qi]++ & (r->num - 1);
  r->vu.queues[qi].desc[i] = (struct vring_desc) {
    .addr = gpa, .len = len, .flags = flags, .next = r->next_desc[qi] & (r->num - 1) };
  return i;
}

static void
op_chain (struct rig *r, struct fuzz_input *in)
{
  unsigned qi = fuzz_u8 (in) % N_QUEUES, nseg = 1 + fuzz_u8 (in) % 4;
  uint16_t head = 0;
  for (unsigned k = 0; k < nseg; k++) {
    uint64_t gpa = GPA + DATA_OFF + fuzz_u16 (in);
    uint32_t len = fuzz_u16 (in);
    uint16_t flags = (fuzz_u8 (in) & 1 ? VRING_DESC_F_WRITE : 0)
                     | (k + 1 < nseg ? VRING_DESC_F_NEXT : 0);
    uint16_t i = add_desc (r, qi, gpa, len, flags);
    if (k == 0)
      head = i;
  }
  publish (r, qi, head);
}

static void
op_control (struct rig *r, struct fuzz_input *in)
{
  uint8_t msg[CTL_MSG_SIZE];
  uint32_t id = fuzz_u32 (in);
  uint16_t event = fuzz_u16 (in), value = fuzz_u16 (in);
  memcpy (msg, &id, 4);
  memcpy (msg + 4, &event, 2);
  memcpy (msg + 6, &value, 2);
  /* the last part of the data area, round robin */
  size_t off = GUEST_SIZE - CTL_MSG_SIZE * (1 + r->next_ctl_buf++ % 64);
  memcpy (r->guest + off, msg, sizeof msg);
  publish (r, Q_CTL_TX, add_desc (r, Q_CTL_TX, GPA + off, sizeof msg, 0));
  console_ops.kicked (&r->con, Q_CTL_TX);
}

static void
op_poke (struct rig *r, struct fuzz_input *in)
{
  size_t off = fuzz_u16 (in) % GUEST_SIZE, len = fuzz_u8 (in);
  if (len > GUEST_SIZE - off)
    len = GUEST_SIZE - off;
  fuzz_bytes (in, r->guest + off, len);
}

static void
op_send (struct rig *r, struct fuzz_input *in)
{
  uint8_t buf[256];
  size_t len = fuzz_bytes (in, buf, fuzz_u8 (in));
  ssize_t w = send (r->host_end, buf, len, MSG_NOSIGNAL);
  if (w > 0)
    r->sent_to_guest += (size_t) w;
}

static void
op_drain (struct rig *r)
{
  uint8_t buf[4096];
  ssize_t n;
  while ((n = read (r->host_end, buf, sizeof buf)) > 0)
    r->taken_from_guest += (size_t) n;
}

static void
op_io (struct rig *r, struct fuzz_input *in)
{
  static const short events[] = { POLLIN, POLLOUT, POLLHUP, POLLERR };
  uint8_t bits = fuzz_u8 (in);
  short revents = 0;
  for (unsigned k = 0; k < 4; k++)
    if (bits & (1u << k))
      revents |= events[k];
  if (r->con.chan_fd >= 0)
    (void) console_channel_events (&r->con);
  console_channel_io (&r->con, revents);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  struct fuzz_input in = fuzz_input (data, size);
  struct rig r;
  unsigned num = 1u << (fuzz_u8 (&in) % MAX_LOG2_NUM);
  char port_name[CONSOLE_NAME_MAX + 1];
  size_t name_len = fuzz_u8 (&in);
  memset (port_name, 'p', name_len);
  port_name[name_len] = '\0';
  rig_open (&r, num, port_name);

  uint64_t to_guest_broken = 0, from_guest_broken = 0;
  bool broken = false;
  for (unsigned ops = 0; ops < MAX_OPS && !fuzz_done (&in); ops++) {
    switch (fuzz_u8 (&in) % 7) {
    case 0: op_chain (&r, &in); break;
    case 1: op_control (&r, &in); break;
    case 2: console_ops.kicked (&r.con, fuzz_u8 (&in) % N_QUEUES); break;
    case 3: op_poke (&r, &in); break;
    case 4: op_send (&r, &in); break;
    case 5: op_drain (&r); break;
    case 6: op_io (&r, &in); break;
    }
    FUZZ_CHECK (r.con.ctl_count >= 0 && r.con.ctl_count <= CONSOLE_CTL_SLOTS);
    FUZZ_CHECK (r.con.to_guest <= r.sent_to_guest);
    FUZZ_CHECK (r.taken_from_guest <= r.con.from_guest);
    if (r.con.broken && !broken) {
      broken = true;
      to_guest_broken = r.con.to_guest;
      from_guest_broken = r.con.from_guest;
    }
    FUZZ_CHECK (!broken || (r.con.to_guest == to_guest_broken
                            && r.con.from_guest == from_guest_broken));
  }
  rig_close (&r);
  return 0;
}
