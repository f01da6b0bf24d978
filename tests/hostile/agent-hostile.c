/* agent-hostile.c: what a taken-over appliance could put in place of
 * imgmount-agent, for tests/integration/81-hostile-agent.sh.
 *
 * imgmount-agent-hostile is the real agent (agent-main.c built with
 * AGENT_HOSTILE), honest except for a LOOKUP of a name beginning
 * "hostile-": the rest of the name says what it sends instead.  The test
 * makes files of those names in an image and looks them up through the
 * mount; everything else (HELLO, DEVICES, the other names) stays honest,
 * so that the mount comes up.  The unit tests' double
 * (tests/hostile/agent-double.c) covers every bent field; this one runs
 * in the real appliance, through the real channel and daemon. */
#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <sys/stat.h>
#include "common/agent-protocol.h"
#include "tests/hostile/agent-hostile.h"

#define PREFIX "hostile-"

/* Commits HDR (its len, op and id already set) and BODY. */
static void
send (struct agent_io *io, struct agent_header *hdr, const void *body, size_t body_len)
{
  unsigned char *out = agent_io_reply_space (io);
  memcpy (out, hdr, sizeof *hdr);
  if (body_len)
    memcpy (out + sizeof *hdr, body, body_len);
  agent_io_commit (io, sizeof *hdr + body_len);
}

/* The reply to REQ, a LOOKUP of PREFIX MODE; false for a mode it does not
 * know (then the honest agent answers). */
static bool
bend (struct agent_io *io, const struct agent_header *req, const char *mode, size_t len)
{
  struct agent_header h = { .len = sizeof h, .op = req->op, .error = ENOENT, .id = req->id };
#define IS(m) (len == sizeof m - 1 && memcmp (mode, m, len) == 0)
  if (IS ("garbage")) {
    unsigned char junk[64];
    memset (junk, 0xa5, sizeof junk);
    memcpy (agent_io_reply_space (io), junk, sizeof junk);
    agent_io_commit (io, sizeof junk);
  }
  else if (IS ("unknown-id")) {
    h.id += 1000;
    send (io, &h, NULL, 0);
  }
  else if (IS ("huge")) {
    h.len = 0xfffffff0u;
    send (io, &h, NULL, 0);
  }
  else if (IS ("mode")) {
    /* Well framed, but attributes no file has: only this call fails. */
    struct agent_entry e = { .handle = 77 };
    e.attr = (struct agent_attr) { .dev = 1, .ino = 999, .mode = 0170644, .nlink = 1,
                                   .blksize = 4096 };
    h.len = sizeof h + sizeof e;
    h.error = 0;
    send (io, &h, &e, sizeof e);
  }
  else if (IS ("endless"))
    for (;;) {                  /* the reply, then copies without end */
      send (io, &h, NULL, 0);
      agent_io_flush (io);
    }
  else if (IS ("silent"))
    ;                           /* no reply, ever */
  else
    return false;
#undef IS
  return true;
}

bool
agent_hostile_reply (struct agent_io *io, const unsigned char *msg, size_t len)
{
  struct agent_header hdr;
  struct agent_lookup l;
  memcpy (&hdr, msg, sizeof hdr);
  if (hdr.op != AGENT_OP_LOOKUP || len < sizeof hdr + sizeof l)
    return false;
  memcpy (&l, msg + sizeof hdr, sizeof l);
  const char *name = (const char *) msg + sizeof hdr + sizeof l;
  size_t n = len - sizeof hdr - sizeof l;
  if (l.namelen != n || n <= strlen (PREFIX) || memcmp (name, PREFIX, strlen (PREFIX)) != 0)
    return false;
  return bend (io, &hdr, name + strlen (PREFIX), n - strlen (PREFIX));
}
