/* kernel-unpack.h: the appliance's kernel, uncompressed, for qemu. */
#ifndef IMGMOUNT_KERNEL_UNPACK_H
#define IMGMOUNT_KERNEL_UNPACK_H

/* Replaces the bzImage KERNEL by its uncompressed vmlinux when that has a
 * PVH entry point qemu can boot directly; 0 if it did, -1 if KERNEL stays
 * as it was. */
int kernel_unpack (const char *kernel, int verbose);

#endif
