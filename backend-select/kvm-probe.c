/* kvm-probe.c: does a KVM guest really boot on this host?
 *
 * /dev/kvm can exist and accept ioctls while guests still fail: inside
 * some cloud VMs qemu aborts on an MSR, or the guest hangs early in boot.
 * libguestfs would then pick KVM and fail or hang.  So boot the appliance
 * kernel under KVM with no root filesystem and wait, with a time limit, for
 * the panic that proves it ran all the way to mounting root.  The answer
 * is cached, keyed by what could change it. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "common/clock.h"
#include "common/message.h"
#include "common/xalloc.h"
#include "backend-select/cache-dir.h"
#include "backend-select/kvm-probe.h"

#define QEMU "/usr/bin/qemu-system-x86_64"
#define DEFAULT_TIMEOUT_S 10

/* The newest kernel in /boot: the one supermin builds the appliance with. */
static char *
find_kernel (void)
{
  DIR *dir = opendir ("/boot");
  if (!dir)
    return NULL;
  char *best = NULL;
  struct dirent *d;
  while ((d = readdir (dir)) != NULL)
    if (strncmp (d->d_name, "vmlinuz-", 8) == 0 &&
        (!best || strverscmp (d->d_name, best) > 0)) {
      free (best);
      best = xstrdup (d->d_name);
    }
  closedir (dir);
  if (!best)
    return NULL;
  char *path = xasprintf ("/boot/%s", best);
  free (best);
  return path;
}

/* What the answer depends on, as one line. */
static char *
cache_key (const char *kernel)
{
  struct utsname u;
  struct stat q, k;
  uname (&u);
  if (stat (QEMU, &q) == -1 || stat (kernel, &k) == -1)
    return NULL;
  return xasprintf ("host=%s %s qemu=%lld:%lld kernel=%s:%lld:%lld",
                    u.release, u.version, (long long) q.st_size, (long long) q.st_mtime,
                    kernel, (long long) k.st_size, (long long) k.st_mtime);
}

static int
cache_read (const char *file, const char *key, char **why)
{
  FILE *fp = fopen (file, "re");
  if (!fp)
    return -1;
  char *line = NULL;
  size_t cap = 0;
  int answer = -1;
  if (getline (&line, &cap, fp) > 0 && strcmp (strtok (line, "\n"), key) == 0 &&
      getline (&line, &cap, fp) > 0) {
    strtok (line, "\n");
    answer = strcmp (line, "ok") == 0;
    if (!answer)
      *why = xstrdup (line);
  }
  free (line);
  fclose (fp);
  return answer;
}

static void
cache_write (const char *file, const char *key, int answer, const char *why)
{
  char *tmp = xasprintf ("%s.%d", file, (int) getpid ());
  FILE *fp = fopen (tmp, "we");
  if (fp) {
    fprintf (fp, "%s\n%s\n", key, answer ? "ok" : why);
    if (fclose (fp) == 0 && rename (tmp, file) == 0) {
      free (tmp);
      return;
    }
  }
  unlink (tmp);
  free (tmp);
}

/* Boots KERNEL under KVM and watches its console.  1: it ran until the
 * expected panic; 0: it did not (reason in *WHY). */
static int
boot_test (const char *kernel, int timeout_s, char **why)
{
  int pipefd[2];
  if (pipe2 (pipefd, O_CLOEXEC) == -1) {
    *why = xasprintf ("pipe: %s", strerror (errno));
    return 0;
  }
  pid_t pid = fork ();
  if (pid == 0) {
    dup2 (pipefd[1], 1);
    dup2 (pipefd[1], 2);
    int devnull = open ("/dev/null", O_RDONLY);
    dup2 (devnull, 0);
    execl (QEMU, QEMU, "-machine", "accel=kvm", "-cpu", "host", "-m", "256",
           "-nodefaults", "-display", "none", "-serial", "stdio", "-no-reboot",
           "-kernel", kernel, "-append", "console=ttyS0 panic=-1 edd=off quiet loglevel=4",
           (char *) NULL);
    _exit (127);
  }
  close (pipefd[1]);
  if (pid == -1) {
    close (pipefd[0]);
    *why = xasprintf ("fork: %s", strerror (errno));
    return 0;
  }

  char out[16384];
  size_t len = 0;
  int booted = 0;
  double deadline = monotonic_seconds () + timeout_s;
  for (;;) {
    double left = deadline - monotonic_seconds ();
    if (left <= 0)
      break;
    struct pollfd p = { .fd = pipefd[0], .events = POLLIN };
    if (poll (&p, 1, (int) (left * 1000) + 1) <= 0)
      continue;
    ssize_t n = read (pipefd[0], out + len, sizeof out - 1 - len);
    if (n <= 0)
      break;   /* qemu exited */
    len += (size_t) n;
    out[len] = '\0';
    if (strstr (out, "Kernel panic") || strstr (out, "VFS: Unable to mount root")) {
      booted = 1;
      break;
    }
    if (len == sizeof out - 1) {   /* keep the tail */
      memmove (out, out + len / 2, len - len / 2);
      len -= len / 2;
    }
  }
  close (pipefd[0]);
  kill (pid, SIGKILL);
  int status;
  waitpid (pid, &status, 0);

  if (!booted) {
    /* The last line qemu printed is the most useful part of the reason. */
    char *last = NULL;
    for (char *line = strtok (out, "\r\n"); line; line = strtok (NULL, "\r\n"))
      last = line;
    if (len && last && strstr (last, "qemu"))
      *why = xasprintf ("qemu failed under KVM: %s", last);
    else
      *why = xasprintf ("/dev/kvm is present but the guest did not boot within %d s", timeout_s);
  }
  return booted;
}

int
kvm_probe (int verbose, char **why)
{
  *why = NULL;
  if (access ("/dev/kvm", R_OK | W_OK) == -1) {
    *why = xasprintf ("/dev/kvm: %s", strerror (errno));
    return 0;
  }
  if (access (QEMU, X_OK) == -1) {
    *why = xasprintf ("%s: %s", QEMU, strerror (errno));
    return 0;
  }
  char *kernel = find_kernel ();
  if (!kernel) {
    *why = xstrdup ("no kernel in /boot to test KVM with (install linux-image-amd64)");
    return 0;
  }
  char *key = cache_key (kernel), *file = cache_dir_path ("kvm-probe");
  int answer = key && file ? cache_read (file, key, why) : -1;
  if (answer == -1) {
    const char *t = getenv ("IMGMOUNT_KVM_PROBE_TIMEOUT");
    int timeout_s = t && atoi (t) > 0 ? atoi (t) : DEFAULT_TIMEOUT_S;
    if (verbose)
      fprintf (stderr, "imgmount: testing whether KVM boots a guest (at most %d s)\n", timeout_s);
    answer = boot_test (kernel, timeout_s, why);
    if (key && file)
      cache_write (file, key, answer, *why);
  }
  free (key);
  free (file);
  free (kernel);
  return answer;
}
