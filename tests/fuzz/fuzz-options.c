/* fuzz-options.c: the imgmount command line (mount/options.c, and through
 * -m mount/mountspec.c).
 *
 * Input: NUL-separated strings.  The first is $IMGMOUNT_BACKEND (empty for
 * unset), the rest are the arguments after argv[0], at most MAX_ARGS.
 * Checks, beyond the sanitizers: a failed parse always says why (and an
 * unknown option is named as one), and a successful one leaves what its
 * mode needs (a mountpoint for a mount or an unmount, an image for a mount
 * or --list, a format, valid -m specs, --json only where it means
 * something). */
#include <stdlib.h>
#include <string.h>
#include "mount/options.h"
#include "tests/fuzz/target.h"

#define MAX_ARGS 64

static void
check_parsed (const struct options *o)
{
  FUZZ_CHECK (o->format != NULL);
  /* --help ends the parse at once, before --json is checked */
  FUZZ_CHECK (!o->json || o->mode == RUN_LIST || o->mode == RUN_VERSION
              || o->mode == RUN_HELP);
  switch (o->mode) {
  case RUN_MOUNT:
    FUZZ_CHECK (o->n_images >= 1 && o->mountpoint != NULL);
    break;
  case RUN_UNMOUNT:
    FUZZ_CHECK (o->mountpoint != NULL);
    break;
  case RUN_LIST:
    FUZZ_CHECK (o->n_images >= 1);
    break;
  default:
    break;
  }
  for (size_t i = 0; i < o->n_specs; i++)
    FUZZ_CHECK (strncmp (o->specs[i].device, "/dev/", 5) == 0
                && o->specs[i].path[0] == '/');
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  struct fuzz_input in = fuzz_input (data, size);
  char *env = fuzz_string (&in);
  char *argv[MAX_ARGS + 2] = { "imgmount" };
  int argc = 1;
  while (!fuzz_done (&in) && argc <= MAX_ARGS)
    argv[argc++] = fuzz_string (&in);
  argv[argc] = NULL;
  /* getopt permutes argv: keep the pointers to free */
  char *owned[MAX_ARGS + 1];
  memcpy (owned, argv + 1, (argc - 1) * sizeof *argv);

  struct options o;
  char *err = NULL;
  if (options_parse (argc, argv, *env ? env : NULL, &o, &err) == 0) {
    FUZZ_CHECK (err == NULL);
    check_parsed (&o);
  } else {
    FUZZ_CHECK (err != NULL);
    /* named as an option, never as the argument before it */
    static const char unknown[] = "unknown option ";
    if (strncmp (err, unknown, strlen (unknown)) == 0)
      FUZZ_CHECK (err[strlen (unknown)] == '-');
  }
  options_free (&o);            /* also after a failure, as main does */
  free (err);
  for (int i = 0; i < argc - 1; i++)
    free (owned[i]);
  free (env);
  return 0;
}
