/* agent-devices.h: the DEVICES request of common/agent-protocol.h. */
#ifndef IMGMOUNT_AGENT_DEVICES_H
#define IMGMOUNT_AGENT_DEVICES_H

#include <stddef.h>

/* The reply's text into OUT (room for CAP bytes), its length in
 * *OUT_LEN; 0 or an errno (E2BIG: more than CAP). */
int agent_devices_report (char *out, size_t cap, size_t *out_len);

#endif
