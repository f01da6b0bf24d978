/* confine.h: what imgmount-hv takes away from itself and from the
 * programs it runs (qemu, qemu-storage-daemon, UML, imgmount-console)
 * before they touch the image's data (issue 27).  A crafted image may
 * take over the appliance, and on UML the appliance's kernel is a host
 * process: whatever it gains there, it must not gain privileges on the
 * host. */
#ifndef IMGMOUNT_HV_CONFINE_H
#define IMGMOUNT_HV_CONFINE_H

/* No new privileges (PR_SET_NO_NEW_PRIVS) for this process and all it
 * execs or starts from now on: a setuid or setcap program it runs gains
 * nothing.  Inherited across fork and exec, and cannot be undone.
 * Returns 0, or -1 with a message on stderr (a kernel older than 3.5):
 * the caller goes on without. */
int confine_no_new_privs (void);

#endif
