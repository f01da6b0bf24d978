/* agent-main.c: imgmount-agent, the file server in imgmount's appliance.
 *
 *   imgmount-agent ROOT                  serve over stdin and stdout
 *   imgmount-agent --port PATH ROOT      serve over a virtio-serial port
 *
 * It answers the requests of common/agent-protocol.h about the tree under
 * ROOT (the appliance's /sysroot) until the host closes the stream, then
 * exits 0; 1 on an error that leaves the stream out of step.  It is built
 * static and without sanitizers, like appliance-udevadm.c: the appliance
 * has neither a sanitizer runtime nor, necessarily, our libraries. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include "backend-select/appliance/agent/agent-io.h"
#include "backend-select/appliance/agent/agent-ops.h"
#include "common/message.h"

#ifdef AGENT_HOSTILE
#include "tests/hostile/agent-hostile.h"
#endif

/* Every handle holds a descriptor (two once read), and the host holds a
 * handle for every inode the host kernel keeps: thousands after a copy of
 * a tree.  The limits the appliance's init hands down (1024, hard 4096)
 * turned reads into EMFILE (30-copy-roundtrip); as root in the appliance
 * the agent may take the kernel's ceiling (fs.nr_open), else the hard
 * limit. */
static void
raise_fd_limit (void)
{
  struct rlimit rl;
  unsigned long nr_open = 0;
  FILE *f = fopen ("/proc/sys/fs/nr_open", "re");
  if (f) {
    if (fscanf (f, "%lu", &nr_open) != 1)
      nr_open = 0;
    fclose (f);
  }
  if (nr_open) {
    rl.rlim_cur = rl.rlim_max = nr_open;
    if (setrlimit (RLIMIT_NOFILE, &rl) == 0)
      return;
  }
  if (getrlimit (RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    setrlimit (RLIMIT_NOFILE, &rl);
  }
}

static int
usage (void)
{
  error_print ("usage: imgmount-agent [--port PATH] ROOT");
  return 1;
}

static int
serve (int in_fd, int out_fd, bool port, const char *root)
{
  agent_ops_set_root (root);
  struct agent_io *io = agent_io_new (in_fd, out_fd, port);
  const unsigned char *msg;
  size_t len;
  while ((msg = agent_io_next_request (io, &len)))
#ifdef AGENT_HOSTILE
    if (!agent_hostile_reply (io, msg, len))
#endif
      agent_ops_reply (io, msg, len);
  agent_io_flush (io);
  agent_io_free (io);
  return 0;
}

int
main (int argc, char **argv)
{
  /* A host gone mid-reply is a write error to report, not a silent death. */
  signal (SIGPIPE, SIG_IGN);
  /* CREATE's permission bits are the host's, which the kernel already
   * masked with the caller's umask. */
  umask (0);
  raise_fd_limit ();
  if (argc == 2 && argv[1][0] != '-')
    return serve (0, 1, false, argv[1]);
  if (argc != 4 || strcmp (argv[1], "--port") != 0)
    return usage ();
  int fd = open (argv[2], O_RDWR | O_CLOEXEC);
  if (fd < 0) {
    error_print ("%s: %s", argv[2], strerror (errno));
    return 1;
  }
  return serve (fd, fd, true, argv[3]);
}
