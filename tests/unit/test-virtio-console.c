/* test-virtio-console.c: the virtio console device on rings built in
 * ordinary memory mapped at its own address (gpa == uva == host, as in
 * test-virtqueue.c), with a socketpair as the channel.  Mostly what a
 * misbehaving driver sends: unknown control events, events for ports that
 * do not exist, DEVICE_READY twice, control messages cut short, chains
 * that loop, point outside guest memory or go the wrong way, on the
 * control and the data queues.  Buffers at the very end of guest memory
 * make any read or write past what the driver gave an ASan report. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/virtio_console.h>
#include "backend-select/console/virtio-console.h"
#include "tests/unit/check.h"

enum { Q_RX, Q_TX, Q_CTL_RX, Q_CTL_TX, N_QUEUES };
#define NUM 128
#define QUEUE_AREA 4096                 /* per queue: desc, avail, used */
#define DESC_OFF 0
#define AVAIL_OFF 2048
#define USED_OFF 2560
#define DATA_OFF (N_QUEUES * QUEUE_AREA)
#define GUEST_SIZE 65536

static uint8_t guest[GUEST_SIZE] __attribute__ ((aligned (4096)));

static struct vu_server vu;
static struct console con;
static int chan[2];                     /* the console's end, the test's */
static int kick_fd;
static size_t data_next;                /* bump allocator in guest memory */
static unsigned desc_next[N_QUEUES];

static uint64_t
gaddr (size_t off)
{
  return (uint64_t) (uintptr_t) (guest + off);
}

static void
setup (void)
{
  memset (guest, 0, sizeof guest);
  vu_init (&vu, -1, &console_ops, &con, false);
  vu.mem.n_regions = 1;
  vu.mem.regions[0] = (struct vq_region) { .gpa = gaddr (0), .uva = gaddr (0),
                                           .size = sizeof guest, .host = guest };
  kick_fd = eventfd (0, EFD_CLOEXEC);
  CHECK (kick_fd >= 0);
  for (unsigned i = 0; i < N_QUEUES; i++) {
    struct virtqueue *q = &vu.queues[i];
    q->num = NUM;
    q->desc_uva = gaddr (i * QUEUE_AREA + DESC_OFF);
    q->avail_uva = gaddr (i * QUEUE_AREA + AVAIL_OFF);
    q->used_uva = gaddr (i * QUEUE_AREA + USED_OFF);
    q->have_addr = true;
    CHECK (vq_resolve (q) == 0);
    q->kick_fd = kick_fd;
    q->enabled = true;
    desc_next[i] = 0;
  }
  data_next = DATA_OFF;
  CHECK (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, chan) == 0);
  CHECK (fcntl (chan[0], F_SETFL, O_NONBLOCK) == 0);
  CHECK (fcntl (chan[1], F_SETFL, O_NONBLOCK) == 0);
  char *err = NULL;
  CHECK (console_init (&con, &vu, "org.libguestfs.channel.0", chan[0], &err) == 0);
}

static void
teardown (void)
{
  /* not vu_close: the queues share one kick fd and the memory is static */
  close (kick_fd);
  if (con.chan_fd >= 0)
    close (con.chan_fd);
  close (chan[1]);
}

static struct virtqueue *
queue (unsigned qi)
{
  return &vu.queues[qi];
}

static uint8_t *
alloc (size_t len)
{
  uint8_t *p = guest + data_next;
  data_next += (len + 15) & ~(size_t) 15;
  CHECK (data_next <= GUEST_SIZE - 4096);       /* the last page: see end_buf */
  return p;
}

/* An address OFF bytes from the start of guest memory, maybe outside it. */
static const void *
at (int64_t off)
{
  return (const void *) (uintptr_t) (gaddr (0) + (uint64_t) off);
}

/* A buffer ending exactly at the end of guest memory. */
static uint8_t *
end_buf (size_t len)
{
  return guest + GUEST_SIZE - len;
}

