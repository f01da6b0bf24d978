/* side-process.h: the small processes the daemon forks to act after it,
 * or for it, when it cannot (imgmount-rm, imgmount-umount): they hold
 * nothing of the daemon's open, hear only the daemon, and end with it. */
#ifndef IMGMOUNT_SIDE_PROCESS_H
#define IMGMOUNT_SIDE_PROCESS_H

/* In a child just forked: named NAME (as ps shows it), deaf to the
 * terminal's signals (they reach it with the rest of a foreground
 * imgmount's process group: the daemon decides), standard input and
 * output on /dev/null, and no descriptor open but FD, moved to 3: not the
 * image files (their locks), nor /dev/fuse (the connection would outlive
 * the daemon), nor a pipe someone waits on.  Exits if FD cannot be kept. */
void side_process_start (const char *name, int fd);

/* Reads one byte from descriptor 3: 1, or 0 at end of file or on error
 * (the daemon has gone). */
int side_process_read (void);

#endif
