/* progress.h: what imgmount is doing during the slow phases of a mount
 * (KVM probe, appliance build, boot, finding the filesystems).  On a
 * terminal a one-line status on stderr; with -v each phase's duration. */
#ifndef IMGMOUNT_PROGRESS_H
#define IMGMOUNT_PROGRESS_H

#include <stdbool.h>

/* QUIET (-q) turns the status line off; VERBOSE adds the timings. */
void progress_init (bool quiet, int verbose);

/* Ends the current phase and starts one described by WHAT ("booting the
 * appliance (tcg)"). */
void progress_phase (const char *what);

/* Ends the last phase and clears the status line. */
void progress_done (void);

#endif
