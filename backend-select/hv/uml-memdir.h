/* uml-memdir.h: the directory UML keeps the file of its memory in.
 *
 * Why one of its own: UML makes that file in $TMPDIR, else in /dev/shm
 * when that is a tmpfs; confined by Landlock (confine.h) it may not see
 * the rest of /dev/shm, others' shared memory, so imgmount-hv gives it an
 * empty directory there.  UML removes its file as soon as it has it open;
 * the directory goes when imgmount-hv ends, or, when that was killed, at
 * the next sweep (its PID is in the name). */
#ifndef IMGMOUNT_UML_MEMDIR_H
#define IMGMOUNT_UML_MEMDIR_H

/* Makes the directory for this process (malloc'd path), or NULL when
 * there is no /dev/shm to make it in. */
char *uml_memdir_make (void);

/* Removes the directories of imgmount-hv processes that have ended
 * without removing theirs (empty ones only). */
void uml_memdir_sweep (void);

#endif
