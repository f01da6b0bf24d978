/* watchdog.h: no appliance call may hang forever.
 *
 * libguestfs waits for the appliance without a time limit (launch waits up
 * to 20 minutes), and a channel that stops carrying data (the UML serial
 * line with a bulk transfer) would hang the mount for good.  While a call
 * is in progress, the watchdog stops the hypervisor once no call has begun
 * for the time limit; the call then fails and so does every later one. */
#ifndef IMGMOUNT_WATCHDOG_H
#define IMGMOUNT_WATCHDOG_H

#include <stdbool.h>
#include <guestfs.h>

/* Watches G, starting a thread.  Returns 0 or -1. */
int watchdog_start (guestfs_h *g);

/* Between busy(SECONDS) and idle() the appliance must start an API call at
 * least every SECONDS. */
void watchdog_busy (double seconds);
/* The same, but the whole of it must end within SECONDS: for the launch,
 * whose progress events (qemu started, kernel booted...) would otherwise
 * stretch IMGMOUNT_LAUNCH_TIMEOUT without end. */
void watchdog_busy_at_most (double seconds);
void watchdog_idle (void);

/* Whether the watchdog stopped the hypervisor, and after how long. */
bool watchdog_fired (double *seconds);

void watchdog_stop (void);

/* Calls CALLBACK (ARG), once, from the watchdog's thread, if the
 * hypervisor exits; NULL disarms it (before shutting the appliance down). */
void watchdog_on_death (void (*callback) (void *), void *arg);

/* Once the appliance is up: holds on to the hypervisor processes (as
 * pidfds), so that from then on the watchdog needs no /proc to tell
 * whether they live, nor to stop them: a daemon confined afterwards
 * (confine-daemon.h) may read neither /proc/PID/exe nor other processes'
 * entries.  Returns 0, or -1 when not every one could be held (then none
 * is, and the watchdog goes on finding them in /proc). */
int watchdog_pin_hypervisors (void);

/* The time limits, from $IMGMOUNT_LAUNCH_TIMEOUT and $IMGMOUNT_CALL_TIMEOUT. */
double watchdog_launch_timeout (void);
double watchdog_call_timeout (void);

#endif
