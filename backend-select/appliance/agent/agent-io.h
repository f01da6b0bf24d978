/* agent-io.h: imgmount-agent's two byte streams, requests in and replies
 * out, each through one buffer, so that every request already received is
 * handled before the agent waits again, and replies leave in a few large
 * writes rather than one each. */
#ifndef IMGMOUNT_AGENT_IO_H
#define IMGMOUNT_AGENT_IO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct agent_io;

/* Reads from IN_FD and writes to OUT_FD (the same descriptor for a port).
 * WAIT_FOR_HOST: end of file before the first byte means the host is not
 * there yet (a virtio-serial port reads so until it connects), not that
 * it has gone. */
struct agent_io *agent_io_new (int in_fd, int out_fd, bool wait_for_host);

/* The next complete request, its header included, and its length in
 * *LEN; it stays valid until the next call.  Writes out the pending
 * replies and waits only when no complete request is buffered.  NULL at
 * the end of the input.  Exits with status 1 on a read error or a
 * header whose length cannot be right, after which nothing would be in
 * step. */
const unsigned char *agent_io_next_request (struct agent_io *io, size_t *len);

/* Room for one reply of up to AGENT_MSG_MAX bytes; agent_io_commit then
 * says how many of them it took. */
unsigned char *agent_io_reply_space (struct agent_io *io);
void agent_io_commit (struct agent_io *io, size_t len);

/* Frees IO (its descriptors stay open). */
void agent_io_free (struct agent_io *io);

/* Writes out every pending reply.  Exits with status 1 when it cannot. */
void agent_io_flush (struct agent_io *io);

#endif
