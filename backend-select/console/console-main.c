/* console-main.c: imgmount-console, the vhost-user back-end that gives a
 * User-Mode Linux appliance the virtio-serial channel guestfsd talks over
 * (UML has no virtio-serial of its own; its virtio_uml driver attaches
 * vhost-user devices).
 *
 *   imgmount-console LISTEN_FD CHANNEL_SOCKET PORT_NAME
 *
 * LISTEN_FD is a listening unix socket the caller made before starting UML,
 * so UML can connect at once; we accept one connection on it and never
 * touch its path.  CHANNEL_SOCKET is libguestfs's guestfsd socket, which we
 * connect to at start.  Exits 0 when UML disconnects or on SIGTERM, 1 on
 * an error, such as the guest's driver breaking the device. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include "backend-select/console/vhost-user.h"
#include "backend-select/console/virtio-console.h"
#include "common/message.h"

static volatile sig_atomic_t stop_requested;

static void
on_signal (int sig)
{
  stop_requested = 1;
}

static int
parse_listen_fd (const char *arg, int *fd, char **err)
{
  char *end;
  errno = 0;
  long v = strtol (arg, &end, 10);
  int accepting = 0;
  socklen_t len = sizeof accepting;
  if (errno || end == arg || *end || v < 0 || v > INT_MAX)
    return error_set (err, "LISTEN_FD: not a file descriptor number: %s", arg);
  if (getsockopt ((int) v, SOL_SOCKET, SO_ACCEPTCONN, &accepting, &len) < 0 || !accepting)
    return error_set (err, "LISTEN_FD %ld: not a listening socket", v);
  *fd = (int) v;
  return 0;
}

static int
connect_channel (const char *path, int *fd, char **err)
{
  struct sockaddr_un sa = { .sun_family = AF_UNIX };
  if (strlen (path) >= sizeof sa.sun_path)
    return error_set (err, "%s: socket path too long", path);
  strcpy (sa.sun_path, path);
  int s = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (s < 0)
    return error_set (err, "socket: %m");
  /* a unix socket connect completes or fails at once, even non-blocking */
  if (connect (s, (struct sockaddr *) &sa, sizeof sa) < 0) {
    int e = errno;
    close (s);
    return error_set (err, "%s: %s", path, strerror (e));
  }
  *fd = s;
  return 0;
}

/* Runs until UML disconnects (0), a signal (0) or an error (-1, *ERR). */
static int
serve (int listen_fd, struct vu_server *vu, struct console *con, const sigset_t *wait_mask,
       char **err)
{
  while (!stop_requested) {
    if (con->broken)
      return error_set (err, "the guest's virtio console driver broke the device: %s",
                        con->broken);
    struct pollfd p[2 + VU_MAX_QUEUES];
    int n = 0, kick_at[VU_MAX_QUEUES];
    /* until UML connects, only the listening socket */
    p[n++] = (struct pollfd) { vu->fd >= 0 ? vu->fd : listen_fd, POLLIN, 0 };
    for (unsigned q = 0; q < console_ops.n_queues; q++) {
      kick_at[q] = -1;
      if (vu->queues[q].kick_fd >= 0) {
        kick_at[q] = n;
        p[n++] = (struct pollfd) { vu->queues[q].kick_fd, POLLIN, 0 };
      }
    }
    int chan_at = -1;
    if (con->chan_fd >= 0) {
      chan_at = n;
      p[n++] = (struct pollfd) { con->chan_fd, console_channel_events (con), 0 };
    }
    /* signals are blocked except while waiting here, so a SIGTERM is never
     * lost between the check above and the wait */
    if (ppoll (p, n, NULL, wait_mask) < 0) {
      if (errno == EINTR)
        continue;
      return error_set (err, "poll: %m");
    }
    if (vu->fd < 0) {
      if (p[0].revents) {
        vu->fd = accept4 (listen_fd, NULL, NULL, SOCK_CLOEXEC);
        if (vu->fd < 0)
          return error_set (err, "accept: %m");
        vu_log (vu, "front-end connected");
      }
    } else if (p[0].revents) {
      int r = vu_handle_message (vu, err);
      if (r <= 0)
        return r;
      continue;                 /* kick fds may have changed: poll afresh */
    }
    for (unsigned q = 0; q < console_ops.n_queues; q++)
      if (kick_at[q] >= 0 && (p[kick_at[q]].revents & POLLIN))
        vu_kick (vu, q);
    if (chan_at >= 0 && con->chan_fd >= 0 && p[chan_at].revents)
      console_channel_io (con, p[chan_at].revents);
  }
  vu_log (vu, "signal received");
  return 0;
}

int
main (int argc, char **argv)
{
  const char *debug_env = getenv ("IMGMOUNT_CONSOLE_DEBUG");
  bool debug = debug_env && strcmp (debug_env, "1") == 0;
  char *err = NULL;
  int listen_fd = -1, chan_fd = -1;

  if (argc != 4) {
    error_print ("usage: imgmount-console LISTEN_FD CHANNEL_SOCKET PORT_NAME");
    return 2;
  }
  if (parse_listen_fd (argv[1], &listen_fd, &err) < 0 ||
      connect_channel (argv[2], &chan_fd, &err) < 0)
    goto fail;

  /* a closed channel or front-end shows as EPIPE, not a kill */
  signal (SIGPIPE, SIG_IGN);
  sigset_t block, wait_mask;
  sigemptyset (&block);
  sigaddset (&block, SIGTERM);
  sigaddset (&block, SIGINT);
  sigprocmask (SIG_BLOCK, &block, &wait_mask);
  struct sigaction sa = { .sa_handler = on_signal };
  sigaction (SIGTERM, &sa, NULL);
  sigaction (SIGINT, &sa, NULL);

  struct vu_server vu;
  struct console con;
  vu_init (&vu, -1, &console_ops, &con, debug);
  if (console_init (&con, &vu, argv[3], chan_fd, &err) < 0)
    goto fail;
  int r = serve (listen_fd, &vu, &con, &wait_mask, &err);
  vu_log (&vu, "exiting: %llu bytes to the guest, %llu from it",
          (unsigned long long) con.to_guest, (unsigned long long) con.from_guest);
  vu_close (&vu);
  if (con.chan_fd >= 0)
    close (con.chan_fd);
  if (r < 0)
    goto fail;
  return 0;

fail:
  error_print ("%s", err);
  free (err);
  return 1;
}
