/* test-write-buffer.c: what the write coalescing accepts, and what it
 * hands back. */
#include "fsops/write-buffer.h"
#include "check.h"

int
main (void)
{
  struct write_buffer wb = { 0 };
  char a[100], b[100];
  memset (a, 'a', sizeof a);
  memset (b, 'b', sizeof b);

  CHECK (wbuf_absorb (&wb, a, 100, 1000, 1000));     /* empty: any offset */
  CHECK (wb.offset == 1000 && wb.len == 100 && wbuf_end (&wb) == 1100);
  CHECK (wbuf_absorb (&wb, b, 100, 1100, 1000));     /* appends */
  CHECK (wb.len == 200 && wb.data[150] == 'b');
  CHECK (wbuf_absorb (&wb, a, 50, 1120, 1000));      /* overwrites inside */
  CHECK (wb.len == 200 && wb.data[120] == 'a' && wb.data[170] == 'b');
  CHECK (wbuf_absorb (&wb, b, 100, 1150, 1000));     /* overlaps the end */
  CHECK (wb.len == 250 && wb.data[249] == 'b');
  CHECK (!wbuf_absorb (&wb, a, 10, 999, 1000));      /* before: flush first */
  CHECK (!wbuf_absorb (&wb, a, 10, 1251, 1000));     /* a hole: flush first */
  CHECK (wb.len == 250);                             /* refused writes change nothing */

  /* The limit bounds the buffer. */
  CHECK (!wbuf_absorb (&wb, a, 100, 1250, 300));
  CHECK (!wbuf_absorb (&wb, a, 100, 0, 50));

  /* Truncation drops what is beyond the new size. */
  wbuf_truncate (&wb, 1200);
  CHECK (wb.len == 200);
  wbuf_truncate (&wb, 5000);
  CHECK (wb.len == 200);
  wbuf_truncate (&wb, 1000);
  CHECK (wb.len == 0);

  /* Errors are kept until taken, once. */
  wb.error = 28;
  CHECK (wbuf_take_error (&wb) == 28);
  CHECK (wbuf_take_error (&wb) == 0);

  /* Growth keeps earlier data. */
  wbuf_clear (&wb);
  for (int k = 0; k < 5000; k++)
    CHECK (wbuf_absorb (&wb, (k & 1) ? a : b, 100, (int64_t) k * 100, 1 << 20));
  CHECK (wb.len == 500000 && wb.data[0] == 'b' && wb.data[100] == 'a' && wb.data[499999] == 'a');

  /* Trimming gives back an empty buffer's memory, never held data, and
   * keeps a pending error. */
  wbuf_trim (&wb);
  CHECK (wb.len == 500000 && wb.data && wb.data[499999] == 'a');
  wbuf_clear (&wb);
  wb.error = 5;
  wbuf_trim (&wb);
  CHECK (wb.data == NULL && wb.cap == 0 && wb.len == 0);
  CHECK (wbuf_take_error (&wb) == 5);
  CHECK (wbuf_absorb (&wb, a, 100, 7, 1000) && wb.len == 100 && wb.data[99] == 'a');

  /* Detaching hands the range out whole, keeps a pending error, and the
   * buffer takes a write at any offset again. */
  wb.error = 28;
  char *data;
  size_t len;
  int64_t offset;
  wbuf_detach (&wb, &data, &len, &offset);
  CHECK (len == 100 && offset == 7 && data[99] == 'a');
  CHECK (wb.len == 0 && wb.data == NULL && wb.cap == 0 && wb.error == 28);
  CHECK (wbuf_absorb (&wb, b, 10, 500, 1000) && wb.offset == 500 && wb.data[9] == 'b');
  free (data);
  wbuf_free (&wb);
  return CHECK_DONE ();
}
