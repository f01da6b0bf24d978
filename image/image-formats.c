/* image-formats.c: the image formats imgmount accepts (see
 * image-formats.h), by qemu's driver names. */
#include <stddef.h>
#include <string.h>
#include "image/image-formats.h"

static const char *const known_formats[] = {
  "raw", "qcow2", "qcow", "vmdk", "vdi", "vhdx", "vpc", "qed", "parallels", NULL,
};

bool
image_format_is_known (const char *fmt)
{
  for (size_t i = 0; known_formats[i]; i++)
    if (strcmp (fmt, known_formats[i]) == 0)
      return true;
  return false;
}

bool
image_format_has_backing (const char *fmt)
{
  return fmt && (strcmp (fmt, "qcow2") == 0 || strcmp (fmt, "qcow") == 0 ||
                 strcmp (fmt, "qed") == 0 || strcmp (fmt, "vmdk") == 0);
}
