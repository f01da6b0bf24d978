/* test-virtqueue.c: the split virtqueue helpers on a ring built in ordinary
 * memory, with "guest memory" mapped at its own address (gpa == uva ==
 * host): chains to iovecs, used entries, notification, index wrap-around. */
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include "backend-select/console/virtqueue.h"
#include "tests/unit/check.h"

#define NUM 8
#define DESC_OFF 0
#define AVAIL_OFF 256
#define USED_OFF 512
#define DATA_OFF 4096

static uint8_t guest[16384] __attribute__ ((aligned (4096)));

static uint64_t
gaddr (size_t off)
{
  return (uint64_t) (uintptr_t) (guest + off);
}

static void
set_desc (struct virtqueue *q, unsigned i, size_t off, uint32_t len, uint16_t flags,
          uint16_t next)
{
  q->desc[i] = (struct vring_desc) { .addr = gaddr (off), .len = len, .flags = flags,
                                     .next = next };
}

/* The driver makes the chain at HEAD available. */
static void
publish (struct virtqueue *q, uint16_t head)
{
  q->avail->ring[q->avail->idx % NUM] = head;
  q->avail->idx++;
}

static void
setup (struct virtqueue *q, struct vq_memory *mem)
{
  memset (guest, 0, sizeof guest);
  *mem = (struct vq_memory) { .n_regions = 1 };
  mem->regions[0] = (struct vq_region) { .gpa = gaddr (0), .uva = gaddr (0),
                                         .size = sizeof guest, .host = guest };
  vq_init (q, mem);
  q->num = NUM;
  q->desc_uva = gaddr (DESC_OFF);
  q->avail_uva = gaddr (AVAIL_OFF);
  q->used_uva = gaddr (USED_OFF);
  q->have_addr = true;
  CHECK (vq_resolve (q) == 0);
  CHECK ((uint8_t *) q->desc == guest + DESC_OFF);
  CHECK ((uint8_t *) q->avail == guest + AVAIL_OFF);
  CHECK ((uint8_t *) q->used == guest + USED_OFF);
}

static void
test_translate_and_ready (void)
{
  struct virtqueue q;
  struct vq_memory mem;
  setup (&q, &mem);
  CHECK (vq_gpa_to_host (&mem, gaddr (100), 10) == guest + 100);
  CHECK (vq_gpa_to_host (&mem, gaddr (sizeof guest - 4), 4) == guest + sizeof guest - 4);
  CHECK (vq_gpa_to_host (&mem, gaddr (sizeof guest - 4), 5) == NULL);
  CHECK (vq_gpa_to_host (&mem, gaddr (0) - 1, 1) == NULL);
  CHECK (vq_gpa_to_host (&mem, gaddr (8), UINT64_MAX) == NULL);
  /* a ring that does not fit in guest memory is refused */
  q.used_uva = gaddr (sizeof guest - 16);
  CHECK (vq_resolve (&q) < 0);
  CHECK (q.desc == NULL);
  q.used_uva = gaddr (USED_OFF);
  CHECK (vq_resolve (&q) == 0);
  /* so is a misaligned one: descriptors 16 bytes, avail 2, used 4 */
  q.desc_uva = gaddr (DESC_OFF + 8);
  CHECK (vq_resolve (&q) < 0 && q.desc == NULL);
  q.desc_uva = gaddr (DESC_OFF);
  q.avail_uva = gaddr (AVAIL_OFF + 1);
  CHECK (vq_resolve (&q) < 0);
  q.avail_uva = gaddr (AVAIL_OFF);
  q.used_uva = gaddr (USED_OFF + 2);
  CHECK (vq_resolve (&q) < 0);
  q.used_uva = gaddr (USED_OFF);
  CHECK (vq_resolve (&q) == 0);
  /* ready only once mapped, kickable and enabled */
  CHECK (!vq_ready (&q));
  q.kick_fd = 0;
  CHECK (!vq_ready (&q));
  q.enabled = true;
  CHECK (vq_ready (&q));
}

