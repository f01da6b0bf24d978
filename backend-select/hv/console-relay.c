/* console-relay.c: keeps qemu's serial console flowing (see
 * console-relay.h).
 *
 * libguestfs reads the appliance's console only while one of its calls is
 * in progress.  Once imgmount-agent serves the file operations, minutes
 * may pass without one; the guest's kernel then fills the console socket
 * (a failing disk prints lines for every request), its serial driver
 * waits on every character, and the appliance stops: the agent's reply
 * never comes (tcg/78-host-disk-full hung so).  The relay reads
 * everything qemu prints at once and hands it on as libguestfs takes it,
 * keeping at most RELAY_KEEP bytes: when it has to drop, it drops the
 * oldest, since write-errors.c wants the newest lines. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <linux/close_range.h>
#include <string.h>
#include <unistd.h>
#include "backend-select/hv/confine.h"
#include "backend-select/hv/console-relay.h"

#define RELAY_KEEP (1u << 20)
#define FINAL_WAIT_MS 2000

static char ring[RELAY_KEEP];
static size_t start, used;      /* the kept bytes: ring[start..], wrapping */

static void
keep (const char *p, size_t n)
{
  if (n >= RELAY_KEEP) {        /* only the last RELAY_KEEP bytes matter */
    p += n - RELAY_KEEP;
    n = RELAY_KEEP;
  }
  size_t drop = used + n > RELAY_KEEP ? used + n - RELAY_KEEP : 0;
  start = (start + drop) % RELAY_KEEP;
  used -= drop;
  for (size_t k = 0; k < n; k++)
    ring[(start + used + k) % RELAY_KEEP] = p[k];
  used += n;
}

/* Writes what it can of the kept bytes to OUT; -1 once OUT is gone. */
static int
hand_on (int out)
{
  while (used > 0) {
    size_t run = start + used > RELAY_KEEP ? RELAY_KEEP - start : used;
    ssize_t w = write (out, ring + start, run);
    if (w < 0)
      return errno == EAGAIN || errno == EINTR ? 0 : -1;
    start = (start + (size_t) w) % RELAY_KEEP;
    used -= (size_t) w;
  }
  return 0;
}

/* Until qemu closes IN (or dies, taking the relay with it): IN's bytes to
 * OUT, IN never left waiting. */
static void
relay (int in, int out)
{
  fcntl (out, F_SETFL, fcntl (out, F_GETFL) | O_NONBLOCK);
  for (;;) {
    struct pollfd p[2] = { { .fd = in, .events = POLLIN }, { .fd = out, .events = POLLOUT } };
    if (poll (p, used ? 2 : 1, -1) < 0 && errno != EINTR)
      return;
    if (p[0].revents) {
      char buf[65536];
      ssize_t r = read (in, buf, sizeof buf);
      if (r == 0 || (r < 0 && errno != EINTR && errno != EAGAIN))
        break;
      if (r > 0)
        keep (buf, (size_t) r);
    }
    if (used && hand_on (out) == -1)
      return;
  }
  /* qemu is gone: what is left, as libguestfs reads its last, unless it
   * stops reading for good. */
  struct pollfd p = { .fd = out, .events = POLLOUT };
  while (used && poll (&p, 1, FINAL_WAIT_MS) == 1 && hand_on (out) == 0)
    ;
}

int
console_relay_start (bool seccomp)
{
  int p[2];
  if (pipe2 (p, O_CLOEXEC) == -1)
    return -1;
  pid_t parent = getpid (), pid = fork ();
  if (pid == -1) {
    close (p[0]);
    close (p[1]);
    return -1;
  }
  if (pid == 0) {
    /* Gone with qemu, even stopped (a frozen appliance, which the
     * watchdog kills): what libguestfs has not taken by then, it would
     * not have read from qemu either. */
    if (prctl (PR_SET_PDEATHSIG, SIGKILL) == -1 || getppid () != parent)
      _exit (0);
    /* Nothing but the pipe (as stdin), the console and stderr: no
     * descriptor of qemu's may outlive it here. */
    signal (SIGPIPE, SIG_IGN);
    if (dup2 (p[0], 0) == -1)
      _exit (1);
    close_range (3, ~0u, 0);
    /* Landlock, the network namespace and no new privileges it has from
     * imgmount-hv; the helpers' filter on top (guest bytes pass here). */
    if (seccomp)
      confine_seccomp (false);
    relay (0, 1);
    _exit (0);
  }
  close (p[0]);
  int e = dup2 (p[1], 1) == -1 ? -1 : 0;
  close (p[1]);
  return e;
}
