/* read-cache.c: the per-file read-ahead range; see the header. */
#include <stdlib.h>
#include <string.h>
#include "fsops/read-cache.h"

bool
rcache_get (const struct read_cache *rc, char *buf, size_t size, int64_t off,
            size_t *got)
{
  if (!rc->data || off < rc->offset)
    return false;
  int64_t end = rc->offset + (int64_t) rc->len;
  if (off > end || (off == end && !rc->eof))
    return false;
  size_t avail = (size_t) (end - off);
  if (avail < size && !rc->eof)
    return false;
  *got = avail < size ? avail : size;
  memcpy (buf, rc->data + (off - rc->offset), *got);
  return true;
}

bool
rcache_is_sequential (const struct read_cache *rc, int64_t off)
{
  return off == 0 ||
    (rc->data && off >= rc->offset && off <= rc->offset + (int64_t) rc->len);
}

void
rcache_fill (struct read_cache *rc, char *data, size_t len, int64_t off, bool eof)
{
  free (rc->data);
  rc->data = data;
  rc->len = len;
  rc->offset = off;
  rc->eof = eof;
}

void
rcache_drop (struct read_cache *rc)
{
  uint64_t gen = rc->gen;
  free (rc->data);
  memset (rc, 0, sizeof *rc);
  rc->gen = gen + 1;
}
