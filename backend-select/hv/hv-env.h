/* hv-env.h: what imgmount tells imgmount-hv, its hypervisor program.
 *
 * libguestfs runs the hypervisor program it is given (guestfs_set_hv) with
 * a qemu command line and imgmount's environment; these variables carry
 * what that command line cannot. */
#ifndef IMGMOUNT_HV_ENV_H
#define IMGMOUNT_HV_ENV_H

#define HV_ENV_QEMU "IMGMOUNT_HV_QEMU"         /* the real qemu binary */
#define HV_ENV_MODE "IMGMOUNT_HV_MODE"         /* "qemu" or "uml" */
#define HV_ENV_CACHE "IMGMOUNT_HV_CACHE"       /* cache mode for the user's disks */
#define HV_ENV_READONLY "IMGMOUNT_HV_READONLY" /* "1": never write the user's disks */
/* Followed by a drive id (hd0, hd1, ...): the JSON of the qemu node for
 * that disk's backing chain, "null" when it has none. */
#define HV_ENV_BACKING_PREFIX "IMGMOUNT_HV_BACKING_"
/* --sandbox: "on", "strict" or "off" (sandbox_mode_name); absent: on. */
#define HV_ENV_SANDBOX "IMGMOUNT_HV_SANDBOX"
/* Followed by 0, 1, ...: the files the user named with --backing, the
 * only ones besides the images that the hypervisor and
 * qemu-storage-daemon may open (read-only; confine.h). */
#define HV_ENV_READ_PREFIX "IMGMOUNT_HV_READ_"
#define HV_READ_MAX 64
/* imgmount's run directory (run-dir.h), where imgmount-hv leaves a link
 * of this name to the directory of the appliance's channel socket. */
#define HV_ENV_RUN_DIR "IMGMOUNT_HV_RUN_DIR"
#define HV_RUN_DIR_SOCKET_LINK "socket-dir"
/* In the run directory: the socket imgmount listens on for imgmount-agent's
 * channel.  When it is there, imgmount-hv gives the appliance a port named
 * AGENT_PORT_NAME (agent-protocol.h) connected to it. */
#define HV_RUN_DIR_AGENT_SOCKET "agent.sock"

#define HV_DEFAULT_QEMU "/usr/bin/qemu-system-x86_64"

#endif
