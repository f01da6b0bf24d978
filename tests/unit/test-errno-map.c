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

  /* every real errno but the translated ones passes; the last is EHWPOISON */
  CHECK (errno_map (EPERM) == EPERM);
  CHECK (errno_map (EHWPOISON) == EHWPOISON);
  CHECK (errno_map (133) == 133);
  /* the kernel refuses a FUSE reply error outside 1..511 and leaves the
   * caller in D state; numbers no errno has are no truth to pass on */
  CHECK (errno_map (134) == EIO);
  CHECK (errno_map (511) == EIO);
  CHECK (errno_map (512) == EIO);         /* ERESTARTSYS, kernel-internal */
  CHECK (errno_map (516) == EIO);         /* ERESTART_RESTARTBLOCK */
  CHECK (errno_map (524) == EIO);         /* ENOTSUPP, kernel-internal */
  CHECK (errno_map (999) == EIO);
  CHECK (errno_map (4095) == EIO);
  CHECK (errno_map (41) == EIO);          /* holes in the numbering */
  CHECK (errno_map (58) == EIO);
  CHECK (errno_map (-EIO) == EIO);
  CHECK (errno_map (-2147483647 - 1) == EIO);
  return CHECK_DONE ();
}
