/* test-write-errors.c: which appliance console lines count as refused
 * writes, fed in pieces as libguestfs passes them on.  The state is the
 * process's, and sticky, so the checks run in order. */
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include "backend-select/write-errors.h"
#include "tests/unit/check.h"

static void
feed (const char *text)
{
  write_errors_feed (text, strlen (text));
}

int
main (void)
{
  /* Boot chatter, a failed read, a line without its end: nothing yet. */
  feed ("[    5.91] EXT4-fs (ubda): mounted filesystem with ordered data mode.\r\n");
  feed ("[    7.02] I/O error, dev sda, sector 2048 op 0x0:(READ) flags 0x0 phys_seg 1\r\n");
  feed ("[    7.03] Buffer I/O error on dev sda, logical block 256, async page read\r\n");
  feed ("guestfsd: <= sync (0x2c) request length 40 bytes\n");
  /* A line longer than what is kept is judged by its beginning (here,
   * padding), and the next one starts clean. */
  char longline[2048];
  memset (longline, 'x', sizeof longline);
  write_errors_feed (longline, sizeof longline);
  feed (" error, dev sda, sector 1 op 0x1:(WRITE)\n");
  feed ("[    8.00] I/O error, dev sda, sector 81141 op 0x1:(WRITE) flags 0x4000");
  CHECK (write_errors_seen () == 0);

  /* Its end, in another piece. */
  feed (" phys_seg 33 prio class 2\r\n");
  CHECK (write_errors_seen () == EIO);

  /* Want of space, split mid-word, outranks it, and stays. */
  feed ("[   10.12] critical space alloc");
  feed ("ation error, dev ubda, sector 81396 op 0x1:(WRITE) flags 0x4000\r\n");
  CHECK (write_errors_seen () == ENOSPC);
  feed ("[   10.13] I/O error, dev ubda, sector 90000 op 0x2:(FLUSH) flags 0x800\n");
  CHECK (write_errors_seen () == ENOSPC);

  return CHECK_DONE ();
}
