/* ext-superblock.c: the casefold flag of an ext2/3/4 superblock.
 *
 * The fields are little-endian at fixed offsets (the kernel's
 * struct ext4_super_block): s_magic at 0x38, s_feature_incompat at 0x60. */
#include <stdint.h>
#include "fsops/ext-superblock.h"

#define EXT_MAGIC 0xEF53
#define EXT_MAGIC_AT 0x38
#define EXT_INCOMPAT_AT 0x60
#define EXT_INCOMPAT_CASEFOLD 0x20000

static uint32_t
le (const unsigned char *p, int bytes)
{
  uint32_t v = 0;
  for (int k = bytes - 1; k >= 0; k--)
    v = v << 8 | p[k];
  return v;
}

bool
ext_superblock_may_fold_case (const void *sb, size_t len)
{
  const unsigned char *u = sb;
  if (!sb || len < EXT_INCOMPAT_AT + 4 || le (u + EXT_MAGIC_AT, 2) != EXT_MAGIC)
    return true;
  return (le (u + EXT_INCOMPAT_AT, 4) & EXT_INCOMPAT_CASEFOLD) != 0;
}
