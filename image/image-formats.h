/* image-formats.h: the image formats imgmount accepts, for --format and
 * for the backing formats an image's header may state.  Here rather than
 * in mount/options.c so that imgmount-hv, which reads headers too, does
 * not link the command-line parser. */
#ifndef IMGMOUNT_IMAGE_FORMATS_H
#define IMGMOUNT_IMAGE_FORMATS_H

#include <stdbool.h>

/* Whether FMT is an image format imgmount accepts (--format names). */
bool image_format_is_known (const char *fmt);

/* Whether an image in FMT can have a backing file (qcow2, qcow, qed,
 * vmdk): the block node qemu gets for it then states its backing chain,
 * and only then ("backing" is no option of the other drivers). */
bool image_format_has_backing (const char *fmt);

#endif
