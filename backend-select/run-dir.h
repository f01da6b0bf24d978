/* run-dir.h: the mount's run directory, and the process that removes it.
 *
 * While its handle is open libguestfs keeps two directories: a temporary
 * one (under $TMPDIR) and one for the appliance's channel socket (always
 * /tmp for root), where imgmount-hv adds UML's files.  Only guestfs_close
 * removes them, so a kill -9 of imgmount, or a Ctrl-C while the appliance
 * boots, left both behind: libguestfs's recovery process stops the
 * hypervisor but removes nothing.
 *
 * So libguestfs's temporary directory goes inside a run directory of
 * imgmount's own, imgmount-hv leaves a link there to the socket directory
 * (HV_RUN_DIR_SOCKET_LINK), and a small process forked before the launch
 * removes both once imgmount has gone, whichever way it went. */
#ifndef IMGMOUNT_RUN_DIR_H
#define IMGMOUNT_RUN_DIR_H

#include <guestfs.h>

/* Makes the run directory under $TMPDIR (else /tmp), points G's temporary
 * directory and imgmount-hv into it, and starts the process that removes
 * it.  Before guestfs_launch.  Returns 0, or -1 with *ERR set. */
int run_dir_start (guestfs_h *g, char **err);

/* The run directory, between run_dir_start and run_dir_finish. */
const char *run_dir_path (void);

/* The socket directory that DIR's link names (imgmount-hv makes the
 * link once the appliance starts), or NULL; to be freed. */
char *run_dir_socket_dir (const char *dir);

/* After guestfs_close: removes what is left now and waits until that is
 * done, so that nothing of the mount outlives imgmount. */
void run_dir_finish (void);

#endif