/* Adds a descriptor for LEN bytes at P (may be outside guest); returns its index. */
static uint16_t
desc (unsigned qi, const void *p, uint32_t len, uint16_t flags, uint16_t next)
{
  uint16_t i = desc_next[qi]++ % NUM;
  queue (qi)->desc[i] = (struct vring_desc) { .addr = (uint64_t) (uintptr_t) p, .len = len,
                                              .flags = flags, .next = next };
  return i;
}

static void
publish (unsigned qi, uint16_t head)
{
  struct virtqueue *q = queue (qi);
  q->avail->ring[q->avail->idx % NUM] = head;
  q->avail->idx++;
}

static void
kick (unsigned qi)
{
  console_ops.kicked (&con, qi);
}

static uint16_t
used_idx (unsigned qi)
{
  return queue (qi)->used->idx;
}

static struct vring_used_elem
used (unsigned qi, uint16_t k)
{
  return queue (qi)->used->ring[k % NUM];
}

/* The guest sends control message (ID, EVENT, VALUE). */
static void
ctl (uint32_t id, uint16_t event, uint16_t value)
{
  struct virtio_console_control m = { id, event, value };
  uint8_t *p = alloc (sizeof m);
  memcpy (p, &m, sizeof m);
  publish (Q_CTL_TX, desc (Q_CTL_TX, p, sizeof m, 0, 0));
  kick (Q_CTL_TX);
}

/* The guest gives N control receive buffers. */
static void
ctl_buffers (int n)
{
  for (int i = 0; i < n; i++)
    publish (Q_CTL_RX, desc (Q_CTL_RX, alloc (CONSOLE_CTL_SIZE), CONSOLE_CTL_SIZE,
                             VRING_DESC_F_WRITE, 0));
}

/* Checks used entry K of the control receive queue holds EVENT, VALUE. */
static void
check_ctl_rx (uint16_t k, uint16_t event, uint16_t value, const char *name)
{
  struct vring_used_elem e = used (Q_CTL_RX, k);
  struct virtio_console_control m;
  const uint8_t *p = (const uint8_t *) (uintptr_t) queue (Q_CTL_RX)->desc[e.id].addr;
  size_t name_len = name ? strlen (name) : 0;
  CHECK (e.len == sizeof m + name_len);
  memcpy (&m, p, sizeof m);
  CHECK (m.id == 0 && m.event == event && m.value == value);
  if (name)
    CHECK (memcmp (p + sizeof m, name, name_len) == 0);
}

/* The handshake up to the port being open in the guest. */
static void
open_port (void)
{
  ctl_buffers (3);
  ctl (0, VIRTIO_CONSOLE_DEVICE_READY, 1);
  ctl (0, VIRTIO_CONSOLE_PORT_READY, 1);
  ctl (0, VIRTIO_CONSOLE_PORT_OPEN, 1);
  CHECK (con.guest_open);
  CHECK (used_idx (Q_CTL_RX) == 3);
}

/* The guest says PORT_READY: the device answers with the port's name and
 * "host connected" in control buffers SLOT and SLOT + 1; then the guest
 * opens the port. */
static void
port_ready_then_open (uint16_t slot)
{
  ctl (0, VIRTIO_CONSOLE_PORT_READY, 1);
  CHECK (used_idx (Q_CTL_RX) == slot + 2);
  check_ctl_rx (slot, VIRTIO_CONSOLE_PORT_NAME, 1, "org.libguestfs.channel.0");
  check_ctl_rx (slot + 1, VIRTIO_CONSOLE_PORT_OPEN, 1, NULL);
  ctl (0, VIRTIO_CONSOLE_PORT_OPEN, 1);
  CHECK (con.guest_open);
}

