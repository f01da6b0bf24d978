/* initrd-trim.h: supermin's mini-initrd without the modules the appliance
 * does not need to boot. */
#ifndef IMGMOUNT_INITRD_TRIM_H
#define IMGMOUNT_INITRD_TRIM_H

#include <stdbool.h>
#include <stddef.h>

/* Whether supermin's mini-init has to load module NAME ("virtio_net.ko")
 * to find and mount the appliance's root and give guestfsd its channel. */
bool initrd_module_needed (const char *name);

/* Copies the newc cpio archive IN (LEN bytes) to a new malloc'd archive in
 * *OUT (*OUT_LEN bytes), leaving out every module initrd_module_needed
 * refuses, and those modules' lines of the "modules" file, which lists what
 * the mini-init loads, in order.  Returns the number of modules left out,
 * or -1 if IN is not a well-formed newc archive (then *OUT is NULL). */
int initrd_trim_archive (const unsigned char *in, size_t len,
                         unsigned char **out, size_t *out_len);

/* Trims the initrd file at PATH in place (through a temporary file and
 * rename); -1 and PATH unchanged if it cannot. */
int initrd_trim (const char *path, int verbose);

#endif
