/* virtqueue.h: the device side of a virtio split virtqueue in guest memory
 * that this process has mapped (vhost-user): translating guest addresses,
 * turning descriptor chains into iovecs, completing chains, notifying.
 * Only what imgmount-console negotiates: no EVENT_IDX, no indirect
 * descriptors, chains completed in the order the driver made them available. */
#ifndef IMGMOUNT_VIRTQUEUE_H
#define IMGMOUNT_VIRTQUEUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>
#include <linux/virtio_ring.h>

#define VQ_MAX_REGIONS 8        /* VHOST_MEMORY_BASELINE_NREGIONS */
#define VQ_MAX_SIZE 32768       /* the largest queue size virtio allows */

/* One region of guest memory: guest-physical address GPA and front-end
 * user address UVA both start at HOST in this process. */
struct vq_region {
  uint64_t gpa, uva, size;
  uint8_t *host;
};

struct vq_memory {
  struct vq_region regions[VQ_MAX_REGIONS];
  int n_regions;
};

/* Returns where LEN bytes at guest-physical / front-end user address ADDR
 * are in this process, or NULL unless they lie inside one region. */
void *vq_gpa_to_host (const struct vq_memory *mem, uint64_t addr, uint64_t len);
void *vq_uva_to_host (const struct vq_memory *mem, uint64_t addr, uint64_t len);

struct virtqueue {
  const struct vq_memory *mem;
  unsigned num;                         /* queue size, a power of two */
  uint64_t desc_uva, avail_uva, used_uva;
  bool have_addr;
  struct vring_desc *desc;              /* NULL until resolved */
  struct vring_avail *avail;
  struct vring_used *used;
  uint16_t last_avail;                  /* next avail entry to consume */
  int kick_fd, call_fd;                 /* -1 when unset */
  bool enabled;
};

void vq_init (struct virtqueue *q, const struct vq_memory *mem);

/* Translates the ring addresses through q->mem.  Returns 0, also when the
 * addresses or memory are not known yet, and -1 when they do not fit in
 * guest memory (the ring is then left unusable). */
int vq_resolve (struct virtqueue *q);

/* Mapped, kickable and enabled: the device may use it. */
bool vq_ready (const struct virtqueue *q);

/* Whether the driver has made chains available that we have not consumed.
 * The k-th of them (k from 0) starts at descriptor vq_avail_head (q, k). */
bool vq_has_avail (const struct virtqueue *q);

/* Whether a device loop over the available chains should go round again
 * after ROUNDS rounds (each taking one chain or more): chains are
 * available, and fewer than a ring's worth of rounds have been taken.
 * The bound is for a driver whose rings overlap: a used entry we add may
 * then move the avail index on, and the chains would never run out. */
bool vq_take_more (const struct virtqueue *q, unsigned rounds);
uint16_t vq_avail_count (const struct virtqueue *q);
uint16_t vq_avail_head (const struct virtqueue *q, uint16_t k);

/* Fills IOV with the buffers of the chain starting at descriptor HEAD,
 * which must all be device-writable (WRITABLE) or all device-readable,
 * and sets *LEN to their total length.  Returns the number of iovecs, or
 * -1 for a malformed chain or one longer than MAX_IOV. */
int vq_chain (const struct virtqueue *q, uint16_t head, bool writable,
              struct iovec *iov, int max_iov, size_t *len);

/* Completes the oldest available chain, which starts at HEAD, with LEN
 * bytes written into it: consumes its avail entry and adds a used entry. */
void vq_push_used (struct virtqueue *q, uint16_t head, uint32_t len);

/* Tells the driver about used entries, unless it asked not to be. */
void vq_notify (struct virtqueue *q);

#endif
