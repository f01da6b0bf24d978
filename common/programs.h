/* programs.h: imgmount's helper programs (imgmount-hv, imgmount-console,
 * qemu-storage-daemon): finding them (beside the running executable, as in
 * a build tree, else where meson installs them) and stopping them. */
#ifndef IMGMOUNT_PROGRAMS_H
#define IMGMOUNT_PROGRAMS_H

#include <sys/types.h>

/* The malloc'd path of helper program NAME. */
char *helper_program (const char *name);

/* Stops child *PID (SIGTERM, then waits for it) and sets *PID to 0; does
 * nothing when *PID is not positive. */
void stop_child (pid_t *pid);

#endif
