/* read-cache.h: read-ahead for sequential reads.
 *
 * The kernel asks for at most 128 KiB per read on a FUSE mount by default,
 * and each appliance call is a round trip through the hypervisor, so a
 * sequential reader gets 2 MiB per appliance call and the next reads are
 * served from here.  One contiguous range per file; any write, truncate or
 * last close drops it, so what it serves is always what the file holds. */
#ifndef IMGMOUNT_READ_CACHE_H
#define IMGMOUNT_READ_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct read_cache {
  int64_t offset;   /* file offset of data[0] */
  size_t len;
  char *data;
  bool eof;         /* the file ends at offset + len */
  /* Moves at every drop: data read from the appliance while the daemon's
   * lock was let go may be older than a change that dropped the cache
   * meanwhile, and is not kept if the generation moved since the read
   * began. */
  uint64_t gen;
};

/* Serves SIZE bytes at OFF into BUF when the cache holds them (or holds
 * everything up to the end of the file).  Returns true and sets *GOT. */
bool rcache_get (const struct read_cache *rc, char *buf, size_t size,
                 int64_t off, size_t *got);

/* Whether a read at OFF continues a sequential stream (the start of the
 * file, or where the cached range ends or lies), so reading ahead pays. */
bool rcache_is_sequential (const struct read_cache *rc, int64_t off);

/* Replaces the cached range with LEN bytes at OFF, taking DATA. */
void rcache_fill (struct read_cache *rc, char *data, size_t len, int64_t off, bool eof);

/* Empties the cache and moves its generation. */
void rcache_drop (struct read_cache *rc);

#endif
