/* fuzz-vhost-user.c: the vhost-user back-end (backend-select/console/vhost-user.c)
 * as imgmount-console runs it, with the virtio console as its device:
 * messages arrive on a socketpair with fds attached (SCM_RIGHTS), guest
 * memory is a memfd of GUEST_SIZE bytes the front-end hands over in
 * SET_MEM_TABLE (regions may claim more of it than there is).
 *
 * Input, little-endian: operations, each a u8 code (mod 4) and its
 * arguments:
 *   0 MESSAGE u32 request, u32 flags, u32 size, u16 payload length (at
 *     most MAX_PAYLOAD), u8 fds, then the payload.  SIZE is what the header
 *     claims, the payload what is actually sent (they may differ: framing
 *     is fuzzed too).  FDS: the low 4 bits are how many to attach (more
 *     than the 8 a message may carry is allowed), bits 4-5 what they are:
 *     0 the guest memfd, 1 eventfds, 2 pipe write ends, 3 the memfd and
 *     then eventfds.  The back-end then handles what arrived; once it
 *     fails or sees end of file, no more messages are sent (its caller
 *     drops the connection).
 *   1 POKE u16 offset, u8 len, bytes: the guest writes its memory.
 *   2 KICK u8 queue: the queue is kicked, if it has a kick fd.
 *   3 SEND u8 len, bytes: the host side of the console channel writes,
 *     and the channel is then polled and handled as imgmount-console does.
 * Checks, beyond the sanitizers: every fd the back-end received and did
 * not keep is closed, and vu_close closes the rest; a failure says why. */
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>
#include "backend-select/console/virtio-console.h"
#include "tests/fuzz/target.h"
#include "tests/unit/front-end.h"

#define GUEST_SIZE 65536
#define MAX_PAYLOAD 4200        /* a little over the back-end's 4096 */
#define MAX_SEND_FDS 12         /* at most FRONT_END_MAX_FDS */
#define MAX_OPS 64
#define HDR_SIZE 12
#define VERSION_FLAG 0x1u       /* header flags (qemu docs/interop/vhost-user.rst) */
#define REPLY_FLAG 0x4u

struct rig {
  struct vu_server vu;
  struct console con;
  int front_end;                /* the front-end's end of the connection */
  int host_end;                 /* the host's end of the console channel */
  int memfd;
  bool connected;               /* the back-end has not given up */
};

static void
rig_open (struct rig *r)
{
  int conn[2], chan[2];
  /* non-blocking on the back-end's side too: what the input did not send
   * is then a short read, not a hang */
  if (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0, conn) < 0
      || socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0, chan) < 0)
    abort ();
  r->memfd = memfd_create ("guest", MFD_CLOEXEC);
  if (r->memfd < 0 || ftruncate (r->memfd, GUEST_SIZE) < 0)
    abort ();
  r->front_end = conn[1];
  r->host_end = chan[1];
  r->connected = true;
  vu_init (&r->vu, conn[0], &console_ops, &r->con, false);
  char *err = NULL;
  FUZZ_CHECK (console_init (&r->con, &r->vu, "org.libguestfs.channel.0", chan[0], &err) == 0);
}

static void
rig_close (struct rig *r)
{
  vu_close (&r->vu);
  if (r->con.chan_fd >= 0)
    close (r->con.chan_fd);
  close (r->front_end);
  close (r->host_end);
  close (r->memfd);
}

/* Fills FDS with N fds of the kind KIND selects (see the header); the
 * caller closes them after sending, as the kernel has passed copies. */
