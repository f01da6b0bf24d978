/* rng.h: a small seeded generator, so that a soak run is reproducible
 * from the seed it prints (xorshift64*, seeded through splitmix64). */
#ifndef SOAK_RNG_H
#define SOAK_RNG_H

#include <stddef.h>
#include <stdint.h>

static inline uint64_t
rng_seed (uint64_t seed, uint64_t stream)
{
  uint64_t z = seed + 0x9e3779b97f4a7c15ull * (stream + 1);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  z ^= z >> 31;
  return z ? z : 1;   /* xorshift never leaves 0 */
}

static inline uint64_t
rng_next (uint64_t *s)
{
  *s ^= *s >> 12;
  *s ^= *s << 25;
  *s ^= *s >> 27;
  return *s * 0x2545f4914f6cdd1dull;
}

/* A number in [lo, hi]. */
static inline uint64_t
rng_range (uint64_t *s, uint64_t lo, uint64_t hi)
{
  return lo + rng_next (s) % (hi - lo + 1);
}

static inline void
rng_fill (uint64_t *s, unsigned char *buf, size_t len)
{
  for (size_t k = 0; k < len; k += 8) {
    uint64_t v = rng_next (s);
    for (size_t b = 0; b < 8 && k + b < len; b++)
      buf[k + b] = (unsigned char) (v >> (8 * b));
  }
}

#endif
