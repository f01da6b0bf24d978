/* programs.h: imgmount's helper programs (imgmount-hv, imgmount-console,
 * qemu-storage-daemon): finding them (beside the running executable, as in
 * a build tree, else where meson installs them) and stopping them; and
 * running a host tool to completion (supermin, tar, xz). */
#ifndef IMGMOUNT_PROGRAMS_H
#define IMGMOUNT_PROGRAMS_H

#include <stdbool.h>
#include <sys/types.h>

/* The malloc'd path of helper program NAME. */
char *helper_program (const char *name);

/* Runs ARGV (ARGV[0] searched in PATH) and waits for it, with IN and OUT
 * as its standard input and output when not -1 (else /dev/null, and our
 * own output unless QUIET); its standard error is ours unless QUIET.
 * Returns its exit status, 128 + the signal that killed it, or 127 if it
 * could not be started. */
int run_program (char *const argv[], int in, int out, bool quiet);

/* Stops child *PID (SIGTERM, then waits for it) and sets *PID to 0; does
 * nothing when *PID is not positive. */
void stop_child (pid_t *pid);

#endif
