/* hv.h: the two halves of imgmount-hv, the hypervisor program that
 * libguestfs runs in place of qemu. */
#ifndef IMGMOUNT_HV_H
#define IMGMOUNT_HV_H

#include <stdbool.h>
#include "backend-select/backend-name.h"
#include "backend-select/hv/confine.h"
#include "image/image-header.h"

/* Runs qemu with ARGV (a qemu command line from libguestfs), with the
 * user's disks switched to the cache mode imgmount asked for.  Returns only
 * on failure, with an exit status. */
int hv_run_qemu (int argc, char **argv);

/* The appliance's channel, from the launch command line: guestfsd's
 * socket and the directory it is in (libguestfs's socket directory,
 * which guestfs_close removes); either may be NULL. */
struct hv_channel {
  char *socket, *dir;
};

/* Runs the launch command line ARGV under User-Mode Linux instead. */
int hv_run_uml (int argc, char **argv, const struct hv_channel *channel);

/* The socket of imgmount-agent's channel (malloc'd), when imgmount made
 * one (HV_RUN_DIR_AGENT_SOCKET); else NULL: libguestfs's own tools run
 * through imgmount-hv too, and there is no agent to reach then. */
char *hv_agent_socket (void);

/* The JSON of the backing node imgmount checked for the user's disk ID
 * (hd0, hd1, ...; HV_ENV_BACKING_PREFIX), "null" for none; without word
 * from imgmount, none. */
const char *hv_backing_node (const char *id);

/* --sandbox, as imgmount passed it (HV_ENV_SANDBOX); on when absent, as
 * under libguestfs's own tools. */
enum sandbox_mode hv_sandbox (void);

/* In a child about to exec WHO (one thread): a network namespace of its
 * own (confine_own_network), its seccomp filter (confine_helper) when
 * SECCOMP, and Landlock on PATHS (N), as hv_sandbox says.  0, or -1 with
 * a message when --sandbox=strict and one of them could not be had (the
 * child must not exec then); under on, what is missing is said and gone
 * without. */
int hv_confine (const char *who, bool seccomp, const struct confine_path *paths, size_t n);

/* For a -drive SPEC of libguestfs's read-only overlay (a qcow2 file in
 * its temporary directory over the user's disk): the overlay's path
 * (malloc'd, in *OVERLAY, also on failure) and its header.  -1 with a
 * message when SPEC is no such drive or the header cannot be read. */
int hv_overlay_header (const char *spec, char **overlay, struct image_header *hdr);

/* Appends to PATHS (N so far, room for MAX) the files the user named with
 * --backing (HV_ENV_READ_PREFIX), read-only. */
void hv_allow_backing_files (struct confine_path *paths, size_t *n, size_t max);

/* Whether ARGV is libguestfs launching the appliance, rather than probing
 * the hypervisor's capabilities (-help, -version, QMP queries). */
int hv_is_launch (int argc, char **argv);

#endif
