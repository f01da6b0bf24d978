/* test-read-cache.c: what the read-ahead range serves, and when. */
#include "fsops/read-cache.h"
#include "check.h"

int
main (void)
{
  struct read_cache rc = { 0 };
  char out[64];
  size_t got;

  CHECK (!rcache_get (&rc, out, 10, 0, &got));          /* empty */
  CHECK (rcache_is_sequential (&rc, 0));                 /* start of file */
  CHECK (!rcache_is_sequential (&rc, 4096));

  char *data = malloc (100);
  for (int k = 0; k < 100; k++)
    data[k] = (char) k;
  rcache_fill (&rc, data, 100, 1000, false);
  CHECK (rcache_get (&rc, out, 10, 1000, &got) && got == 10 && out[0] == 0);
  CHECK (rcache_get (&rc, out, 10, 1090, &got) && got == 10 && out[9] == 99);
  CHECK (!rcache_get (&rc, out, 10, 1091, &got));       /* runs past, not EOF */
  CHECK (!rcache_get (&rc, out, 10, 999, &got));        /* before */
  CHECK (!rcache_get (&rc, out, 10, 1100, &got));       /* just after */
  CHECK (rcache_is_sequential (&rc, 1100));              /* continues it */
  CHECK (!rcache_is_sequential (&rc, 1101));

  /* At the end of the file a short answer is the right answer. */
  data = malloc (50);
  memset (data, 'e', 50);
  rcache_fill (&rc, data, 50, 2000, true);
  CHECK (rcache_get (&rc, out, 64, 2040, &got) && got == 10);
  CHECK (rcache_get (&rc, out, 64, 2050, &got) && got == 0);
  CHECK (!rcache_get (&rc, out, 64, 2051, &got));
  uint64_t gen = rc.gen;
  rcache_drop (&rc);
  CHECK (rc.data == NULL && !rcache_get (&rc, out, 1, 2000, &got));
  /* A drop moves the generation (a read begun before it is not kept); a
   * fill does not. */
  CHECK (rc.gen == gen + 1);
  rcache_fill (&rc, malloc (1), 1, 0, true);
  CHECK (rc.gen == gen + 1);
  rcache_drop (&rc);
  CHECK (rc.gen == gen + 2);
  return CHECK_DONE ();
}