static void
test_chains (void)
{
  struct virtqueue q;
  struct vq_memory mem;
  struct iovec iov[4];
  size_t len;
  setup (&q, &mem);

  /* device-readable chain of two: 3 -> 5 */
  set_desc (&q, 3, DATA_OFF, 100, VRING_DESC_F_NEXT, 5);
  set_desc (&q, 5, DATA_OFF + 200, 50, 0, 0);
  CHECK (vq_chain (&q, 3, false, iov, 4, &len) == 2);
  CHECK (iov[0].iov_base == guest + DATA_OFF && iov[0].iov_len == 100);
  CHECK (iov[1].iov_base == guest + DATA_OFF + 200 && iov[1].iov_len == 50);
  CHECK (len == 150);
  CHECK (vq_chain (&q, 3, true, iov, 4, &len) < 0);    /* not writable */
  CHECK (vq_chain (&q, 3, false, iov, 1, &len) < 0);   /* too many iovecs */

  /* write-only chain with NEXT: 0 -> 1 */
  set_desc (&q, 0, DATA_OFF + 1024, 4096, VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, 1);
  set_desc (&q, 1, DATA_OFF + 6000, 10, VRING_DESC_F_WRITE, 0);
  CHECK (vq_chain (&q, 0, true, iov, 4, &len) == 2);
  CHECK (iov[0].iov_base == guest + DATA_OFF + 1024 && iov[0].iov_len == 4096);
  CHECK (iov[1].iov_base == guest + DATA_OFF + 6000 && iov[1].iov_len == 10);
  CHECK (len == 4106);
  CHECK (vq_chain (&q, 0, false, iov, 4, &len) < 0);

  /* a readable part followed by a write-only part: one direction only */
  set_desc (&q, 2, DATA_OFF, 8, VRING_DESC_F_NEXT, 1);
  CHECK (vq_chain (&q, 2, false, iov, 4, &len) < 0);
  CHECK (vq_chain (&q, 2, true, iov, 4, &len) < 0);

  /* malformed: a loop, a next outside the table, a buffer outside memory,
   * a head outside the table, an indirect descriptor */
  set_desc (&q, 4, DATA_OFF, 8, VRING_DESC_F_NEXT, 4);
  CHECK (vq_chain (&q, 4, false, iov, 4, &len) < 0);
  set_desc (&q, 4, DATA_OFF, 8, VRING_DESC_F_NEXT, NUM);
  CHECK (vq_chain (&q, 4, false, iov, 4, &len) < 0);
  set_desc (&q, 4, sizeof guest - 4, 8, 0, 0);
  CHECK (vq_chain (&q, 4, false, iov, 4, &len) < 0);
  CHECK (vq_chain (&q, NUM, false, iov, 4, &len) < 0);
  set_desc (&q, 4, DATA_OFF, 16, VRING_DESC_F_INDIRECT, 0);
  CHECK (vq_chain (&q, 4, false, iov, 4, &len) < 0);
}

static void
test_used_and_notify (void)
{
  struct virtqueue q;
  struct vq_memory mem;
  int pipe_fds[2];
  uint64_t v;
  setup (&q, &mem);
  CHECK (pipe2 (pipe_fds, O_NONBLOCK) == 0);
  q.call_fd = pipe_fds[1];

  set_desc (&q, 6, DATA_OFF, 64, VRING_DESC_F_WRITE, 0);
  set_desc (&q, 2, DATA_OFF + 64, 64, VRING_DESC_F_WRITE, 0);
  CHECK (!vq_has_avail (&q));
  publish (&q, 6);
  publish (&q, 2);
  CHECK (vq_avail_count (&q) == 2);
  CHECK (vq_avail_head (&q, 0) == 6);
  CHECK (vq_avail_head (&q, 1) == 2);

  /* another round while chains are available, for a ring's worth */
  CHECK (vq_take_more (&q, 0) && vq_take_more (&q, NUM - 1));
  CHECK (!vq_take_more (&q, NUM));

  vq_push_used (&q, 6, 17);
  CHECK (q.last_avail == 1 && q.used->idx == 1);
  CHECK (q.used->ring[0].id == 6 && q.used->ring[0].len == 17);
  CHECK (vq_avail_count (&q) == 1 && vq_avail_head (&q, 0) == 2);
  vq_push_used (&q, 2, 0);
  CHECK (q.used->idx == 2 && q.used->ring[1].id == 2 && q.used->ring[1].len == 0);
  CHECK (!vq_has_avail (&q) && !vq_take_more (&q, 0));

  vq_notify (&q);
  CHECK (read (pipe_fds[0], &v, sizeof v) == sizeof v);
  q.avail->flags = VRING_AVAIL_F_NO_INTERRUPT;
  vq_notify (&q);
  CHECK (read (pipe_fds[0], &v, sizeof v) < 0);         /* nothing written */
  close (pipe_fds[0]);
  close (pipe_fds[1]);
}

static void
test_wrap (void)
{
  struct virtqueue q;
  struct vq_memory mem;
  setup (&q, &mem);
  /* the driver and device have been running: both indices near 65536 */
  q.last_avail = 65534;
  q.avail->idx = 65534;
  q.used->idx = 65534;
  for (unsigned i = 0; i < 4; i++) {
    set_desc (&q, i, DATA_OFF + 100 * i, 100, VRING_DESC_F_WRITE, 0);
    publish (&q, i);
  }
  CHECK (q.avail->idx == 2);
  CHECK (vq_avail_count (&q) == 4);
  for (unsigned k = 0; k < 4; k++)
    CHECK (vq_avail_head (&q, k) == k);
  /* positions 65534 % 8 = 6, 7, then 0, 1 */
  CHECK (q.avail->ring[6] == 0 && q.avail->ring[7] == 1);
  CHECK (q.avail->ring[0] == 2 && q.avail->ring[1] == 3);
  for (unsigned k = 0; k < 4; k++) {
    uint16_t head = vq_avail_head (&q, 0);
    struct iovec iov[2];
    size_t len;
    CHECK (vq_chain (&q, head, true, iov, 2, &len) == 1 && len == 100);
    vq_push_used (&q, head, 10 + k);
  }
  CHECK (q.last_avail == 2);
  CHECK (q.used->idx == 2);
  CHECK (!vq_has_avail (&q));
  CHECK (q.used->ring[6].id == 0 && q.used->ring[6].len == 10);
  CHECK (q.used->ring[7].id == 1 && q.used->ring[7].len == 11);
  CHECK (q.used->ring[0].id == 2 && q.used->ring[0].len == 12);
  CHECK (q.used->ring[1].id == 3 && q.used->ring[1].len == 13);
}

int
main (void)
{
  test_translate_and_ready ();
  test_chains ();
  test_used_and_notify ();
  test_wrap ();
  return CHECK_DONE ();
}
