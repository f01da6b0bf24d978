/* hv-console.h: virtio-serial ports for UML (guestfsd's channel, and
 * imgmount-agent's), each a vhost-user virtio-console device served by an
 * imgmount-console (console-main.c). */
#ifndef IMGMOUNT_HV_CONSOLE_H
#define IMGMOUNT_HV_CONSOLE_H

#include <sys/types.h>

#define GUESTFS_PORT_NAME "org.libguestfs.channel.0"

struct hv_console {
  pid_t pid;
  char *socket;   /* the vhost-user socket UML attaches (virtio_uml.device=) */
};

/* Listens on TMPDIR/SOCKET_NAME and starts imgmount-console on it, a port
 * named PORT_NAME bridged to CHANNEL_SOCKET.  UML can connect as soon as
 * this returns.  Returns 0, or -1 with a message on stderr. */
int hv_console_start (struct hv_console *c, const char *tmpdir, const char *socket_name,
                      const char *channel_socket, const char *port_name);

/* Stops imgmount-console and removes the socket. */
void hv_console_stop (struct hv_console *c);

#endif
