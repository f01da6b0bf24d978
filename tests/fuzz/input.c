/* input.c: typed reads from a libFuzzer input (see target.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "tests/fuzz/target.h"

struct fuzz_input
fuzz_input (const uint8_t *data, size_t size)
{
  return (struct fuzz_input) { .data = data, .left = size };
}

bool
fuzz_done (const struct fuzz_input *in)
{
  return in->left == 0;
}

size_t
fuzz_bytes (struct fuzz_input *in, void *out, size_t max)
{
  size_t n = max < in->left ? max : in->left;
  if (n > 0)
    memcpy (out, in->data, n);
  in->data += n;
  in->left -= n;
  return n;
}

/* N (at most 8) little-endian bytes, zero-extended. */
static uint64_t
read_le (struct fuzz_input *in, size_t n)
{
  uint8_t b[8] = { 0 };
  uint64_t v = 0;
  fuzz_bytes (in, b, n);
  for (size_t i = n; i-- > 0; )
    v = v << 8 | b[i];
  return v;
}

uint8_t fuzz_u8 (struct fuzz_input *in) { return (uint8_t) read_le (in, 1); }
uint16_t fuzz_u16 (struct fuzz_input *in) { return (uint16_t) read_le (in, 2); }
uint32_t fuzz_u32 (struct fuzz_input *in) { return (uint32_t) read_le (in, 4); }
uint64_t fuzz_u64 (struct fuzz_input *in) { return read_le (in, 8); }

char *
fuzz_string (struct fuzz_input *in)
{
  /* no memchr on an empty input: its pointer may be NULL */
  const uint8_t *nul = in->left ? memchr (in->data, 0, in->left) : NULL;
  size_t len = nul ? (size_t) (nul - in->data) : in->left;
  char *s = malloc (len + 1);
  if (!s)
    abort ();
  fuzz_bytes (in, s, len);
  s[len] = '\0';
  if (nul) {                    /* the terminator */
    in->data++;
    in->left--;
  }
  return s;
}

void
fuzz_check_failed (const char *file, int line, const char *cond)
{
  fprintf (stderr, "%s:%d: fuzz check failed: %s\n", file, line, cond);
  abort ();
}
