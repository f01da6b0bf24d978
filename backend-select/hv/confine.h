/* confine.h: what imgmount-hv takes away from itself and from the
 * programs it runs (qemu, qemu-storage-daemon, UML, imgmount-console)
 * before they touch the image's data (issue 27).  A crafted image may
 * take over the appliance, and on UML the appliance's kernel is a host
 * process: whatever it gains there, it must not gain privileges on the
 * host, nor reach the parts of the host kernel no hypervisor needs. */
#ifndef IMGMOUNT_HV_CONFINE_H
#define IMGMOUNT_HV_CONFINE_H

/* No new privileges (PR_SET_NO_NEW_PRIVS) for this process and all it
 * execs or starts from now on: a setuid or setcap program it runs gains
 * nothing.  Inherited across fork and exec, and cannot be undone.
 * Returns 0, or -1 with a message on stderr (a kernel older than 3.5):
 * the caller goes on without. */
int confine_no_new_privs (void);

/* In a child about to exec UML, imgmount-console or qemu-storage-daemon
 * (qemu brings its own filter, -sandbox): a seccomp filter, inherited
 * across exec and by every process the program starts, under which the
 * system calls no hypervisor needs fail with EPERM: loading modules,
 * kexec, mounting, bpf, perf, the kernel keyring, swap, reboot,
 * open_by_handle_at, userfaultfd.  Everything else is allowed (UML
 * ptraces its own children).  Returns 0, or -1 with a message on stderr
 * (no seccomp in the host kernel): the caller goes on without. */
int confine_helper (void);

/* imgmount-hv --self-test-confined: confines this process as
 * confine_no_new_privs and confine_helper do, then tries what the filter
 * denies (load a module, mount a tmpfs, call bpf), and prints what
 * happened and this process's NoNewPrivs and Seccomp.  Returns 0 when
 * each try failed with EPERM, else 1. */
int confine_self_test (void);

#define CONFINE_SELF_TEST_OPTION "--self-test-confined"

#endif
