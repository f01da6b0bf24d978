/* confine.c: see confine.h.  One place for every restriction imgmount-hv
 * puts on the hypervisor and its helpers, so that they all get the same. */
#include <errno.h>
#include <string.h>
#include <sys/prctl.h>
#include "backend-select/hv/confine.h"
#include "common/message.h"

int
confine_no_new_privs (void)
{
  if (prctl (PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1) {
    error_print ("no new privileges: %s; going on without", strerror (errno));
    return -1;
  }
  return 0;
}
