/* write-buffer.c: the contiguous per-file write buffer; see the header. */
#include <stdlib.h>
#include <string.h>
#include "fsops/write-buffer.h"

bool
wbuf_absorb (struct write_buffer *wb, const char *buf, size_t size,
             int64_t off, size_t limit)
{
  if (size > limit || off < 0)
    return false;
  if (wb->len == 0)
    wb->offset = off;
  /* Accept a write starting inside the range or right at its end. */
  if (off < wb->offset || off > wb->offset + (int64_t) wb->len)
    return false;
  size_t at = (size_t) (off - wb->offset);
  size_t new_len = at + size > wb->len ? at + size : wb->len;
  if (new_len > limit)
    return false;
  if (new_len > wb->cap) {
    size_t cap = wb->cap ? wb->cap : 256 * 1024;
    while (cap < new_len)
      cap *= 2;
    if (cap > limit)
      cap = limit;
    char *grown = realloc (wb->data, cap);
    if (!grown)
      return false;
    wb->data = grown;
    wb->cap = cap;
  }
  memcpy (wb->data + at, buf, size);
  wb->len = new_len;
  return true;
}

int64_t
wbuf_end (const struct write_buffer *wb)
{
  return wb->len ? wb->offset + (int64_t) wb->len : 0;
}

void
wbuf_clear (struct write_buffer *wb)
{
  wb->len = 0;
  wb->offset = 0;
}

void
wbuf_detach (struct write_buffer *wb, char **data, size_t *len, int64_t *offset)
{
  *data = wb->data;
  *len = wb->len;
  *offset = wb->offset;
  *wb = (struct write_buffer) { .error = wb->error };
}

void
wbuf_truncate (struct write_buffer *wb, int64_t size)
{
  if (wb->len == 0 || size >= wbuf_end (wb))
    return;
  if (size <= wb->offset)
    wbuf_clear (wb);
  else
    wb->len = (size_t) (size - wb->offset);
}

void
wbuf_trim (struct write_buffer *wb)
{
  if (wb->len)
    return;
  free (wb->data);
  wb->data = NULL;
  wb->cap = 0;
}

int
wbuf_take_error (struct write_buffer *wb)
{
  int e = wb->error;
  wb->error = 0;
  return e;
}

void
wbuf_free (struct write_buffer *wb)
{
  free (wb->data);
  memset (wb, 0, sizeof *wb);
}
