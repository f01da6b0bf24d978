/* fuzz-virtqueue.c: the split virtqueue code (backend-select/console/virtqueue.c):
 * address translation, ring resolution, descriptor chains, used entries.
 *
 * Guest memory is up to MAX_REGIONS malloc'd buffers, each registered as a
 * region at a guest-physical and a front-end address the input chooses, so
 * that ASan reports any access outside them.  Input, little-endian:
 *   u8 region count (1 + n % MAX_REGIONS), then per region u64 gpa,
 *      u64 uva, u16 size (1 + n % MAX_REGION_SIZE);
 *   u8 log2 of the queue size (mod 16);
 *   the descriptor table, avail ring and used ring, each as u8 region and
 *      u16 offset into it (a front-end address: rings are found by uva);
 *   u16 last_avail; u8 flags (bit 0: chains are device-writable);
 *   u8 probe count (mod 4), then per probe u64 gpa, u64 length: direct
 *      vq_gpa_to_host calls, whose answer must lie inside a region;
 *   the rest: the regions' contents, in order (descriptors, rings, data).
 * The target then consumes available chains as a device would, touching
 * every byte of every buffer, and completes each. */
#include <stdlib.h>
#include <string.h>
#include "backend-select/console/virtqueue.h"
#include "tests/fuzz/target.h"

#define MAX_REGIONS 3
#define MAX_REGION_SIZE 16384
#define MAX_IOV 16
#define MAX_CHAINS 512          /* a bound on the work per input */

struct guest {
  struct vq_memory mem;
  uint8_t *buf[MAX_REGIONS];
};

static void
read_regions (struct guest *g, struct fuzz_input *in)
{
  memset (g, 0, sizeof *g);
  g->mem.n_regions = 1 + fuzz_u8 (in) % MAX_REGIONS;
  for (int i = 0; i < g->mem.n_regions; i++) {
    struct vq_region *r = &g->mem.regions[i];
    r->gpa = fuzz_u64 (in);
    r->uva = fuzz_u64 (in);
    r->size = 1 + fuzz_u16 (in) % MAX_REGION_SIZE;
    /* malloc, not one big array: ASan's redzones end each region */
    g->buf[i] = r->host = calloc (1, r->size);
    if (!r->host)
      abort ();
  }
}

/* A front-end address inside (or, by its offset, past) a region. */
static uint64_t
read_ring_address (const struct guest *g, struct fuzz_input *in)
{
  const struct vq_region *r = &g->mem.regions[fuzz_u8 (in) % g->mem.n_regions];
  return r->uva + fuzz_u16 (in);
}

/* Touches both ends of a translated range: ASan reports it unless the
 * whole range is inside one region's buffer. */
static void
touch_ends (const uint8_t *p, uint64_t len)
{
  if (len > 0) {
    volatile uint8_t sink = p[0];
    sink = p[len - 1];
    (void) sink;
  }
}

static void
probe_translation (const struct guest *g, struct fuzz_input *in)
{
  for (unsigned n = fuzz_u8 (in) % 4; n > 0; n--) {
    uint64_t gpa = fuzz_u64 (in), len = fuzz_u64 (in);
    uint8_t *p = vq_gpa_to_host (&g->mem, gpa, len);
    if (p)
      touch_ends (p, len);
  }
}

static void
consume_chains (struct virtqueue *q, bool writable)
{
  for (unsigned done = 0; done < MAX_CHAINS && vq_has_avail (q); done++) {
    uint16_t head = vq_avail_head (q, 0);
    struct iovec iov[MAX_IOV];
    size_t len, sum = 0;
    int n = vq_chain (q, head, writable, iov, MAX_IOV, &len);
    FUZZ_CHECK (n >= -1 && n <= MAX_IOV);
    for (int k = 0; k < n; k++) {
      if (writable)
        memset (iov[k].iov_base, 0xa5, iov[k].iov_len);
      else
        touch_ends (iov[k].iov_base, iov[k].iov_len);
      sum += iov[k].iov_len;
    }
    FUZZ_CHECK (n < 0 || sum == len);
    uint16_t used_before = q->used->idx;
    vq_push_used (q, head, n < 0 ? 0 : (uint32_t) len);
    FUZZ_CHECK ((uint16_t) (q->used->idx - used_before) == 1);
  }
  vq_notify (q);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  struct fuzz_input in = fuzz_input (data, size);
  struct guest g;
  struct virtqueue q;
  read_regions (&g, &in);
  vq_init (&q, &g.mem);
  q.num = 1u << (fuzz_u8 (&in) % 16);
  q.desc_uva = read_ring_address (&g, &in);
  q.avail_uva = read_ring_address (&g, &in);
  q.used_uva = read_ring_address (&g, &in);
  q.have_addr = true;
  q.last_avail = fuzz_u16 (&in);
  bool writable = fuzz_u8 (&in) & 1;
  probe_translation (&g, &in);
  for (int i = 0; i < g.mem.n_regions; i++)
    fuzz_bytes (&in, g.buf[i], g.mem.regions[i].size);

  if (vq_resolve (&q) == 0) {
    FUZZ_CHECK (q.desc && q.avail && q.used);
    consume_chains (&q, writable);
  } else {
    FUZZ_CHECK (!q.desc && !q.avail && !q.used);
  }
  for (int i = 0; i < g.mem.n_regions; i++)
    free (g.buf[i]);
  return 0;
}
