/* console-relay.h: qemu's serial console (its stdout, libguestfs's
 * console socket) through a relay process that reads it as fast as qemu
 * writes, so that a guest printing while nobody reads never waits. */
#ifndef IMGMOUNT_CONSOLE_RELAY_H
#define IMGMOUNT_CONSOLE_RELAY_H

#include <stdbool.h>

/* Starts the relay, a child of this process confined as it is (and with
 * SECCOMP, under confine_seccomp's filter too), on this process's stdout,
 * which becomes the relay's pipe; call it last before exec'ing qemu.  The relay exits once qemu (every holder of the pipe)
 * has gone and it has handed on what it kept.  0, or -1 with errno. */
int console_relay_start (bool seccomp);

#endif
