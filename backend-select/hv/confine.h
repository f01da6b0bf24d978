/* confine.h: what imgmount-hv takes away from itself and from the
 * programs it runs (qemu, qemu-storage-daemon, UML, imgmount-console)
 * before they touch the image's data (issue 27).  A crafted image may
 * take over the appliance, and on UML the appliance's kernel is a host
 * process: whatever it gains there, it must not gain privileges on the
 * host, nor reach the parts of the host kernel no hypervisor needs. */
#ifndef IMGMOUNT_HV_CONFINE_H
#define IMGMOUNT_HV_CONFINE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

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

/* confine_helper's filter, for this thread and what it starts, or (ALL_THREADS)
 * for every thread of the process (imgmount's daemon).  Needs no new
 * privileges or CAP_SYS_ADMIN.  Returns 0, or -1 with errno; prints
 * nothing. */
int confine_seccomp (bool all_threads);

/* Moves this process, before it execs a hypervisor or a helper, into a
 * network namespace of its own, which has nothing but a loopback device
 * that is down: no TCP, UDP or raw socket of it reaches anything.  A user
 * other than root may make one only inside a user namespace of its own:
 * there the process keeps its uid and gid (mapped to themselves), so what
 * it execs has no capability in it (not root there) and opens files as
 * before.  The process must have one thread.  Returns 0, or -1 with errno
 * (no namespaces in this kernel, or not allowed to make them). */
int confine_own_network (void);

/* In a process just moved into a user namespace of its own (by unshare or
 * clone; not root outside it): maps UID and GID, its ids outside, to
 * themselves there.  Returns 0, or -1 with errno. */
int confine_map_ids (uid_t uid, gid_t gid);

/* Whether confine_own_network succeeds here (tried in a child). */
int confine_own_network_works (void);

/* What a confined program may do with a path (and, for a directory,
 * everything beneath it). */
enum confine_access {
  CONFINE_READ,    /* open files for reading, list directories */
  CONFINE_EXEC,    /* ... and execute */
  CONFINE_WRITE,   /* read and write files (not create or remove them) */
  CONFINE_ALL,     /* everything: create, remove, rename, sockets, ... */
  CONFINE_REMOVE,  /* a directory: remove files in it, nothing else */
};

struct confine_path {
  const char *path;        /* NULL: left out */
  enum confine_access access;
};

/* The Landlock ABI that has all confine_landlock asks for: files, TCP,
 * signals and abstract sockets (--sandbox=strict needs it). */
#define CONFINE_LANDLOCK_FULL_ABI 6

/* The highest Landlock ABI the kernel has, 0 for none. */
int confine_landlock_abi (void);

/* In a child about to exec: a Landlock domain, inherited across exec and
 * by every process the program starts, in which it may open only PATHS
 * (N of them; paths that do not exist are left out) and the system's
 * programs and libraries (/usr, /lib*, /bin, /sbin, /etc/ld.so.cache,
 * /dev/null, /dev/zero, /dev/urandom), bind and connect no TCP socket
 * (Landlock ABI 4 on), and neither signal nor reach through abstract UNIX
 * sockets a process outside the domain (ABI 6 on).  Sets no new
 * privileges, which Landlock needs.  Returns 0; 1 when the kernel has no
 * Landlock (the caller goes on without); -1 with errno when a rule could
 * not be made (the caller goes on without, or refuses). */
int confine_landlock (const struct confine_path *paths, size_t n);

/* confine_landlock's two steps, for a caller that confines several
 * threads alike (mount/confine-daemon.c): the ruleset (SCOPE_SIGNALS:
 * also no signals out of the domain), as an fd, or -1 with errno (ENOSYS:
 * no Landlock); then, in each thread, no new privileges and the ruleset
 * applied to that thread: 0, or -1 with errno. */
int confine_landlock_ruleset (const struct confine_path *paths, size_t n, bool scope_signals);
int confine_landlock_apply (int ruleset);

/* imgmount-hv --self-test-confined [FILE [PORT [PID]]]: confines this
 * process as UML is confined (a network namespace of its own, no new
 * privileges, confine_helper's filter,
 * confine_landlock with no file of its own), then tries what that denies:
 * load a module, mount a tmpfs, call bpf; and, when given, read FILE,
 * connect to TCP PORT on 127.0.0.1 and signal PID (signal 0: nothing is
 * sent even if allowed).  Prints what happened, the Landlock ABI, and
 * this process's NoNewPrivs and Seccomp.  Returns 0 when each try was
 * refused (the TCP one only from Landlock ABI 4, the signal from ABI 6,
 * which it says), else 1. */
int confine_self_test (const char *file, const char *port, const char *pid);

#define CONFINE_SELF_TEST_OPTION "--self-test-confined"

#endif
