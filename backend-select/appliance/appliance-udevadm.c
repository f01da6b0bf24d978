/* appliance-udevadm.c: the udevadm guestfsd runs in imgmount's appliance.
 *
 * guestfsd runs "udevadm settle -E DEVICE" before nearly every call that
 * touches a device (list_devices and list_partitions once per disk,
 * vfs_type, mount...), about ten times before a mount is usable.  Starting
 * systemd's udevadm costs about 0.15 s under TCG, and tens of milliseconds
 * under UML.  udevadm settle returns success as soon as the file named by
 * -E/--exit-if-exists exists, without waiting for udev's queue (systemd's
 * settle.c checks for the file first in its loop), so when the file is
 * there this program gives the same answer at once.  Everything else runs
 * the real udevadm with the same arguments.
 *
 * It is /usr/sbin/udevadm in the appliance, which comes before Debian's
 * /usr/bin/udevadm in the PATH guestfsd sets itself.  It is built without
 * sanitizers: the appliance has no runtime for them. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "common/xalloc.h"

/* The FILE of "[OPTIONS] settle ... -E FILE" (or -EFILE,
 * --exit-if-exists FILE, --exit-if-exists=FILE), or NULL. */
static const char *
settle_exit_file (int argc, char **argv)
{
  int i = 1;
  while (i < argc && argv[i][0] == '-')   /* udevadm's own options */
    i++;
  if (i >= argc || strcmp (argv[i], "settle") != 0)
    return NULL;
  const char *file = NULL;
  for (i++; i < argc; i++) {
    const char *arg = argv[i];
    if (strcmp (arg, "-E") == 0 || strcmp (arg, "--exit-if-exists") == 0)
      file = i + 1 < argc ? argv[++i] : NULL;
    else if (strncmp (arg, "--exit-if-exists=", 17) == 0)
      file = arg + 17;
    else if (strncmp (arg, "-E", 2) == 0)
      file = arg + 2;
  }
  return file && *file ? file : NULL;
}

int
main (int argc, char **argv)
{
  const char *file = settle_exit_file (argc, argv);
  if (file && access (file, F_OK) == 0)
    return 0;
  static const char *const real[] = { "/usr/bin/udevadm", "/bin/udevadm" };
  for (size_t k = 0; k < ARRAY_SIZE (real); k++)
    execv (real[k], argv);
  perror ("udevadm");
  return 1;
}
