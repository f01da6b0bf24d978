/* errno-map.c: appliance errno to FUSE reply errno.
 *
 * The appliance's errno is the truth and passes through.  What does not
 * (no errno at all: the appliance died or the protocol broke) becomes EIO,
 * the errno of a failed device.  A few numbers would mislead a program on
 * the host and are translated. */
#include <errno.h>
#include "fsops/errno-map.h"

int
errno_map (int guest_errno)
{
  switch (guest_errno) {
  case 0:
    return EIO;
  case EINTR:          /* the appliance was interrupted, not the caller */
    return EIO;
  case ENOTTY:         /* an ioctl-based call on a file that lacks it */
    return EOPNOTSUPP;
  default:
    return guest_errno > 0 && guest_errno < 4096 ? guest_errno : EIO;
  }
}
