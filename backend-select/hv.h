/* hv.h: the two halves of imgmount-hv, the hypervisor program that
 * libguestfs runs in place of qemu. */
#ifndef IMGMOUNT_HV_H
#define IMGMOUNT_HV_H

/* Runs qemu with ARGV (a qemu command line from libguestfs), with the
 * user's disks switched to the cache mode imgmount asked for.  Returns only
 * on failure, with an exit status. */
int hv_run_qemu (int argc, char **argv);

/* Runs the launch command line ARGV under User-Mode Linux instead. */
int hv_run_uml (int argc, char **argv);

/* Whether ARGV is libguestfs launching the appliance, rather than probing
 * the hypervisor's capabilities (-help, -version, QMP queries). */
int hv_is_launch (int argc, char **argv);

/* The path of the appliance's channel socket in the launch command line
 * ARGV (malloc'd), or NULL. */
char *hv_channel_path (int argc, char **argv);

#endif