static void
test_control_events (void)
{
  setup ();
  ctl_buffers (4);
  ctl (0, VIRTIO_CONSOLE_DEVICE_READY, 1);
  CHECK (used_idx (Q_CTL_TX) == 1 && used (Q_CTL_TX, 0).len == 0);
  CHECK (used_idx (Q_CTL_RX) == 1);
  check_ctl_rx (0, VIRTIO_CONSOLE_PORT_ADD, 0, NULL);
  CHECK (con.port_added);

  /* DEVICE_READY again, or reporting failure: no second port */
  ctl (0, VIRTIO_CONSOLE_DEVICE_READY, 1);
  ctl (7, VIRTIO_CONSOLE_DEVICE_READY, 1);
  ctl (0, VIRTIO_CONSOLE_DEVICE_READY, 0);
  /* events the device does not expect from a driver, or does not know */
  ctl (0, VIRTIO_CONSOLE_PORT_ADD, 1);
  ctl (0, VIRTIO_CONSOLE_PORT_REMOVE, 1);
  ctl (0, VIRTIO_CONSOLE_CONSOLE_PORT, 1);
  ctl (0, VIRTIO_CONSOLE_RESIZE, 0);
  ctl (0, VIRTIO_CONSOLE_PORT_NAME, 1);
  ctl (0, 99, 1);
  ctl (UINT32_MAX, UINT16_MAX, UINT16_MAX);
  /* ports that do not exist; port 0 not ready */
  ctl (1, VIRTIO_CONSOLE_PORT_READY, 1);
  ctl (UINT32_MAX, VIRTIO_CONSOLE_PORT_READY, 1);
  ctl (0, VIRTIO_CONSOLE_PORT_READY, 0);
  ctl (1, VIRTIO_CONSOLE_PORT_OPEN, 1);
  CHECK (!con.guest_open);
  CHECK (used_idx (Q_CTL_TX) == 15);
  CHECK (used_idx (Q_CTL_RX) == 1);
  CHECK (con.ctl_count == 0);

  /* then the real handshake still works */
  port_ready_then_open (1);
  ctl (0, VIRTIO_CONSOLE_PORT_OPEN, 0);
  CHECK (!con.guest_open);
  teardown ();
}

/* A driver reset (the control queues stopped, then set up again) and the
 * handshake again from DEVICE_READY: the port is announced anew, and it is
 * closed until the guest opens it again. */
static void
test_driver_reset (void)
{
  setup ();
  ctl_buffers (8);
  ctl (0, VIRTIO_CONSOLE_DEVICE_READY, 1);
  ctl (0, VIRTIO_CONSOLE_PORT_READY, 1);
  ctl (0, VIRTIO_CONSOLE_PORT_OPEN, 1);
  CHECK (con.guest_open && used_idx (Q_CTL_RX) == 3);

  CHECK (console_ops.stopped != NULL);
  if (console_ops.stopped) {
    console_ops.stopped (&con, Q_CTL_RX);
    console_ops.stopped (&con, Q_CTL_TX);
  }
  CHECK (!con.guest_open);
  ctl (0, VIRTIO_CONSOLE_DEVICE_READY, 1);
  CHECK (used_idx (Q_CTL_RX) == 4);
  check_ctl_rx (3, VIRTIO_CONSOLE_PORT_ADD, 0, NULL);
  port_ready_then_open (4);
  teardown ();
}

/* Control messages from the guest that are short, split, the wrong way
 * round or not in guest memory: consumed and ignored, never read past. */
