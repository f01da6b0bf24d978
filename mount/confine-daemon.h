/* confine-daemon.h: the daemon confines itself once its mount is up
 * (issue 27).  It parses every reply the appliance sends, so a flaw in
 * that parsing must not hand the user's account to a crafted image: from
 * then on it may open only what serving the mount and shutting it down
 * takes, and use no TCP.
 *
 * Landlock applies to the calling thread only (until ABI 8), and threads
 * that read guest data are already running by then (the agent's reader,
 * the watchdog): each thread applies the same ruleset from a signal
 * handler, the way glibc changes ids across threads, and the daemon
 * checks every task in /proc/self/task took it before it applies it to
 * itself.  Threads started afterwards inherit it. */
#ifndef IMGMOUNT_CONFINE_DAEMON_H
#define IMGMOUNT_CONFINE_DAEMON_H

#include <stddef.h>
#include "backend-select/hv/confine.h"

/* Confines every thread of this process to PATHS (N; the system's
 * programs and libraries come with them): no new privileges, Landlock's
 * files and TCP rules, abstract sockets only within (signals stay
 * allowed: the daemon stops the hypervisor it started).  Returns 0; 1
 * when the kernel has no Landlock (nothing was changed); -1 with errno
 * when a thread could not be confined (some may be: the caller stops,
 * or goes on saying so). */
int confine_daemon (const struct confine_path *paths, size_t n);

#endif
