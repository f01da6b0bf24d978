/* virtio-console.c: the multiport virtio console device (see
 * virtio-console.h).  Port 0 is used as a plain named port rather than a
 * console; max_nr_ports is 1, so there are four queues.  The handshake on
 * the control queues (Linux drivers/char/virtio_console.c):
 *   guest DEVICE_READY(1) -> we PORT_ADD(0)
 *   guest PORT_READY(0, 1) -> we PORT_NAME(0, name), PORT_OPEN(0, 1)
 *   guest PORT_OPEN(0, 1) when a process (guestfsd) opens the port;
 *   we PORT_OPEN(0, 0) when libguestfs's end of the channel closes.
 * A driver that stops a control queue is being removed or reset: the
 * handshake starts over when it sends DEVICE_READY again. */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>
#include <linux/virtio_console.h>
#include "backend-select/console/virtio-console.h"
#include "common/message.h"

enum { Q_RX, Q_TX, Q_CTL_RX, Q_CTL_TX, N_QUEUES }; /* rx/tx as the guest sees them */
#define MAX_BATCH 64            /* iovecs per readv/writev */

static void process_rx (struct console *c);

/* ---- control messages ---- */

static void
ctl_send (struct console *c, uint16_t event, uint16_t value, const char *name)
{
  if (c->ctl_count == CONSOLE_CTL_SLOTS) {
    /* cannot happen: the handshake queues at most three */
    vu_log (c->vu, "control queue full, event %u dropped", event);
    return;
  }
  int slot = (c->ctl_head + c->ctl_count) % CONSOLE_CTL_SLOTS;
  struct virtio_console_control m = { .id = 0, .event = event, .value = value };
  size_t name_len = name ? strlen (name) : 0;   /* checked in console_init */
  memcpy (c->ctl_buf[slot], &m, sizeof m);
  if (name)                     /* memcpy from NULL is undefined, even for 0 bytes */
    memcpy (c->ctl_buf[slot] + sizeof m, name, name_len);
  c->ctl_len[slot] = sizeof m + name_len;
  c->ctl_count++;
  vu_log (c->vu, "control to guest: event %u value %u%s%s", event, value,
          name ? " " : "", name ? name : "");
}

/* Copies waiting control messages into the guest's control rx buffers. */
static void
ctl_flush (struct console *c)
{
  struct virtqueue *q = &c->vu->queues[Q_CTL_RX];
  bool pushed = false;
  if (!vq_ready (q))
    return;
  for (unsigned round = 0; c->ctl_count > 0 && vq_take_more (q, round); round++) {
    uint16_t head = vq_avail_head (q, 0);
    struct iovec iov[8];
    size_t room;
    int n = vq_chain (q, head, true, iov, 8, &room);
    if (n < 0) {
      /* give it back empty: waiting would stall the handshake for good */
      vu_log (c->vu, "bad control rx chain dropped");
      vq_push_used (q, head, 0);
      pushed = true;
      continue;
    }
    const uint8_t *msg = c->ctl_buf[c->ctl_head];
    size_t len = c->ctl_len[c->ctl_head], off = 0;
    for (int k = 0; k < n && off < len; k++) {
      size_t part = iov[k].iov_len < len - off ? iov[k].iov_len : len - off;
      memcpy (iov[k].iov_base, msg + off, part);
      off += part;
    }
    vq_push_used (q, head, off);
    c->ctl_head = (c->ctl_head + 1) % CONSOLE_CTL_SLOTS;
    c->ctl_count--;
    pushed = true;
  }
  if (pushed)
    vq_notify (q);
}

/* libguestfs's end of the channel has gone.  Tell the guest, as qemu's
 * virtio-serial does when its socket closes: guestfsd then reads end of
 * file and the appliance's init syncs and powers off.  So the appliance
 * stops also when libguestfs's recovery process died with the library
 * (killall -9 imgmount kills both). */
static void
close_channel (struct console *c, const char *why)
{
  vu_log (c->vu, "channel %s", why);
  close (c->chan_fd);
  c->chan_fd = -1;
  if (c->port_added) {
    ctl_send (c, VIRTIO_CONSOLE_PORT_OPEN, 0, NULL);
    ctl_flush (c);
  }
}

static void
handle_control (struct console *c, const struct virtio_console_control *m)
{
  vu_log (c->vu, "control from guest: id %u event %u value %u", m->id, m->event, m->value);
  switch (m->event) {
  case VIRTIO_CONSOLE_DEVICE_READY:
    if (m->value == 1 && !c->port_added) {
      ctl_send (c, VIRTIO_CONSOLE_PORT_ADD, 0, NULL);
      c->port_added = true;
    }
    break;
  case VIRTIO_CONSOLE_PORT_READY:
    if (m->id == 0 && m->value == 1) {
      ctl_send (c, VIRTIO_CONSOLE_PORT_NAME, 1, c->port_name);
      /* "host connected": otherwise the guest driver holds back writes */
      ctl_send (c, VIRTIO_CONSOLE_PORT_OPEN, c->chan_fd >= 0, NULL);
    }
    break;
  case VIRTIO_CONSOLE_PORT_OPEN:
    /* the driver discards data for a port nobody has open, so data from
     * the channel waits in the socket until guestfsd opens it */
    if (m->id == 0) {
      c->guest_open = m->value != 0;
      process_rx (c);
    }
    break;
  default:
    break;
  }
}

