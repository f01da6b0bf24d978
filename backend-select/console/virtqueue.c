/* virtqueue.c: the device side of a split virtqueue (see virtqueue.h).
 * The ring indices are free-running 16-bit counters; entry positions are
 * index % num, which stays consistent across the wrap at 65536 because
 * num is a power of two. */
#include <errno.h>
#include <unistd.h>
#include "backend-select/console/virtqueue.h"

static void *
translate (const struct vq_memory *mem, uint64_t addr, uint64_t len, bool by_gpa)
{
  for (int i = 0; i < mem->n_regions; i++) {
    const struct vq_region *r = &mem->regions[i];
    uint64_t start = by_gpa ? r->gpa : r->uva;
    /* written so that nothing overflows whatever the front-end sends */
    if (addr >= start && addr - start <= r->size && len <= r->size - (addr - start))
      return r->host + (addr - start);
  }
  return NULL;
}

void *
vq_gpa_to_host (const struct vq_memory *mem, uint64_t addr, uint64_t len)
{
  return translate (mem, addr, len, true);
}

void *
vq_uva_to_host (const struct vq_memory *mem, uint64_t addr, uint64_t len)
{
  return translate (mem, addr, len, false);
}

void
vq_init (struct virtqueue *q, const struct vq_memory *mem)
{
  *q = (struct virtqueue) { .mem = mem, .kick_fd = -1, .call_fd = -1 };
}

int
vq_resolve (struct virtqueue *q)
{
  q->desc = NULL;
  q->avail = NULL;
  q->used = NULL;
  if (!q->have_addr || q->num == 0 || q->mem->n_regions == 0)
    return 0;
  struct vring_desc *desc = vq_uva_to_host (q->mem, q->desc_uva,
                                            (uint64_t) q->num * sizeof *desc);
  /* flags, idx, ring[num], used_event */
  struct vring_avail *avail = vq_uva_to_host (q->mem, q->avail_uva,
                                              6 + 2 * (uint64_t) q->num);
  /* flags, idx, ring[num], avail_event */
  struct vring_used *used = vq_uva_to_host (q->mem, q->used_uva,
                                            6 + 8 * (uint64_t) q->num);
  if (!desc || !avail || !used)
    return -1;
  /* the alignments virtio requires: anything else would have us access
   * misaligned fields (undefined behaviour) */
  if ((uintptr_t) desc % 16 || (uintptr_t) avail % 2 || (uintptr_t) used % 4)
    return -1;
  q->desc = desc;
  q->avail = avail;
  q->used = used;
  return 0;
}

bool
vq_ready (const struct virtqueue *q)
{
  return q->desc && q->kick_fd >= 0 && q->enabled;
}

uint16_t
vq_avail_count (const struct virtqueue *q)
{
  /* acquire: the ring entries and descriptors the driver wrote before
   * publishing this index must be visible to us */
  uint16_t idx = __atomic_load_n (&q->avail->idx, __ATOMIC_ACQUIRE);
  return (uint16_t) (idx - q->last_avail);
}

bool
vq_has_avail (const struct virtqueue *q)
{
  return vq_avail_count (q) != 0;
}

bool
vq_take_more (const struct virtqueue *q, unsigned rounds)
{
  return rounds < q->num && vq_has_avail (q);
}

uint16_t
vq_avail_head (const struct virtqueue *q, uint16_t k)
{
  return q->avail->ring[(uint16_t) (q->last_avail + k) & (q->num - 1)];
}

int
vq_chain (const struct virtqueue *q, uint16_t head, bool writable,
          struct iovec *iov, int max_iov, size_t *len)
{
  int n = 0;
  unsigned i = head;
  *len = 0;
  /* a chain visits each descriptor at most once; more means a loop */
  for (unsigned visited = 0; ; visited++) {
    if (i >= q->num || visited >= q->num || n >= max_iov)
      return -1;
    /* each field read once: the driver may rewrite the descriptor while
     * we look, and a length checked here must be the length used */
    const struct vring_desc *dp = &q->desc[i];
    uint64_t addr = __atomic_load_n (&dp->addr, __ATOMIC_RELAXED);
    uint32_t dlen = __atomic_load_n (&dp->len, __ATOMIC_RELAXED);
    uint16_t flags = __atomic_load_n (&dp->flags, __ATOMIC_RELAXED);
    uint16_t next = __atomic_load_n (&dp->next, __ATOMIC_RELAXED);
    if (flags & VRING_DESC_F_INDIRECT)            /* not negotiated */
      return -1;
    if (!!(flags & VRING_DESC_F_WRITE) != writable)
      return -1;
    void *p = vq_gpa_to_host (q->mem, addr, dlen);
    if (!p)
      return -1;
    iov[n].iov_base = p;
    iov[n].iov_len = dlen;
    *len += dlen;
    n++;
    if (!(flags & VRING_DESC_F_NEXT))
      return n;
    i = next;
  }
}

void
vq_push_used (struct virtqueue *q, uint16_t head, uint32_t len)
{
  uint16_t idx = q->used->idx;      /* only we write it */
  struct vring_used_elem *e = &q->used->ring[idx & (q->num - 1)];
  e->id = head;
  e->len = len;
  /* release: the entry (and the data in the buffers) before the index */
  __atomic_store_n (&q->used->idx, (uint16_t) (idx + 1), __ATOMIC_RELEASE);
  q->last_avail++;
}

void
vq_notify (struct virtqueue *q)
{
  /* order our used->idx store before reading the driver's flags, else we
   * could miss a NO_INTERRUPT being cleared and the driver would sleep */
  __atomic_thread_fence (__ATOMIC_SEQ_CST);
  if (q->call_fd < 0)
    return;
  if (__atomic_load_n (&q->avail->flags, __ATOMIC_ACQUIRE) & VRING_AVAIL_F_NO_INTERRUPT)
    return;
  uint64_t one = 1;
  /* UML's call fds are pipes: EAGAIN means an interrupt is already pending */
  if (write (q->call_fd, &one, sizeof one) < 0 && errno != EAGAIN) {
    /* other errors mean the front-end has gone; the vhost-user socket
     * reports that, so there is nothing to do here */
  }
}