static void
test_control_malformed (void)
{
  struct virtio_console_control ready = { 0, VIRTIO_CONSOLE_DEVICE_READY, 1 };
  setup ();
  ctl_buffers (2);

  /* 4 and 7 bytes, at the end of guest memory; then 0 bytes there */
  memcpy (end_buf (4), &ready, 4);
  publish (Q_CTL_TX, desc (Q_CTL_TX, end_buf (4), 4, 0, 0));
  kick (Q_CTL_TX);
  memcpy (end_buf (7), &ready, 7);
  publish (Q_CTL_TX, desc (Q_CTL_TX, end_buf (7), 7, 0, 0));
  kick (Q_CTL_TX);
  publish (Q_CTL_TX, desc (Q_CTL_TX, guest + GUEST_SIZE, 0, 0, 0));
  kick (Q_CTL_TX);
  CHECK (used_idx (Q_CTL_TX) == 3);
  CHECK (!con.port_added);

  /* device-writable, outside guest memory, straddling its end, a loop,
   * a next past the table, a head past the table, indirect */
  uint8_t *p = alloc (sizeof ready);
  memcpy (p, &ready, sizeof ready);
  publish (Q_CTL_TX, desc (Q_CTL_TX, p, sizeof ready, VRING_DESC_F_WRITE, 0));
  publish (Q_CTL_TX, desc (Q_CTL_TX, guest + GUEST_SIZE, sizeof ready, 0, 0));
  publish (Q_CTL_TX, desc (Q_CTL_TX, at (-4096), sizeof ready, 0, 0));
  publish (Q_CTL_TX, desc (Q_CTL_TX, end_buf (4), sizeof ready, 0, 0));
  uint16_t loop = desc_next[Q_CTL_TX];
  publish (Q_CTL_TX, desc (Q_CTL_TX, p, 4, VRING_DESC_F_NEXT, loop));
  publish (Q_CTL_TX, desc (Q_CTL_TX, p, 4, VRING_DESC_F_NEXT, NUM));
  publish (Q_CTL_TX, NUM + 5);
  publish (Q_CTL_TX, desc (Q_CTL_TX, p, sizeof ready, VRING_DESC_F_INDIRECT, 0));
  /* a length that would wrap the address */
  publish (Q_CTL_TX, desc (Q_CTL_TX, p, UINT32_MAX, 0, 0));
  kick (Q_CTL_TX);
  CHECK (used_idx (Q_CTL_TX) == 12);
  CHECK (!con.port_added);
  CHECK (used_idx (Q_CTL_RX) == 0);

  /* split over two descriptors, 3 + 5 bytes, with 100 bytes more: fine */
  uint8_t *a = alloc (3), *b = alloc (105);
  memcpy (a, &ready, 3);
  memcpy (b, (uint8_t *) &ready + 3, 5);
  uint16_t second = desc (Q_CTL_TX, b, 105, 0, 0);
  publish (Q_CTL_TX, desc (Q_CTL_TX, a, 3, VRING_DESC_F_NEXT, second));
  kick (Q_CTL_TX);
  CHECK (used_idx (Q_CTL_TX) == 13);
  CHECK (con.port_added);
  CHECK (used_idx (Q_CTL_RX) == 1);
  check_ctl_rx (0, VIRTIO_CONSOLE_PORT_ADD, 0, NULL);
  teardown ();
}

/* Control receive buffers that are too small or malformed. */
static void
test_control_rx_malformed (void)
{
  setup ();
  /* 4 bytes at the end of guest memory: PORT_ADD is cut to them */
  publish (Q_CTL_RX, desc (Q_CTL_RX, end_buf (4), 4, VRING_DESC_F_WRITE, 0));
  ctl (0, VIRTIO_CONSOLE_DEVICE_READY, 1);
  CHECK (used_idx (Q_CTL_RX) == 1 && used (Q_CTL_RX, 0).len == 4);
  CHECK (con.ctl_count == 0);

  /* unusable buffers (outside guest memory, device-readable, a loop) are
   * given back empty; the message goes to the next good one */
  ctl (0, VIRTIO_CONSOLE_PORT_READY, 1);        /* queues NAME and OPEN */
  CHECK (con.ctl_count == 2);
  publish (Q_CTL_RX, desc (Q_CTL_RX, at (GUEST_SIZE + 4096), 64, VRING_DESC_F_WRITE, 0));
  publish (Q_CTL_RX, desc (Q_CTL_RX, alloc (64), 64, 0, 0));
  uint16_t loop = desc_next[Q_CTL_RX];
  publish (Q_CTL_RX, desc (Q_CTL_RX, alloc (64), 64, VRING_DESC_F_WRITE | VRING_DESC_F_NEXT,
                           loop));
  ctl_buffers (2);
  kick (Q_CTL_RX);
  CHECK (used_idx (Q_CTL_RX) == 6);
  for (uint16_t k = 1; k < 4; k++)
    CHECK (used (Q_CTL_RX, k).len == 0);
  check_ctl_rx (4, VIRTIO_CONSOLE_PORT_NAME, 1, "org.libguestfs.channel.0");
  check_ctl_rx (5, VIRTIO_CONSOLE_PORT_OPEN, 1, NULL);
  CHECK (con.ctl_count == 0);

  /* a driver asking for the port again and again without taking the
   * answers: the queue keeps what it holds, the rest is dropped */
  for (int i = 0; i < 20; i++)
    ctl (0, VIRTIO_CONSOLE_PORT_READY, 1);
  CHECK (con.ctl_count == CONSOLE_CTL_SLOTS);
  ctl_buffers (20);
  kick (Q_CTL_RX);
  CHECK (used_idx (Q_CTL_RX) == 6 + CONSOLE_CTL_SLOTS);
  CHECK (con.ctl_count == 0);
  teardown ();
}

