/* fnv1a.h: FNV-1a, 64 bits, of a string: for hash tables and stable
 * names, not a defence against anyone choosing colliding input. */
#ifndef IMGMOUNT_FNV1A_H
#define IMGMOUNT_FNV1A_H

#include <stdint.h>

static inline uint64_t
fnv1a_string (const char *s)
{
  uint64_t h = 0xcbf29ce484222325ull;
  for (const unsigned char *p = (const unsigned char *) s; *p; p++)
    h = (h ^ *p) * 0x100000001b3ull;
  return h;
}

#endif
