/* test-initrd-trim.c: trimming supermin's mini-initrd (initrd-trim.c) on
 * archives built here, well-formed and broken. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "backend-select/appliance/initrd-trim.h"
#include "check.h"

struct archive {
  unsigned char buf[8192];
  size_t len;
};

static void
add (struct archive *a, const char *name, const char *data)
{
  size_t name_len = strlen (name) + 1, data_len = strlen (data);
  a->len += (size_t) sprintf ((char *) a->buf + a->len,
                              "070701%08X%08X%08X%08X%08X%08X%08zX%08X%08X%08X%08X%08zX%08X",
                              1, 0100644, 0, 0, 1, 0, data_len, 0, 0, 0, 0, name_len, 0);
  memcpy (a->buf + a->len, name, name_len);
  a->len += name_len;
  while (a->len % 4)
    a->buf[a->len++] = 0;
  memcpy (a->buf + a->len, data, data_len);
  a->len += data_len;
  while (a->len % 4)
    a->buf[a->len++] = 0;
}

/* The names in ARCHIVE, joined by spaces, and the "modules" file's text. */
static void
contents (const unsigned char *p, size_t len, char *names, char *modules)
{
  names[0] = modules[0] = '\0';
  for (size_t pos = 0; pos + 110 <= len;) {
    unsigned data_len, name_len;
    sscanf ((const char *) p + pos + 6 + 6 * 8, "%8x", &data_len);
    sscanf ((const char *) p + pos + 6 + 11 * 8, "%8x", &name_len);
    const char *name = (const char *) p + pos + 110;
    size_t data = (pos + 110 + name_len + 3) & ~(size_t) 3;
    strcat (names, names[0] ? " " : "");
    strcat (names, name);
    if (strcmp (name, "modules") == 0)
      strncat (modules, (const char *) p + data, data_len);
    if (strcmp (name, "TRAILER!!!") == 0)
      break;
    pos = (data + data_len + 3) & ~(size_t) 3;
  }
}

static void
test_needed (void)
{
  CHECK (!initrd_module_needed ("virtio_net.ko"));
  CHECK (!initrd_module_needed ("ata_piix.ko.xz"));
  CHECK (!initrd_module_needed ("lib/modules/6.1/kernel/drivers/acpi/nfit/nfit.ko"));
  CHECK (!initrd_module_needed ("crc8.ko"));
  CHECK (initrd_module_needed ("virtio_scsi.ko"));
  CHECK (initrd_module_needed ("virtio_console.ko"));
  CHECK (initrd_module_needed ("crc32c_generic.ko"));
  CHECK (initrd_module_needed ("crc-t10dif.ko"));
  CHECK (initrd_module_needed ("virtio_net_extra.ko"));   /* whole names only */
  CHECK (initrd_module_needed ("init"));
  CHECK (initrd_module_needed ("modules"));
}

static void
test_trim (void)
{
  struct archive a = { .len = 0 };
  add (&a, "init", "#!/bin/init");
  add (&a, "modules", "crc32c_generic.ko\nata_piix.ko\nsd_mod.ko\nvirtio_net.ko\n");
  add (&a, "crc32c_generic.ko", "A");
  add (&a, "ata_piix.ko", "BB");
  add (&a, "sd_mod.ko", "CCC");
  add (&a, "virtio_net.ko", "DDDD");
  add (&a, "TRAILER!!!", "");
  memset (a.buf + a.len, 0, 12);  /* padding after the trailer stays */
  a.len += 12;

  unsigned char *out;
  size_t out_len;
  CHECK (initrd_trim_archive (a.buf, a.len, &out, &out_len) == 2);
  char names[512], modules[512];
  contents (out, out_len, names, modules);
  CHECK_STR (names, "init modules crc32c_generic.ko sd_mod.ko TRAILER!!!");
  CHECK_STR (modules, "crc32c_generic.ko\nsd_mod.ko\n");
  CHECK (out_len % 4 == 0 && out_len < a.len);
  CHECK (memcmp (out + out_len - 12, "\0\0\0\0\0\0\0\0\0\0\0\0", 12) == 0);

  /* Trimming again leaves it as it is. */
  unsigned char *again;
  size_t again_len;
  CHECK (initrd_trim_archive (out, out_len, &again, &again_len) == 0);
  CHECK (again_len == out_len && memcmp (again, out, out_len) == 0);
  free (again);
  free (out);
}

static void
expect_refused (const unsigned char *p, size_t len, const char *what)
{
  unsigned char *out = (unsigned char *) "not set";
  size_t out_len;
  if (initrd_trim_archive (p, len, &out, &out_len) != -1 || out != NULL) {
    fprintf (stderr, "accepted: %s\n", what);
    check_failures++;
  }
}

static void
test_broken (void)
{
  struct archive a = { .len = 0 };
  add (&a, "init", "#!/bin/init");
  add (&a, "modules", "sd_mod.ko\n");
  size_t without_trailer = a.len;
  add (&a, "TRAILER!!!", "");

  expect_refused (a.buf, 0, "an empty file");
  expect_refused (a.buf, without_trailer, "no trailer");
  expect_refused (a.buf, 50, "a header cut short");
  expect_refused (a.buf, 120, "a file cut short");

  struct archive b = a;
  memcpy (b.buf, "070707", 6);
  expect_refused (b.buf, b.len, "an old-format (odc) header");

  b = a;
  memcpy (b.buf + 6 + 11 * 8, "FFFFFFFF", 8);
  expect_refused (b.buf, b.len, "a name longer than the archive");

  b = a;
  memcpy (b.buf + 6 + 6 * 8, "FFFFFFF0", 8);
  expect_refused (b.buf, b.len, "data longer than the archive");

  b = a;
  memcpy (b.buf + 6 + 6 * 8, "0000000Z", 8);
  expect_refused (b.buf, b.len, "a size that is not hex");

  b = a;
  memcpy (b.buf + 6 + 11 * 8, "00000002", 8);  /* "in" without its NUL */
  expect_refused (b.buf, b.len, "a name without its NUL");
}

int
main (void)
{
  test_needed ();
  test_trim ();
  test_broken ();
  return CHECK_DONE ();
}