static size_t
read_chan (void *buf, size_t max)
{
  ssize_t r = read (chan[1], buf, max);
  return r < 0 ? 0 : (size_t) r;
}

/* Guest to host: bad chains are dropped, good ones still written. */
static void
test_tx_malformed (void)
{
  char buf[4096];
  setup ();
  open_port ();
  uint8_t *hello = alloc (5), *world = alloc (6);
  memcpy (hello, "hello", 5);
  memcpy (world, " world", 6);

  publish (Q_TX, desc (Q_TX, guest + GUEST_SIZE, 16, 0, 0));            /* outside */
  publish (Q_TX, desc (Q_TX, hello, 5, 0, 0));
  publish (Q_TX, desc (Q_TX, end_buf (8), 16, 0, 0));                   /* straddles */
  publish (Q_TX, desc (Q_TX, hello, 5, VRING_DESC_F_WRITE, 0));         /* wrong way */
  uint16_t loop = desc_next[Q_TX];
  publish (Q_TX, desc (Q_TX, hello, 5, VRING_DESC_F_NEXT, loop));       /* loop */
  publish (Q_TX, NUM);                                                  /* bad head */
  publish (Q_TX, desc (Q_TX, world, 6, 0, 0));
  kick (Q_TX);
  CHECK (used_idx (Q_TX) == 7);
  for (uint16_t k = 0; k < 7; k++)
    CHECK (used (Q_TX, k).len == 0);
  CHECK (read_chan (buf, sizeof buf) == 11 && memcmp (buf, "hello world", 11) == 0);

  /* a chain longer than a batch (65 descriptors) is dropped too */
  uint16_t next = desc_next[Q_TX] + 1;
  uint16_t head = desc_next[Q_TX];
  for (int i = 0; i < 65; i++, next++)
    desc (Q_TX, hello, 1, i < 64 ? VRING_DESC_F_NEXT : 0, next % NUM);
  publish (Q_TX, head);
  publish (Q_TX, desc (Q_TX, world, 6, 0, 0));
  kick (Q_TX);
  CHECK (used_idx (Q_TX) == 9);
  CHECK (read_chan (buf, sizeof buf) == 6);
  CHECK (!(console_channel_events (&con) & POLLOUT));

  /* the first chain shorter than what was already sent of it (the driver
   * rewrote it after a partial write), a whole batch behind it: it is
   * completed, and the chains after it are sent whole */
  con.tx_partial = 1000;
  for (int i = 0; i < 64; i++)
    publish (Q_TX, desc (Q_TX, hello, 5, 0, 0));
  kick (Q_TX);
  CHECK (used_idx (Q_TX) == 9 + 64);
  CHECK (con.tx_partial == 0);
  CHECK (read_chan (buf, sizeof buf) == 63 * 5);

  /* the channel gone: what the guest writes is consumed and discarded */
  close (chan[1]);
  chan[1] = -1;
  publish (Q_TX, desc (Q_TX, hello, 5, 0, 0));
  kick (Q_TX);
  CHECK (used_idx (Q_TX) == 9 + 64 + 1);
  CHECK (con.chan_fd < 0);
  publish (Q_TX, desc (Q_TX, hello, 5, 0, 0));
  kick (Q_TX);
  CHECK (used_idx (Q_TX) == 9 + 64 + 2);
  teardown ();
}

/* Host to guest: a bad receive chain must not stall the port, nor leave
 * the channel reported readable with nothing done about it (a busy loop
 * in the poll loop of console-main.c). */