/* Reads the control messages the guest sent. */
static void
process_ctl_tx (struct console *c)
{
  struct virtqueue *q = &c->vu->queues[Q_CTL_TX];
  bool pushed = false;
  if (!vq_ready (q))
    return;
  for (unsigned round = 0; vq_take_more (q, round); round++) {
    uint16_t head = vq_avail_head (q, 0);
    struct iovec iov[8];
    size_t len;
    int n = vq_chain (q, head, false, iov, 8, &len);
    struct virtio_console_control m;
    size_t off = 0;
    for (int k = 0; k < n && off < sizeof m; k++) {
      size_t part = iov[k].iov_len < sizeof m - off ? iov[k].iov_len : sizeof m - off;
      memcpy ((uint8_t *) &m + off, iov[k].iov_base, part);
      off += part;
    }
    vq_push_used (q, head, 0);
    pushed = true;
    if (off == sizeof m)
      handle_control (c, &m);
    else
      vu_log (c->vu, "short control message from guest");
  }
  if (pushed)
    vq_notify (q);
  ctl_flush (c);
}

/* ---- data ---- */

/* Collects up to MAX_BATCH iovecs from the available chains of Q, whole
 * chains only.  Returns the number of chains, their heads and lengths. */
static int
collect_chains (const struct virtqueue *q, bool writable, struct iovec *iov,
                int *n_iov, uint16_t *heads, size_t *lens)
{
  uint16_t avail = vq_avail_count (q);
  int n_chains = 0;
  *n_iov = 0;
  while (n_chains < avail && n_chains < MAX_BATCH) {
    uint16_t head = vq_avail_head (q, n_chains);
    int n = vq_chain (q, head, writable, iov + *n_iov, MAX_BATCH - *n_iov,
                      &lens[n_chains]);
    if (n < 0)
      break;
    heads[n_chains++] = head;
    *n_iov += n;
  }
  return n_chains;
}

/* Guest to host: writes as many tx chains as the channel socket takes.
 * A chain is completed once all of it is written. */
static void
process_tx (struct console *c)
{
  struct virtqueue *q = &c->vu->queues[Q_TX];
  bool pushed = false;
  if (!vq_ready (q) || c->broken)
    return;
  for (unsigned round = 0; vq_take_more (q, round); round++) {
    struct iovec iov[MAX_BATCH];
    uint16_t heads[MAX_BATCH];
    size_t lens[MAX_BATCH], total = 0;
    int n_iov, n_chains = collect_chains (q, false, iov, &n_iov, heads, lens);
    if (n_chains == 0) {
      /* malformed, or longer than a batch: drop it rather than stall */
      vu_log (c->vu, "bad tx chain dropped");
      vq_push_used (q, vq_avail_head (q, 0), 0);
      c->tx_partial = 0;
      pushed = true;
      continue;
    }
    if (c->tx_partial > 0 && c->tx_partial >= lens[0]) {
      /* the driver rewrote a chain we had partly sent: take it as sent.
       * (Skipping more than its length would run past the iovecs.) */
      vu_log (c->vu, "tx chain shrank after a partial write");
      vq_push_used (q, heads[0], 0);
      c->tx_partial = 0;
      pushed = true;
      continue;
    }
    for (int k = 0; k < n_chains; k++)
      total += lens[k];
    /* skip what was already sent of the first chain */
    int first = 0;
    size_t skip = c->tx_partial;
    while (skip > 0 && first < n_iov && skip >= iov[first].iov_len)
      skip -= iov[first++].iov_len;
    if (skip > 0) {
      iov[first].iov_base = (uint8_t *) iov[first].iov_base + skip;
      iov[first].iov_len -= skip;
    }
    size_t written = total - c->tx_partial;     /* discarded if no channel */
    if (c->chan_fd >= 0) {
      ssize_t w = writev (c->chan_fd, iov + first, n_iov - first);
      if (w < 0 && (errno == EAGAIN || errno == EINTR))
        break;                  /* wait for POLLOUT */
      if (w < 0)
        close_channel (c, strerror (errno));
      else
        written = (size_t) w;
    }
    c->from_guest += written;
    size_t done = c->tx_partial + written;
    int k;
    for (k = 0; k < n_chains && done >= lens[k]; k++) {
      done -= lens[k];
      vq_push_used (q, heads[k], 0);
      pushed = true;
    }
    c->tx_partial = done;
    if (k < n_chains)
      break;                    /* socket full: wait for POLLOUT */
  }
  if (pushed)
    vq_notify (q);
}

/* The driver broke a rule that leaves the device no way on: no more data
 * moves, and console-main.c reports WHY. */
static void
device_broken (struct console *c, const char *why)
{
  vu_log (c->vu, "device broken: %s", why);
  c->broken = why;
}

