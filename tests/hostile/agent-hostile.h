/* agent-hostile.h: the hook by which imgmount-agent-hostile (agent-main.c
 * built with AGENT_HOSTILE) bends its replies; see agent-hostile.c. */
#ifndef IMGMOUNT_AGENT_HOSTILE_H
#define IMGMOUNT_AGENT_HOSTILE_H

#include <stdbool.h>
#include <stddef.h>
#include "backend-select/appliance/agent/agent-io.h"

/* Answers the request MSG (LEN bytes) itself, or chooses silence, and
 * returns true; false leaves it to the honest agent. */
bool agent_hostile_reply (struct agent_io *io, const unsigned char *msg, size_t len);

#endif
