/* fuzz-write-errors.c: the daemon's reading of the appliance's console,
 * where a hostile guest writes what it likes (backend-select/write-errors.c).
 *
 * Input: repeated (u8 piece length, that many bytes) until the end: the
 * console output as libguestfs would pass it on, cut anywhere.  Each piece
 * is a copy of its exact size, so that the sanitizers see a read past it.
 * Checks, beyond the sanitizers: what the watch reports is 0, EIO or
 * ENOSPC, and it never goes back: EIO stays failed, ENOSPC stays ENOSPC
 * (the state lives for the process, so this holds across inputs too). */
#include <errno.h>
#include <stdlib.h>
#include "backend-select/write-errors.h"
#include "tests/fuzz/target.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  struct fuzz_input in = fuzz_input (data, size);
  while (!fuzz_done (&in)) {
    size_t len = fuzz_u8 (&in);
    char *piece = malloc (len ? len : 1);
    len = fuzz_bytes (&in, piece, len);
    int before = write_errors_seen ();
    write_errors_feed (piece, len);
    int after = write_errors_seen ();
    free (piece);
    FUZZ_CHECK (after == 0 || after == EIO || after == ENOSPC);
    FUZZ_CHECK (before == 0 || after != 0);
    FUZZ_CHECK (before != ENOSPC || after == ENOSPC);
  }
  return 0;
}
