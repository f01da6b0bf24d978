/* vhost-user.h: the device-independent back-end half of the vhost-user
 * protocol (qemu docs/interop/vhost-user.rst), as User-Mode Linux's
 * virtio_uml front-end speaks it: features, guest memory, vring setup.
 * What a device adds (its feature bits, config space, what to do when a
 * queue is kicked) comes in through struct vu_device_ops. */
#ifndef IMGMOUNT_VHOST_USER_H
#define IMGMOUNT_VHOST_USER_H

#include <stdbool.h>
#include <stdint.h>
#include "backend-select/console/virtqueue.h"

#define VU_MAX_QUEUES 8

struct vu_device_ops {
  uint64_t features;            /* device feature bits offered to the driver */
  unsigned n_queues;            /* at most VU_MAX_QUEUES */
  /* Fills BUF with SIZE bytes of config space starting at OFFSET. */
  void (*get_config) (void *dev, uint32_t offset, uint8_t *buf, uint32_t size);
  /* Queue INDEX may have work: it was kicked, or it just became ready. */
  void (*kicked) (void *dev, unsigned index);
  /* The driver stopped queue INDEX (GET_VRING_BASE, or SET_VRING_ENABLE
   * with 0): it is being removed or reset, and may set the queue up again
   * and start over.  May be NULL. */
  void (*stopped) (void *dev, unsigned index);
};

struct vu_server {
  int fd;                       /* the connection from the front-end */
  const struct vu_device_ops *ops;
  void *dev;
  bool debug;
  uint64_t features, protocol_features;
  int slave_fd;
  struct vq_memory mem;
  void *map_base[VQ_MAX_REGIONS];       /* what to munmap per region */
  size_t map_len[VQ_MAX_REGIONS];
  struct virtqueue queues[VU_MAX_QUEUES];
};

void vu_init (struct vu_server *vu, int fd, const struct vu_device_ops *ops,
              void *dev, bool debug);

/* Closes the connection and every fd and mapping it brought. */
void vu_close (struct vu_server *vu);

/* Reads and handles one message.  Returns 1, 0 when the front-end has
 * closed the connection, -1 with *ERR set on a protocol or system error. */
int vu_handle_message (struct vu_server *vu, char **err);

/* Consumes the kick on queue INDEX (its kick fd is readable) and hands
 * it to the device. */
void vu_kick (struct vu_server *vu, unsigned index);

/* With debug on, writes "imgmount-console: " and the message to stderr. */
void vu_log (const struct vu_server *vu, const char *fmt, ...)
  __attribute__ ((format (printf, 2, 3)));

#endif
