/* agent-io.c: imgmount-agent's request and reply streams (see
 * agent-io.h).
 *
 * Memory stays bounded whatever the host's credits: the input buffer
 * holds one largest message plus what arrives with it, the output buffer
 * two largest replies, and replies go out as soon as no further request
 * is complete (the host is then waiting for them) or when the room for
 * another reply runs out. */
#include <errno.h>
#include <string.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include "backend-select/appliance/agent/agent-io.h"
#include "common/agent-protocol.h"
#include "common/message.h"
#include "common/xalloc.h"

/* A virtio-serial port takes at most 32 KiB per write(2) (the guest
 * driver's buffer); a larger one is cut short.  Cut here instead, for
 * every kind of output alike. */
#define WRITE_MAX (32u * 1024)

#define IN_SIZE (AGENT_MSG_MAX + 64u * 1024)
#define OUT_SIZE (2 * AGENT_MSG_MAX)

struct agent_io {
  int in_fd, out_fd;
  bool wait_for_host;
  unsigned char *in;
  size_t in_start, in_end;    /* the unhandled bytes of in */
  unsigned char *out;
  size_t out_len;
};

struct agent_io *
agent_io_new (int in_fd, int out_fd, bool wait_for_host)
{
  struct agent_io *io = xcalloc (1, sizeof *io);
  io->in_fd = in_fd;
  io->out_fd = out_fd;
  io->wait_for_host = wait_for_host;
  io->in = xmalloc (IN_SIZE);
  io->out = xmalloc (OUT_SIZE);
  return io;
}

void
agent_io_free (struct agent_io *io)
{
  free (io->in);
  free (io->out);
  free (io);
}

static void __attribute__ ((noreturn))
fail (const char *what)
{
  error_print ("%s: %s", what, strerror (errno));
  exit (1);
}

void
agent_io_flush (struct agent_io *io)
{
  size_t done = 0;
  while (done < io->out_len) {
    size_t n = io->out_len - done;
    ssize_t r = write (io->out_fd, io->out + done, n < WRITE_MAX ? n : WRITE_MAX);
    if (r < 0 && errno != EINTR)
      fail ("writing a reply");
    done += r > 0 ? (size_t) r : 0;
  }
  io->out_len = 0;
}

unsigned char *
agent_io_reply_space (struct agent_io *io)
{
  if (OUT_SIZE - io->out_len < AGENT_MSG_MAX)
    agent_io_flush (io);
  return io->out + io->out_len;
}

void
agent_io_commit (struct agent_io *io, size_t len)
{
  io->out_len += len;
}

/* Reads what is there, after moving the unhandled bytes to the front so
 * that a whole message always fits.  Returns false at the end of the
 * input. */
static bool
fill (struct agent_io *io)
{
  memmove (io->in, io->in + io->in_start, io->in_end - io->in_start);
  io->in_end -= io->in_start;
  io->in_start = 0;
  for (;;) {
    ssize_t r = read (io->in_fd, io->in + io->in_end, IN_SIZE - io->in_end);
    if (r > 0) {
      io->in_end += (size_t) r;
      io->wait_for_host = false;
      return true;
    }
    if (r < 0 && errno != EINTR)
      fail ("reading a request");
    if (r == 0 && !io->wait_for_host)
      return false;
    if (r == 0)    /* no host yet: the port reads end of file, not blocks */
      nanosleep (&(struct timespec) { .tv_nsec = 20 * 1000 * 1000 }, NULL);
  }
}

/* The length of the message at the front, once its header is in. */
static size_t
front_length (struct agent_io *io)
{
  struct agent_header hdr;
  memcpy (&hdr, io->in + io->in_start, sizeof hdr);
  if (hdr.len < sizeof hdr || hdr.len > AGENT_MSG_MAX) {
    error_print ("a request of %u bytes (id %llu): the stream is out of step",
                 hdr.len, (unsigned long long) hdr.id);
    exit (1);
  }
  return hdr.len;
}

const unsigned char *
agent_io_next_request (struct agent_io *io, size_t *len)
{
  for (;;) {
    size_t have = io->in_end - io->in_start;
    if (have >= sizeof (struct agent_header)) {
      size_t need = front_length (io);
      if (have >= need) {
        const unsigned char *msg = io->in + io->in_start;
        io->in_start += need;
        *len = need;
        return msg;
      }
    }
    agent_io_flush (io);
    if (!fill (io))
      return NULL;
  }
}
