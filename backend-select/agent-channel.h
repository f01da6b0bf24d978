/* agent-channel.h: the host end of imgmount-agent's channel.
 *
 * imgmount listens on a socket in its run directory before the launch;
 * the hypervisor (qemu's chardev, or UML's second imgmount-console)
 * connects to it at start and bridges it to the appliance's port
 * AGENT_PORT_NAME.  The run directory is imgmount's alone (mode 0700), so
 * the one connection accepted is the hypervisor's. */
#ifndef IMGMOUNT_AGENT_CHANNEL_H
#define IMGMOUNT_AGENT_CHANNEL_H

/* Listens on RUN_DIR/HV_RUN_DIR_AGENT_SOCKET.  Returns the listening
 * descriptor, or -1 with a one-line reason in *ERR. */
int agent_channel_listen (const char *run_dir, char **err);

/* Accepts the hypervisor's connection on LISTEN_FD, waiting at most
 * TIMEOUT seconds, and closes LISTEN_FD.  Returns the connected
 * descriptor, or -1 with a one-line reason in *ERR. */
int agent_channel_accept (int listen_fd, double timeout, char **err);

#endif
