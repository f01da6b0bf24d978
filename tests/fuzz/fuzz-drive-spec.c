/* fuzz-drive-spec.c: reading and rewriting qemu option strings
 * (backend-select/hv/drive-spec.c), as imgmount-hv does to the -drive
 * arguments libguestfs passes.
 *
 * Input: three NUL-separated strings, KEY, VALUE and SPEC.  Every function
 * runs on them; for a KEY qemu could have written (not empty, no ',' or
 * '=') the results must also agree: after setting KEY to VALUE, reading
 * KEY gives VALUE back (commas and all), and after removing KEY it is
 * absent. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include "backend-select/hv/drive-spec.h"
#include "tests/fuzz/target.h"

static bool
is_plain_key (const char *key)
{
  return *key && !strpbrk (key, ",=");
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  struct fuzz_input in = fuzz_input (data, size);
  char *key = fuzz_string (&in), *value = fuzz_string (&in), *spec = fuzz_string (&in);
  bool plain = is_plain_key (key);

  free (drive_spec_get (spec, key));

  char *with = drive_spec_set (spec, key, value);
  char *read_back = drive_spec_get (with, key);
  if (plain)
    FUZZ_CHECK (read_back && strcmp (read_back, value) == 0);
  free (read_back);

  char *without = drive_spec_remove (spec, key);
  char *absent = drive_spec_get (without, key);
  if (plain)
    FUZZ_CHECK (absent == NULL);
  free (absent);

  char *escaped = drive_spec_escape (value);
  FUZZ_CHECK (strlen (escaped) >= strlen (value));

  free (escaped);
  free (without);
  free (with);
  free (spec);
  free (value);
  free (key);
  return 0;
}