static void
make_fds (const struct rig *r, unsigned kind, int *fds, unsigned n)
{
  for (unsigned i = 0; i < n; i++) {
    int p[2];
    if (kind == 0 || (kind == 3 && i == 0))
      fds[i] = dup (r->memfd);
    else if (kind == 2 && pipe2 (p, O_CLOEXEC) == 0) {
      close (p[0]);
      fds[i] = p[1];
    } else
      fds[i] = eventfd (0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (fds[i] < 0)
      abort ();
  }
}

/* Reads and drops the back-end's replies, so that they never fill the
 * socket.  Each is written whole, and each must be marked as a reply. */
static void
drain_replies (struct rig *r)
{
  uint8_t buf[8192];
  ssize_t n;
  while ((n = recv (r->front_end, buf, sizeof buf, MSG_DONTWAIT)) > 0) {
    for (size_t at = 0; at < (size_t) n; ) {
      uint32_t hdr[3];
      FUZZ_CHECK ((size_t) n - at >= HDR_SIZE);
      memcpy (hdr, buf + at, HDR_SIZE);
      FUZZ_CHECK (hdr[1] == (REPLY_FLAG | VERSION_FLAG));
      FUZZ_CHECK (hdr[2] <= (size_t) n - at - HDR_SIZE);
      at += HDR_SIZE + hdr[2];
    }
  }
}

static void
op_message (struct rig *r, struct fuzz_input *in)
{
  static uint8_t buf[HDR_SIZE + MAX_PAYLOAD];
  uint32_t hdr[3];
  hdr[0] = fuzz_u32 (in);
  hdr[1] = fuzz_u32 (in);
  hdr[2] = fuzz_u32 (in);
  size_t payload = fuzz_u16 (in) % (MAX_PAYLOAD + 1);
  uint8_t fd_spec = fuzz_u8 (in);
  memcpy (buf, hdr, HDR_SIZE);
  payload = fuzz_bytes (in, buf + HDR_SIZE, payload);
  if (!r->connected)
    return;
  int fds[MAX_SEND_FDS];
  unsigned nfds = (fd_spec & 15) % (MAX_SEND_FDS + 1);
  make_fds (r, (fd_spec >> 4) & 3, fds, nfds);
  if (send_with_fds (r->front_end, buf, HDR_SIZE + payload, fds, nfds)
      != (ssize_t) (HDR_SIZE + payload))
    abort ();
  for (unsigned i = 0; i < nfds; i++)
    close (fds[i]);

  char *err = NULL;
  int ret = vu_handle_message (&r->vu, &err);
  FUZZ_CHECK ((ret < 0) == (err != NULL));
  free (err);
  if (ret <= 0)
    r->connected = false;
  drain_replies (r);
}

static void
op_poke (struct rig *r, struct fuzz_input *in)
{
  uint8_t buf[256];
  size_t off = fuzz_u16 (in) % GUEST_SIZE, len = fuzz_u8 (in);
  if (len > GUEST_SIZE - off)
    len = GUEST_SIZE - off;       /* a write past the end would grow the memfd */
  len = fuzz_bytes (in, buf, len);
  if (pwrite (r->memfd, buf, len, off) != (ssize_t) len)
    abort ();
}

/* The front-end kicks a queue that has a kick fd.  The target kept no
 * copy of the fd to signal it with, so this is a spurious wakeup as far as
 * the fd goes, which vu_kick must take too. */
static void
op_kick (struct rig *r, struct fuzz_input *in)
{
  unsigned q = fuzz_u8 (in) % console_ops.n_queues;
  if (r->vu.queues[q].kick_fd >= 0)
    vu_kick (&r->vu, q);
}

static void
op_send (struct rig *r, struct fuzz_input *in)
{
  uint8_t buf[256];
  size_t len = fuzz_bytes (in, buf, fuzz_u8 (in));
  if (send (r->host_end, buf, len, MSG_NOSIGNAL) < 0) {
    /* full or closed: the device sees nothing new, which is fine */
  }
  if (r->con.chan_fd < 0)
    return;
  struct pollfd p = { r->con.chan_fd, console_channel_events (&r->con), 0 };
  if (poll (&p, 1, 0) >= 0)
    console_channel_io (&r->con, p.revents);
  uint8_t sink[4096];
  while (read (r->host_end, sink, sizeof sink) > 0) {
  }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  struct fuzz_input in = fuzz_input (data, size);
  int fds_before = count_open_fds ();
  FUZZ_CHECK (fds_before >= 0);
  struct rig r;
  rig_open (&r);
  for (unsigned ops = 0; ops < MAX_OPS && !fuzz_done (&in); ops++) {
    switch (fuzz_u8 (&in) % 4) {
    case 0: op_message (&r, &in); break;
    case 1: op_poke (&r, &in); break;
    case 2: op_kick (&r, &in); break;
    case 3: op_send (&r, &in); break;
    }
  }
  rig_close (&r);
  FUZZ_CHECK (count_open_fds () == fds_before);
  return 0;
}
