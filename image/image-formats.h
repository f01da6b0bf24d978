/* image-formats.h: the image formats imgmount accepts, for --format and
 * for the backing formats an image's header may state.  Here rather than
 * in mount/options.c so that imgmount-hv, which reads headers too, does
 * not link the command-line parser. */
#ifndef IMGMOUNT_IMAGE_FORMATS_H
#define IMGMOUNT_IMAGE_FORMATS_H

#include <stdbool.h>

/* Whether FMT is an image format imgmount accepts (--format names). */
bool image_format_is_known (const char *fmt);

#endif
