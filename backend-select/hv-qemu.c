/* hv-qemu.c: imgmount-hv on qemu (KVM or TCG).  libguestfs can only ask
 * for cache=writeback or cache=unsafe; this puts the mode imgmount chose
 * on the user's disks (ids hd0, hd1, ...) and leaves the appliance's own
 * root disk alone. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "backend-select/drive-spec.h"
#include "backend-select/hv.h"
#include "backend-select/hv-env.h"

static int
is_user_disk (const char *spec)
{
  char *id = drive_spec_get (spec, "id");
  int r = id && strncmp (id, "hd", 2) == 0;
  free (id);
  return r;
}

int
hv_run_qemu (int argc, char **argv)
{
  const char *qemu = getenv (HV_ENV_QEMU);
  const char *cache = getenv (HV_ENV_CACHE);
  if (!qemu || !*qemu)
    qemu = HV_DEFAULT_QEMU;

  if (cache && *cache && hv_is_launch (argc, argv))
    for (int i = 1; i + 1 < argc; i++)
      if (strcmp (argv[i], "-drive") == 0 && is_user_disk (argv[i + 1]))
        argv[i + 1] = drive_spec_set (argv[i + 1], "cache", cache);

  argv[0] = (char *) qemu;
  execv (qemu, argv);
  fprintf (stderr, "imgmount-hv: %s: %s\n", qemu, strerror (errno));
  return 127;
}
