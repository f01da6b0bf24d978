/* test-errno-map.c: appliance errno to FUSE errno. */
#include <errno.h>
#include "fsops/errno-map.h"
#include "check.h"

int
main (void)
{
  CHECK (errno_map (0) == EIO);            /* no errno: appliance failure */
  CHECK (errno_map (ENOENT) == ENOENT);
  CHECK (errno_map (ENOSPC) == ENOSPC);
  CHECK (errno_map (EROFS) == EROFS);
  CHECK (errno_map (ENODATA) == ENODATA);
  CHECK (errno_map (EEXIST) == EEXIST);
  CHECK (errno_map (ENOTEMPTY) == ENOTEMPTY);
  CHECK (errno_map (EINTR) == EIO);
  CHECK (errno_map (ENOTTY) == EOPNOTSUPP);
  CHECK (errno_map (-5) == EIO);
  CHECK (errno_map (99999) == EIO);
  return CHECK_DONE ();
}
