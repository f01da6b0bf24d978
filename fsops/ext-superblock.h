/* ext-superblock.h: what fsops reads from an ext2/3/4 superblock itself,
 * rather than start tune2fs in the appliance for it. */
#ifndef IMGMOUNT_EXT_SUPERBLOCK_H
#define IMGMOUNT_EXT_SUPERBLOCK_H

#include <stdbool.h>
#include <stddef.h>

/* Where the superblock lies on the device: 1024 bytes at offset 1024. */
#define EXT_SUPERBLOCK_OFFSET 1024
#define EXT_SUPERBLOCK_SIZE 1024

/* Whether the superblock SB (LEN bytes read from EXT_SUPERBLOCK_OFFSET)
 * may fold the case of names: true when it has the casefold feature, and
 * also when it is too short or lacks the ext magic, the cautious answer
 * for a filesystem whose names might not compare byte for byte. */
bool ext_superblock_may_fold_case (const void *sb, size_t len);

#endif
