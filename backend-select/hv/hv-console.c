/* hv-console.c: starting imgmount-console for a UML launch.  The UML serial
 * line stops for good when more than its 4 KiB tty buffer is in flight, so
 * guestfsd (and imgmount-agent) talk virtio-serial instead, over vhost-user
 * virtio-console devices that UML's virtio_uml driver attaches at boot. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>
#include "backend-select/hv/confine.h"
#include "backend-select/hv/hv-console.h"
#include "backend-select/hv/hv.h"
#include "common/message.h"
#include "common/parent-death.h"
#include "common/programs.h"
#include "common/xalloc.h"

/* The descriptor imgmount-console finds its listening socket on. */
#define LISTEN_FD 3

static int
listen_unix (const char *path)
{
  struct sockaddr_un sa = { .sun_family = AF_UNIX };
  if (strlen (path) >= sizeof sa.sun_path) {
    errno = ENAMETOOLONG;
    return -1;
  }
  strcpy (sa.sun_path, path);
  int fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd >= 0 && (bind (fd, (struct sockaddr *) &sa, sizeof sa) == -1 || listen (fd, 1) == -1)) {
    close (fd);
    return -1;
  }
  return fd;
}

int
hv_console_start (struct hv_console *c, const char *tmpdir, const char *socket_name,
                  const char *channel_socket, const char *port_name)
{
  c->pid = 0;
  c->socket = xasprintf ("%s/%s", tmpdir, socket_name);
  int fd = listen_unix (c->socket);
  if (fd == -1) {
    error_print ("uml: %s: %s", c->socket, strerror (errno));
    return -1;
  }
  char *program = helper_program ("imgmount-console");
  pid_t parent = getpid ();
  pid_t pid = fork ();
  if (pid == 0) {
    if (die_with_parent (parent, SIGKILL) == -1)
      _exit (126);
    if (fd == LISTEN_FD ? fcntl (fd, F_SETFD, 0) == -1 : dup2 (fd, LISTEN_FD) == -1)
      _exit (126);
    /* Its sockets are open or connect by path (which Landlock leaves
     * alone): it opens no file but its own program. */
    struct confine_path self = { program, CONFINE_EXEC };
    if (hv_confine ("imgmount-console", true, &self, 1) == -1)
      _exit (127);
    execl (program, "imgmount-console", "3", channel_socket, port_name, (char *) NULL);
    error_print ("uml: %s: %s", program, strerror (errno));
    _exit (127);
  }
  free (program);
  close (fd);
  if (pid == -1) {
    error_print ("uml: fork: %s", strerror (errno));
    return -1;
  }
  c->pid = pid;
  return 0;
}

void
hv_console_stop (struct hv_console *c)
{
  stop_child (&c->pid);
  if (c->socket)
    unlink (c->socket);
  free (c->socket);
  c->socket = NULL;
}
