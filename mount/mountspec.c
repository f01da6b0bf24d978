/* mountspec.c: parsing of -m DEV[:PATH[:OPTIONS[:FSTYPE]]].
 *
 * The syntax is guestmount's.  A device may itself contain no colon, so
 * splitting on ':' is unambiguous; mount options with a colon cannot be
 * expressed, as in guestmount. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "mount/mountspec.h"
#include "common/message.h"
#include "common/xalloc.h"

static char *
field_or_null (const char *start, size_t len)
{
  return len == 0 ? NULL : xstrndup (start, len);
}

int
mountspec_parse (const char *arg, struct mount_spec *spec, char **err)
{
  const char *fields[4] = { NULL };
  size_t lens[4] = { 0 };
  size_t n = 0;
  const char *p = arg;

  memset (spec, 0, sizeof *spec);
  for (;;) {
    const char *colon = strchr (p, ':');
    if (n == 4)
      return error_set (err, "-m %s: too many ':' fields (expected DEV[:PATH[:OPTIONS[:FSTYPE]]])",
                        arg);
    fields[n] = p;
    lens[n] = colon ? (size_t) (colon - p) : strlen (p);
    n++;
    if (!colon)
      break;
    p = colon + 1;
  }

  if (lens[0] == 0 || strncmp (fields[0], "/dev/", 5) != 0)
    return error_set (err, "-m %s: the device must be an appliance device name such as "
                      "/dev/sda1 (see --list)", arg);
  if (n > 1 && lens[1] > 0 && fields[1][0] != '/')
    return error_set (err, "-m %s: the mount path must be absolute, like /boot", arg);

  spec->device = xstrndup (fields[0], lens[0]);
  spec->path = n > 1 && lens[1] > 0 ? xstrndup (fields[1], lens[1]) : xstrdup ("/");
  spec->options = n > 2 ? field_or_null (fields[2], lens[2]) : NULL;
  spec->fstype = n > 3 ? field_or_null (fields[3], lens[3]) : NULL;
  return 0;
}

void
mountspec_free (struct mount_spec *spec)
{
  free (spec->device);
  free (spec->path);
  free (spec->options);
  free (spec->fstype);
  memset (spec, 0, sizeof *spec);
}
