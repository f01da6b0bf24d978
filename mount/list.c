/* list.c: imgmount --list, the filesystems a person can pass to -m, as
 * tab-separated lines or (--json) as a JSON array for scripts. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "backend-select/backend.h"
#include "common/cleanup.h"
#include "common/message.h"
#include "common/printable.h"
#include "fsops/guest-calls.h"
#include "mount/list.h"

/* Prints S as a JSON string, or null; invalid UTF-8 becomes U+FFFD, and
 * controls (C0, DEL, C1) are escaped. */
static void
json_string (const char *s)
{
  if (!s) {
    fputs ("null", stdout);
    return;
  }
  putchar ('"');
  for (const unsigned char *p = (const unsigned char *) s; *p; ) {
    size_t n = utf8_length (p);
    if (n == 0) {
      fputs ("\\ufffd", stdout);
      p++;
    }
    else if (*p == '"' || *p == '\\') {
      printf ("\\%c", *p);
      p++;
    }
    else if (*p < 0x20 || *p == 0x7f) {
      printf ("\\u%04x", *p);
      p++;
    }
    else if (n == 2 && p[0] == 0xc2 && p[1] < 0xa0) {
      /* A C1 control (CSI is U+009B): JSON allows it raw, a terminal
       * showing the output would act on it. */
      printf ("\\u%04x", p[1]);
      p += 2;
    }
    else {
      fwrite (p, 1, n, stdout);
      p += n;
    }
  }
  putchar ('"');
}

/* Prints S and a tab.  The label comes from the image, the device and
 * type from the appliance: no byte of them may act on the terminal, nor
 * start a new column or line. */
static void
put_field (const char *s)
{
  char *p = printable (s);
  printf ("%s\t", p);
  free (p);
}

static void
print_entry (bool json, bool first, const char *device, const char *type,
             const char *label, int64_t size)
{
  if (!json) {
    put_field (device);
    put_field (type);
    put_field (label ? label : "-");
    if (size >= 0)
      printf ("%lld\n", (long long) size);
    else
      printf ("-\n");
    return;
  }
  fputs (first ? "\n  {\"device\": " : ",\n  {\"device\": ", stdout);
  json_string (device);
  fputs (", \"type\": ", stdout);
  json_string (type);
  fputs (", \"label\": ", stdout);
  json_string (label);
  if (size >= 0)
    printf (", \"size\": %lld}", (long long) size);
  else
    fputs (", \"size\": null}", stdout);
}

int
list_filesystems (guestfs_h *g, bool json, char **err)
{
  char **fs;
  size_t n;
  if (guest_list_filesystems (g, &fs, &n))
    return error_set (err, "cannot list filesystems: %s", guest_last_error (g));
  if (json)
    putchar ('[');
  for (size_t k = 0; k < n; k += 2) {
    const char *device = fs[k], *type = fs[k + 1];
    char *label = NULL;
    int64_t size = -1;
    if (strcmp (type, "unknown") != 0)
      guest_vfs_label (g, device, &label);
    if (guest_blockdev_size (g, device, &size))
      size = -1;
    print_entry (json, k == 0, device, type, label && *label ? label : NULL, size);
    free (label);
  }
  if (json)
    puts (n ? "\n]" : "]");
  strings_free (fs);
  return 0;
}
