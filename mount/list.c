/* list.c: imgmount --list, the filesystems a person can pass to -m. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "mount/list.h"

int
list_filesystems (guestfs_h *g, char **err)
{
  char **fs = guestfs_list_filesystems (g);
  if (!fs) {
    if (asprintf (err, "cannot list filesystems: %s", guestfs_last_error (g)) < 0)
      *err = NULL;
    return -1;
  }
  for (size_t k = 0; fs[k]; k += 2) {
    const char *device = fs[k], *type = fs[k + 1];
    char *label = strcmp (type, "unknown") == 0 ? NULL : guestfs_vfs_label (g, device);
    int64_t size = guestfs_blockdev_getsize64 (g, device);
    printf ("%s\t%s\t%s\t", device, type, label && *label ? label : "-");
    if (size >= 0)
      printf ("%lld\n", (long long) size);
    else
      printf ("-\n");
    free (label);
  }
  for (size_t k = 0; fs[k]; k++)
    free (fs[k]);
  free (fs);
  return 0;
}
