/* init.c: the set-up libFuzzer runs once, before the first input, for
 * every target.  It is linked into each target rather than into a
 * library, as libFuzzer's reference to it is weak and would not pull it
 * out of one. */
#include <signal.h>
#include "tests/fuzz/target.h"

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  /* As imgmount-console does: a write to a socket whose peer has gone is
   * an error return the code under test handles, not a signal that ends
   * the run. */
  signal (SIGPIPE, SIG_IGN);
  return 0;
}
