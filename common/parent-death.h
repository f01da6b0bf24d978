/* parent-death.h: tying a child process to the life of its parent, for
 * the processes imgmount and imgmount-hv start that must not outlive them
 * (the daemon before it is ready, qemu-storage-daemon, imgmount-console,
 * UML). */
#ifndef IMGMOUNT_PARENT_DEATH_H
#define IMGMOUNT_PARENT_DEATH_H

#include <sys/types.h>

/* In a child just forked: has SIG sent to it when its parent exits, then
 * makes sure that parent is still EXPECTED_PARENT (the parent's getpid ()
 * taken before the fork), as a parent that exited before that left the
 * child to another process and no signal will ever come.  The child then
 * ends at once, with _exit (1).  Returns 0, or -1 with errno if the
 * signal could not be set. */
int die_with_parent (pid_t expected_parent, int sig);

#endif