static void
test_rx_malformed (void)
{
  char buf[64];
  setup ();
  CHECK (write (chan[1], "data", 4) == 4);
  /* port not open in the guest: the data waits */
  uint8_t *b = alloc (64);
  publish (Q_RX, desc (Q_RX, b, 64, VRING_DESC_F_WRITE, 0));
  kick (Q_RX);
  CHECK (used_idx (Q_RX) == 0);
  CHECK (!(console_channel_events (&con) & POLLIN));

  open_port ();                 /* PORT_OPEN reads the channel */
  CHECK (used_idx (Q_RX) == 1 && used (Q_RX, 0).len == 4 && memcmp (b, "data", 4) == 0);

  CHECK (write (chan[1], "more", 4) == 4);
  publish (Q_RX, desc (Q_RX, guest + GUEST_SIZE, 64, VRING_DESC_F_WRITE, 0));
  CHECK (console_channel_events (&con) & POLLIN);
  console_channel_io (&con, POLLIN);
  CHECK (used_idx (Q_RX) == 2 && used (Q_RX, 1).len == 0);
  CHECK (!(console_channel_events (&con) & POLLIN));

  /* device-readable, a loop, straddling the end: given back empty */
  publish (Q_RX, desc (Q_RX, b, 64, 0, 0));
  uint16_t loop = desc_next[Q_RX];
  publish (Q_RX, desc (Q_RX, b, 64, VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, loop));
  publish (Q_RX, desc (Q_RX, end_buf (8), 64, VRING_DESC_F_WRITE, 0));
  /* then a good one of 2 bytes at the very end, and one more */
  publish (Q_RX, desc (Q_RX, end_buf (2), 2, VRING_DESC_F_WRITE, 0));
  memset (b, 0, 64);
  publish (Q_RX, desc (Q_RX, b, 64, VRING_DESC_F_WRITE, 0));
  kick (Q_RX);
  CHECK (used_idx (Q_RX) == 7);
  for (uint16_t k = 2; k < 5; k++)
    CHECK (used (Q_RX, k).len == 0);
  CHECK (used (Q_RX, 5).len == 2 && memcmp (end_buf (2), "mo", 2) == 0);
  CHECK (used (Q_RX, 6).len == 2 && memcmp (b, "re", 2) == 0);
  CHECK (read_chan (buf, sizeof buf) == 0);

  /* the peer closing: the channel is closed, the buffer left to the guest */
  close (chan[1]);
  chan[1] = -1;
  publish (Q_RX, desc (Q_RX, b, 64, VRING_DESC_F_WRITE, 0));
  console_channel_io (&con, POLLIN | POLLHUP);
  CHECK (con.chan_fd < 0);
  CHECK (used_idx (Q_RX) == 7);
  CHECK (console_channel_events (&con) == 0 || con.chan_fd < 0);
  teardown ();
}

/* Receive buffers of no length, which no real driver posts.  readv into
 * them reads nothing, and that was taken for the peer closing the
 * channel: a clean close, the guest told the host end had gone.  It is
 * a broken device instead, for console-main.c to report; the channel is
 * no longer polled for input (that would be a busy loop), and nothing
 * more is read from it. */
