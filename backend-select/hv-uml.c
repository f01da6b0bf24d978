/* hv-uml.c: imgmount-hv on User-Mode Linux.  (Filled in below.) */
#include <stdio.h>
#include "backend-select/hv.h"

int
hv_run_uml (int argc, char **argv)
{
  fprintf (stderr, "imgmount-hv: uml: not built yet\n");
  return 1;
}
