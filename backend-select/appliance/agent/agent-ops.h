/* agent-ops.h: what imgmount-agent does for each request of
 * agent-protocol.h. */
#ifndef IMGMOUNT_AGENT_OPS_H
#define IMGMOUNT_AGENT_OPS_H

#include <stddef.h>
#include "backend-select/appliance/agent/agent-io.h"

/* The directory to serve; opened when the first HELLO comes. */
void agent_ops_set_root (const char *path);

/* Handles request MSG (LEN bytes, its header's length) and queues its one
 * reply on IO. */
void agent_ops_reply (struct agent_io *io, const unsigned char *msg, size_t len);

#endif
