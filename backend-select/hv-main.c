/* hv-main.c: imgmount-hv, the hypervisor program imgmount hands to
 * libguestfs (guestfs_set_hv).  libguestfs 1.48 offers no cache=none and
 * no UML backend; its documented seam is the program it runs as qemu.
 * Capability probes go to the real qemu, so libguestfs learns what qemu
 * can do; the launch goes to qemu with the cache mode rewritten, or to UML. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

int
main (int argc, char **argv)
{
  const char *mode = getenv (HV_ENV_MODE);
  if (mode && strcmp (mode, "uml") == 0 && hv_is_launch (argc, argv))
    return hv_run_uml (argc, argv);
  return hv_run_qemu (argc, argv);
}
