/* agent-channel.c: see agent-channel.h. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include "backend-select/agent-channel.h"
#include "backend-select/hv/hv-env.h"
#include "common/cleanup.h"
#include "common/message.h"
#include "common/xalloc.h"

int
agent_channel_listen (const char *run_dir, char **err)
{
  AUTO_FREE char *path = xasprintf ("%s/%s", run_dir, HV_RUN_DIR_AGENT_SOCKET);
  struct sockaddr_un sa = { .sun_family = AF_UNIX };
  if (strlen (path) >= sizeof sa.sun_path)
    return error_set (err, "%s: the path is too long for a socket; set TMPDIR to a shorter "
                      "directory", path);
  strcpy (sa.sun_path, path);
  int fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd == -1 || bind (fd, (struct sockaddr *) &sa, sizeof sa) == -1 || listen (fd, 1) == -1) {
    int e = errno;
    if (fd != -1)
      close (fd);
    return error_set (err, "cannot listen on %s: %s", path, strerror (e));
  }
  return fd;
}

int
agent_channel_accept (int listen_fd, double timeout, char **err)
{
  struct pollfd p = { .fd = listen_fd, .events = POLLIN };
  int n;
  while ((n = poll (&p, 1, (int) (timeout * 1000))) == -1 && errno == EINTR)
    ;
  int fd = n == 1 ? accept4 (listen_fd, NULL, NULL, SOCK_CLOEXEC) : -1;
  int e = n == 0 ? ETIMEDOUT : errno;
  close (listen_fd);
  if (fd == -1)
    return error_set (err, "the appliance's agent channel never connected (%s); run with "
                      "-v -v to see the appliance's console", strerror (e));
  return fd;
}
