/* hv-main.c: imgmount-hv, the hypervisor program imgmount hands to
 * libguestfs (guestfs_set_hv).  libguestfs 1.48 offers no cache=none and
 * no UML backend; its documented seam is the program it runs as qemu.
 * Capability probes go to the real qemu, so libguestfs learns what qemu
 * can do; the launch goes to qemu with the cache mode rewritten, or to UML. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>
#include "common/message.h"
#include "backend-select/drive-spec.h"
#include "backend-select/hv.h"
#include "backend-select/hv-env.h"

int
hv_is_launch (int argc, char **argv)
{
  for (int i = 1; i < argc; i++)
    if (strcmp (argv[i], "-kernel") == 0)
      return 1;
  return 0;
}

char *
hv_channel_path (int argc, char **argv)
{
  for (int i = 1; i + 1 < argc; i++)
    if (strcmp (argv[i], "-chardev") == 0 && strncmp (argv[i + 1], "socket,", 7) == 0)
      return drive_spec_get (argv[i + 1], "path");
  return NULL;
}

/* Joins imgmount's run directory (see run-dir.h): a shared lock on it,
 * held by this process and whatever it execs or starts (the descriptor
 * is inherited) until the whole appliance has exited, then a link to the
 * channel socket's directory.  The lock before the link: a remover that
 * finds the link waits for the appliance to end, and one that got there
 * first has removed the directory, so the link fails and we stop.
 * Returns -1 when imgmount has gone. */
static int
join_run_dir (int argc, char **argv)
{
  const char *run_dir = getenv (HV_ENV_RUN_DIR);
  if (!run_dir || !*run_dir)
    return 0;
  char *sock = hv_channel_path (argc, argv);
  char *slash = sock ? strrchr (sock, '/') : NULL;
  char *link = xasprintf ("%s/%s", run_dir, HV_RUN_DIR_SOCKET_LINK);
  int fd = open (run_dir, O_RDONLY | O_DIRECTORY);
  int r = 0;
  if (fd == -1 || flock (fd, LOCK_SH) == -1)
    r = -1;
  else if (slash && slash != sock) {
    *slash = '\0';
    r = symlink (sock, link);
  }
  if (r == -1)
    fprintf (stderr, "imgmount-hv: %s: %s: imgmount has gone\n", link, strerror (errno));
  free (link);
  free (sock);
  return r;
}

int
main (int argc, char **argv)
{
  const char *mode = getenv (HV_ENV_MODE);
  int launch = hv_is_launch (argc, argv);
  if (launch && join_run_dir (argc, argv) == -1)
    return 1;
  if (mode && strcmp (mode, "uml") == 0 && launch)
    return hv_run_uml (argc, argv);
  return hv_run_qemu (argc, argv);
}
