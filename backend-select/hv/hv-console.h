/* hv-console.h: guestfsd's channel for UML, a vhost-user virtio-console
 * device served by imgmount-console (console-main.c). */
#ifndef IMGMOUNT_HV_CONSOLE_H
#define IMGMOUNT_HV_CONSOLE_H

#include <sys/types.h>

#define GUESTFS_PORT_NAME "org.libguestfs.channel.0"

struct hv_console {
  pid_t pid;
  char *socket;   /* the vhost-user socket UML attaches (virtio_uml.device=) */
};

/* Listens on a socket in TMPDIR and starts imgmount-console on it, bridged
 * to libguestfs's CHANNEL_SOCKET.  UML can connect as soon as this returns.
 * Returns 0, or -1 with a message on stderr. */
int hv_console_start (struct hv_console *c, const char *tmpdir, const char *channel_socket);

/* Stops imgmount-console and removes the socket. */
void hv_console_stop (struct hv_console *c);

#endif
