/* fuzz-mountspec.c: the -m DEV[:PATH[:OPTIONS[:FSTYPE]]] parser
 * (mount/mountspec.c).
 *
 * Input: the argument, up to its first NUL.  Checks, beyond the
 * sanitizers: a failure says why; a success has a /dev/ device that
 * begins the argument, an absolute path, and no field holding a ':' or
 * (for the optional ones) left empty rather than NULL. */
#include <stdlib.h>
#include <string.h>
#include "mount/mountspec.h"
#include "tests/fuzz/target.h"

static void
check_field (const char *field)
{
  FUZZ_CHECK (field == NULL || (*field && !strchr (field, ':')));
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  struct fuzz_input in = fuzz_input (data, size);
  char *arg = fuzz_string (&in);
  struct mount_spec spec;
  char *err = NULL;
  if (mountspec_parse (arg, &spec, &err) == 0) {
    FUZZ_CHECK (err == NULL);
    FUZZ_CHECK (strncmp (spec.device, "/dev/", 5) == 0);
    FUZZ_CHECK (strncmp (arg, spec.device, strlen (spec.device)) == 0);
    FUZZ_CHECK (spec.path[0] == '/');
    check_field (spec.device);
    check_field (spec.path);
    check_field (spec.options);
    check_field (spec.fstype);
    mountspec_free (&spec);
  } else {
    FUZZ_CHECK (err != NULL);
    free (err);
  }
  free (arg);
  return 0;
}
