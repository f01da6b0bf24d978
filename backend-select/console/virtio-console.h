/* virtio-console.h: a virtio console device with the multiport feature and
 * one named port (a virtio-serial channel, as libguestfs's guestfsd uses),
 * whose data goes to and from a connected stream socket. */
#ifndef IMGMOUNT_VIRTIO_CONSOLE_H
#define IMGMOUNT_VIRTIO_CONSOLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "backend-select/console/vhost-user.h"

#define CONSOLE_NAME_MAX 255
#define CONSOLE_CTL_SLOTS 16
/* struct virtio_console_control and, for PORT_NAME, the name */
#define CONSOLE_CTL_SIZE (8 + CONSOLE_NAME_MAX)

struct console {
  struct vu_server *vu;         /* its queues, and debug logging */
  const char *port_name;
  int chan_fd;                  /* -1 once the channel has closed */
  /* Why the guest's driver broke the device, or NULL.  Set by a kick or
   * channel I/O; no data moves from then on, and the caller reports it
   * and stops.  The device leaves the channel open: closing it is the
   * clean end of file of a working device, which the guest is told of. */
  const char *broken;
  bool port_added;              /* PORT_ADD sent */
  bool guest_open;              /* a guest process has the port open */
  size_t tx_partial;            /* bytes of the oldest tx chain already sent */
  /* control messages waiting for buffers on the control receive queue */
  uint8_t ctl_buf[CONSOLE_CTL_SLOTS][CONSOLE_CTL_SIZE];
  size_t ctl_len[CONSOLE_CTL_SLOTS];
  int ctl_head, ctl_count;
  uint64_t to_guest, from_guest; /* bytes, for the debug log */
};

/* The device's operations for vu_init, with a struct console as DEV. */
extern const struct vu_device_ops console_ops;

/* Sets up C for port PORT_NAME bridged to the connected, non-blocking
 * socket CHAN_FD, on the queues of VU.  Returns -1 with *ERR set if the
 * name is too long for a control message. */
int console_init (struct console *c, struct vu_server *vu, const char *port_name,
                  int chan_fd, char **err);

/* The poll events to wait for on c->chan_fd: only those the device can
 * act on now (guest buffers to fill, guest data to write). */
short console_channel_events (struct console *c);

/* Acts on poll's REVENTS for c->chan_fd. */
void console_channel_io (struct console *c, short revents);

#endif
