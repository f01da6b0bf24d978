/* confine.c: see confine.h.  One place for every restriction imgmount-hv
 * puts on the hypervisor and its helpers, so that they all get the same,
 * and so that the self-test tries exactly what they get. */
#include <errno.h>
#include <fcntl.h>
#include <arpa/inet.h>
#include <linux/bpf.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "backend-select/hv/confine.h"
#include "common/message.h"
#include "common/xalloc.h"

int
confine_no_new_privs (void)
{
  if (prctl (PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1) {
    error_print ("no new privileges: %s; going on without", strerror (errno));
    return -1;
  }
  return 0;
}

int
confine_helper (void)
{
  if (confine_seccomp (false) == -1) {
    error_print ("seccomp filter: %s; going on without", strerror (errno));
    return -1;
  }
  return 0;
}

/* Prints WHAT and how the call that returned R failed; whether with EPERM. */
static int
denied_with_eperm (const char *what, long r)
{
  int e = errno;
  printf ("%s: %s\n", what, r == -1 ? strerror (e) : "succeeded");
  return r == -1 && e == EPERM;
}

static void
print_status_lines (void)
{
  FILE *f = fopen ("/proc/self/status", "r");
  char line[256];
  while (f && fgets (line, sizeof line, f))
    if (strncmp (line, "NoNewPrivs:", 11) == 0 || strncmp (line, "Seccomp:", 8) == 0)
      fputs (line, stdout);
  if (f)
    fclose (f);
}

/* The tries that need the Landlock domain: FILE, PORT, PID as given. */
static int
landlock_tries (const char *file, const char *port, const char *pid)
{
  int abi = confine_landlock_abi ();
  printf ("landlock ABI: %d\n", abi);
  if (abi == 0)
    return 1;                   /* nothing to try: said, and going on without */
  int ok = confine_landlock (NULL, 0) == 0;
  if (file) {
    int fd = open (file, O_RDONLY | O_CLOEXEC);
    int e = errno;
    printf ("open %s: %s\n", file, fd >= 0 ? "succeeded" : strerror (e));
    ok &= fd < 0 && e == EACCES;
    if (fd >= 0)
      close (fd);
  }
  if (port) {
    struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons ((uint16_t) atoi (port)),
                              .sin_addr.s_addr = htonl (INADDR_LOOPBACK) };
    int s = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int r = s < 0 ? -1 : connect (s, (struct sockaddr *) &sa, sizeof sa);
    int e = errno;
    if (abi < 4)
      printf ("connect 127.0.0.1:%s: not confined below Landlock ABI 4\n", port);
    else {
      printf ("connect 127.0.0.1:%s: %s\n", port, r == 0 ? "succeeded" : strerror (e));
      ok &= r == -1 && e == EACCES;
    }
    if (s >= 0)
      close (s);
  }
  if (pid) {
    long r = kill ((pid_t) atol (pid), 0);
    int e = errno;
    if (abi < 6)
      printf ("signal %s: not confined below Landlock ABI 6\n", pid);
    else {
      printf ("signal %s: %s\n", pid, r == 0 ? "succeeded" : strerror (e));
      ok &= r == -1 && e == EPERM;
    }
  }
  return ok;
}

int
confine_self_test (const char *file, const char *port, const char *pid)
{
  int own_network = confine_own_network () == 0;
  printf ("network namespace: %s\n", own_network ? "of its own" : strerror (errno));
  int ok = own_network && confine_no_new_privs () == 0 && confine_helper () == 0;
  /* Should the filter not hold, none of these may do harm: /dev/null is
   * no module, the tmpfs goes on a directory of our own and is taken off
   * again, and an all-zero map is refused. */
  int fd = open ("/dev/null", O_RDONLY | O_CLOEXEC);
  ok &= denied_with_eperm ("finit_module", syscall (SYS_finit_module, fd, "", 0));
  close (fd);
  const char *tmp = getenv ("TMPDIR");
  char *dir = xasprintf ("%s/imgmount-confine.XXXXXX", tmp && *tmp ? tmp : "/tmp");
  if (!mkdtemp (dir)) {
    printf ("mount: %s: %s\n", dir, strerror (errno));
    ok = 0;
  } else {
    int r = mount ("imgmount-confine", dir, "tmpfs", MS_NOSUID | MS_NODEV, NULL);
    ok &= denied_with_eperm ("mount", r);
    if (r == 0)
      umount2 (dir, MNT_DETACH);
    rmdir (dir);
  }
  free (dir);
  union bpf_attr attr;
  memset (&attr, 0, sizeof attr);
  ok &= denied_with_eperm ("bpf", syscall (SYS_bpf, BPF_MAP_CREATE, &attr, sizeof attr));
  print_status_lines ();      /* before Landlock, which leaves /proc out */
  ok &= landlock_tries (file, port, pid);
  return ok ? 0 : 1;
}
