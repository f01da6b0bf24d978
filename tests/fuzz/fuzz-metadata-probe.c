/* fuzz-metadata-probe.c: the host's reading of an untrusted image's
 * partition tables and volume signatures (backend-select/metadata-probe.c).
 *
 * Input: u32 the disk's size in sectors (taken modulo 2^24, at least 1),
 * then up to 64 chunks of u32 sector number (modulo the size) and 512
 * bytes of that sector's contents; every other sector reads as zeros, so
 * tables can point anywhere on a disk of up to 8 GiB without it existing.
 * Checks, beyond the sanitizers: every read the probe asks for lies inside
 * the disk, and the answer is a set of the three scans. */
#include <string.h>
#include "backend-select/metadata-probe.h"
#include "tests/fuzz/target.h"

#define SECTOR 512
#define MAX_CHUNKS 64

struct sparse_disk {
  uint64_t size;
  size_t n;
  uint64_t sector[MAX_CHUNKS];
  uint8_t bytes[MAX_CHUNKS][SECTOR];
};

static ssize_t
read_sparse (void *opaque, void *buf, size_t len, uint64_t offset)
{
  const struct sparse_disk *d = opaque;
  FUZZ_CHECK (offset < d->size && len <= d->size - offset);
  memset (buf, 0, len);
  for (size_t k = 0; k < d->n; k++) {
    uint64_t start = d->sector[k] * SECTOR, end = start + SECTOR;
    if (end <= offset || start >= offset + len)
      continue;
    uint64_t from = start > offset ? start : offset;
    uint64_t to = end < offset + len ? end : offset + len;
    memcpy ((uint8_t *) buf + (from - offset), d->bytes[k] + (from - start), to - from);
  }
  return (ssize_t) len;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  static struct sparse_disk d;
  struct fuzz_input in = fuzz_input (data, size);
  uint64_t sectors = (fuzz_u32 (&in) & 0xffffff) + 1;
  d.size = sectors * SECTOR;
  for (d.n = 0; d.n < MAX_CHUNKS && !fuzz_done (&in); d.n++) {
    d.sector[d.n] = fuzz_u32 (&in) % sectors;
    memset (d.bytes[d.n], 0, SECTOR);
    fuzz_bytes (&in, d.bytes[d.n], SECTOR);
  }
  unsigned scans = metadata_probe (read_sparse, &d, d.size);
  FUZZ_CHECK ((scans & ~(unsigned) SCAN_ALL) == 0);
  return 0;
}