static void
test_rx_zero_length (void)
{
  char buf[16];
  setup ();
  open_port ();
  CHECK (write (chan[1], "data", 4) == 4);
  publish (Q_RX, desc (Q_RX, alloc (16), 0, VRING_DESC_F_WRITE, 0));
  kick (Q_RX);
  CHECK (con.broken != NULL);
  CHECK (con.chan_fd >= 0);             /* not closed as at end of file */
  CHECK (con.ctl_count == 0);           /* nor PORT_OPEN 0 for the guest */
  CHECK (!(console_channel_events (&con) & POLLIN));
  console_channel_io (&con, POLLIN);
  kick (Q_RX);
  CHECK (used_idx (Q_RX) == 0);
  CHECK (read (con.chan_fd, buf, sizeof buf) == 4);     /* still there */
  teardown ();

  /* descriptors of no length, chained; behind a good chain, and with
   * nothing waiting on the channel */
  setup ();
  open_port ();
  uint16_t second = desc (Q_RX, alloc (16), 0, VRING_DESC_F_WRITE, 0);
  publish (Q_RX, desc (Q_RX, alloc (16), 16, VRING_DESC_F_WRITE, 0));
  publish (Q_RX, desc (Q_RX, alloc (16), 0, VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, second));
  kick (Q_RX);
  CHECK (con.broken != NULL);
  CHECK (con.chan_fd >= 0 && con.ctl_count == 0);
  CHECK (used_idx (Q_RX) == 0);
  teardown ();

  /* a descriptor of no length in a chain with room is no harm */
  setup ();
  open_port ();
  CHECK (write (chan[1], "data", 4) == 4);
  uint8_t *b = alloc (16);
  second = desc (Q_RX, b, 16, VRING_DESC_F_WRITE, 0);
  publish (Q_RX, desc (Q_RX, alloc (16), 0, VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, second));
  kick (Q_RX);
  CHECK (con.broken == NULL);
  CHECK (used_idx (Q_RX) == 1 && used (Q_RX, 0).len == 4 && memcmp (b, "data", 4) == 0);
  teardown ();
}

/* Points queue QI's used ring at its avail ring, as a driver may: each
 * used entry the device adds then moves the avail index on too. */
static uint16_t
overlap_rings (unsigned qi)
{
  struct virtqueue *q = queue (qi);
  q->used_uva = q->avail_uva;
  CHECK (vq_resolve (q) == 0 && (void *) q->used == (void *) q->avail);
  return q->last_avail;
}

/* The device takes at most a ring's worth of chains per kick: with
 * overlapping rings the avail index never catches up, and each loop over
 * available chains went on for ever.  (Found by
 * tests/fuzz/fuzz-vhost-user; main's alarm fails the test if it hangs.) */
static void
test_overlapping_rings (void)
{
  static const char data[] = "to the guest";
  uint16_t start;

  setup ();
  start = overlap_rings (Q_CTL_TX);
  ctl (0, VIRTIO_CONSOLE_DEVICE_READY, 1);
  CHECK ((uint16_t) (queue (Q_CTL_TX)->last_avail - start) <= NUM);
  teardown ();

  /* chains the device gives back unused, the control rx ones while it has
   * a message waiting */
  setup ();
  start = overlap_rings (Q_CTL_RX);
  publish (Q_CTL_RX, desc (Q_CTL_RX, alloc (CONSOLE_CTL_SIZE), CONSOLE_CTL_SIZE, 0, 0));
  ctl (0, VIRTIO_CONSOLE_DEVICE_READY, 1);
  CHECK ((uint16_t) (queue (Q_CTL_RX)->last_avail - start) <= NUM);
  teardown ();

  setup ();
  start = overlap_rings (Q_TX);
  publish (Q_TX, desc (Q_TX, alloc (16), 16, 0, 0));
  kick (Q_TX);
  CHECK ((uint16_t) (queue (Q_TX)->last_avail - start) <= NUM * 64);
  publish (Q_TX, desc (Q_TX, alloc (16), 16, VRING_DESC_F_WRITE, 0));
  kick (Q_TX);
  teardown ();

  setup ();
  open_port ();
  start = overlap_rings (Q_RX);
  CHECK (write (chan[1], data, sizeof data) == sizeof data);
  publish (Q_RX, desc (Q_RX, alloc (4), 4, VRING_DESC_F_WRITE, 0));
  kick (Q_RX);
  CHECK ((uint16_t) (queue (Q_RX)->last_avail - start) <= NUM * 64);
  publish (Q_RX, desc (Q_RX, alloc (4), 4, 0, 0));
  kick (Q_RX);
  teardown ();
}

int
main (void)
{
  signal (SIGPIPE, SIG_IGN);    /* as console-main.c: EPIPE instead */
  alarm (60);                   /* a device stuck in a loop fails the test */
  test_control_events ();
  test_driver_reset ();
  test_control_malformed ();
  test_control_rx_malformed ();
  test_tx_malformed ();
  test_rx_malformed ();
  test_rx_zero_length ();
  test_overlapping_rings ();
  return CHECK_DONE ();
}
