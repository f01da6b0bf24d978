/* errno-map.c: appliance errno to FUSE reply errno.
 *
 * The appliance's errno is the truth and passes through, as long as it is
 * an errno at all: the appliance is hostile, and the kernel refuses a FUSE
 * reply error outside 1..511, leaving the caller in D state.  What is no
 * errno (none at all: the appliance died or the protocol broke; or a
 * number Linux never gives a program) becomes EIO, the errno of a failed
 * device.  A few numbers would mislead a program on the host and are
 * translated. */
#include <errno.h>
#include <stdbool.h>
#include "fsops/errno-map.h"

/* Whether E is one of Linux's errnos (asm-generic/errno*.h): 1 to
 * EHWPOISON (133), but for the two numbers left unused.  Not the
 * kernel-internal ones from 512 up (ERESTARTSYS and the like), which
 * never reach a program. */
static bool
is_errno (int e)
{
  return e >= 1 && e <= EHWPOISON && e != 41 && e != 58;
}

int
errno_map (int guest_errno)
{
  switch (guest_errno) {
  case EINTR:          /* the appliance was interrupted, not the caller */
    return EIO;
  case ENOTTY:         /* an ioctl-based call on a file that lacks it */
    return EOPNOTSUPP;
  default:
    return is_errno (guest_errno) ? guest_errno : EIO;
  }
}
