/* daemon.h: going to the background once, and telling the shell when the
 * mountpoint is usable. */
#ifndef IMGMOUNT_DAEMON_H
#define IMGMOUNT_DAEMON_H

/* Forks.  The parent waits until the child calls daemon_ready (then exits
 * 0) or exits itself (then exits with the child's status): it never
 * returns.  The child returns the descriptor to pass to daemon_ready; if
 * the parent dies first, the child gets SIGTERM. */
int daemon_fork (void);

/* Tells the waiting parent that the mount is usable, and detaches from the
 * terminal: stdin, stdout and stderr to /dev/null, so that a pipe reading
 * imgmount's output ends when imgmount returns.  (-f keeps them.) */
void daemon_ready (int ready_fd);

#endif