/* Whether one of the N_CHAINS chains of LENS has no room.  Read into on
 * its own, such a chain takes 0 bytes: what end of file looks like. */
static bool
any_empty (const size_t *lens, int n_chains)
{
  for (int k = 0; k < n_chains; k++)
    if (lens[k] == 0)
      return true;
  return false;
}

/* Host to guest: reads the channel into the port's receive buffers. */
static void
process_rx (struct console *c)
{
  struct virtqueue *q = &c->vu->queues[Q_RX];
  if (!vq_ready (q) || c->chan_fd < 0 || !c->guest_open || c->broken)
    return;
  for (unsigned round = 0; vq_take_more (q, round); round++) {
    struct iovec iov[MAX_BATCH];
    uint16_t heads[MAX_BATCH];
    size_t lens[MAX_BATCH], total = 0;
    int n_iov, n_chains = collect_chains (q, true, iov, &n_iov, heads, lens);
    if (n_chains == 0) {
      /* malformed, or longer than a batch: give it back empty.  Keeping it
       * would leave the channel polled for POLLIN with nothing to read it
       * into, a busy loop. */
      vu_log (c->vu, "bad rx chain dropped");
      vq_push_used (q, vq_avail_head (q, 0), 0);
      vq_notify (q);
      continue;
    }
    if (any_empty (lens, n_chains)) {
      /* no real driver posts one; giving it back would only have the
       * driver post it again */
      device_broken (c, "a receive buffer of no length");
      break;
    }
    for (int k = 0; k < n_chains; k++)
      total += lens[k];
    ssize_t r = readv (c->chan_fd, iov, n_iov);
    if (r < 0 && (errno == EAGAIN || errno == EINTR))
      break;
    if (r <= 0) {
      close_channel (c, r == 0 ? "closed by peer" : strerror (errno));
      break;
    }
    c->to_guest += (size_t) r;
    size_t left = (size_t) r;
    for (int k = 0; k < n_chains && left > 0; k++) {
      size_t part = left < lens[k] ? left : lens[k];
      vq_push_used (q, heads[k], part);
      left -= part;
    }
    /* per batch, so that the guest starts consuming early */
    vq_notify (q);
    if ((size_t) r < total)
      break;                    /* socket drained */
  }
}

/* ---- device operations ---- */

static void
console_get_config (void *dev, uint32_t offset, uint8_t *buf, uint32_t size)
{
  struct virtio_console_config cfg = { .max_nr_ports = 1 };
  for (uint32_t i = 0; i < size && offset + (uint64_t) i < sizeof cfg; i++)
    buf[i] = ((const uint8_t *) &cfg)[offset + i];
}

static void
console_kicked (void *dev, unsigned index)
{
  struct console *c = dev;
  switch (index) {
  case Q_RX: process_rx (c); break;
  case Q_TX: process_tx (c); break;
  case Q_CTL_RX: ctl_flush (c); break;
  case Q_CTL_TX: process_ctl_tx (c); break;
  }
}

static void
console_stopped (void *dev, unsigned index)
{
  struct console *c = dev;
  if (index == Q_CTL_RX || index == Q_CTL_TX) {
    if (c->port_added)
      vu_log (c->vu, "driver reset: the port is announced again on DEVICE_READY");
    c->port_added = false;
    c->guest_open = false;
    c->ctl_head = c->ctl_count = 0;
  } else if (index == Q_TX) {
    /* the rest of a chain half sent is gone with the driver's ring */
    c->tx_partial = 0;
  }
}

const struct vu_device_ops console_ops = {
  .features = 1ULL << VIRTIO_CONSOLE_F_MULTIPORT,
  .n_queues = N_QUEUES,
  .get_config = console_get_config,
  .kicked = console_kicked,
  .stopped = console_stopped,
};

int
console_init (struct console *c, struct vu_server *vu, const char *port_name,
              int chan_fd, char **err)
{
  if (strlen (port_name) > CONSOLE_NAME_MAX)
    return error_set (err, "port name longer than %d bytes", CONSOLE_NAME_MAX);
  *c = (struct console) { .vu = vu, .port_name = port_name, .chan_fd = chan_fd };
  return 0;
}

short
console_channel_events (struct console *c)
{
  struct virtqueue *rx = &c->vu->queues[Q_RX], *tx = &c->vu->queues[Q_TX];
  short events = 0;
  if (c->broken)
    return 0;
  if (vq_ready (rx) && c->guest_open && vq_has_avail (rx))
    events |= POLLIN;
  if (vq_ready (tx) && vq_has_avail (tx))
    events |= POLLOUT;
  return events;
}

void
console_channel_io (struct console *c, short revents)
{
  if (revents & POLLOUT)
    process_tx (c);
  if (revents & POLLIN)
    process_rx (c);
  /* a hangup with nothing left to read: guest writes are discarded from
   * now on, as the other end is gone */
  if (c->chan_fd >= 0 && (revents & (POLLHUP | POLLERR)) && !(revents & POLLIN))
    close_channel (c, "hung up");
}
