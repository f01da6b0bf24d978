/* test-image-header.c: the image header reader with well-formed and
 * malformed headers of each format: every offset and length out of
 * bounds, overflowing, too long or truncated must fail cleanly, and every
 * valid way of naming a file must be found. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "image/image-header.h"
#include "tests/unit/check.h"

static unsigned char buf[IMAGE_HEADER_HEAD_SIZE];

static void
put_be32 (unsigned char *p, uint32_t v)
{
  p[0] = (unsigned char) (v >> 24); p[1] = (unsigned char) (v >> 16);
  p[2] = (unsigned char) (v >> 8); p[3] = (unsigned char) v;
}

static void
put_be64 (unsigned char *p, uint64_t v)
{
  put_be32 (p, (uint32_t) (v >> 32));
  put_be32 (p + 4, (uint32_t) v);
}

static void
put_le32 (unsigned char *p, uint32_t v)
{
  p[0] = (unsigned char) v; p[1] = (unsigned char) (v >> 8);
  p[2] = (unsigned char) (v >> 16); p[3] = (unsigned char) (v >> 24);
}

static void
put_le64 (unsigned char *p, uint64_t v)
{
  put_le32 (p, (uint32_t) v);
  put_le32 (p + 4, (uint32_t) (v >> 32));
}

static struct image_header hdr;
static const char *why;

static int
parse (const char *format, size_t len)
{
  return image_header_parse (format, buf, len, NULL, 0, &hdr, &why);
}

/* A qcow2 v3 header with 64 KiB clusters, no extensions, no backing. */
static void
qcow2_v3 (void)
{
  memset (buf, 0, sizeof buf);
  memcpy (buf, "QFI\xfb", 4);
  put_be32 (buf + 4, 3);
  put_be32 (buf + 20, 16);
  put_be32 (buf + 100, 112);
}

static void
qcow2_backing (uint64_t offset, uint32_t size, const char *name)
{
  put_be64 (buf + 8, offset);
  put_be32 (buf + 16, size);
  if (name)
    memcpy (buf + offset, name, strlen (name));
}

/* Appends a header extension at *OFF. */
static void
qcow2_ext (size_t *off, uint32_t type, uint32_t len, const char *data)
{
  put_be32 (buf + *off, type);
  put_be32 (buf + *off + 4, len);
  if (data)
    memcpy (buf + *off + 8, data, strlen (data));
  *off += 8 + ((len + 7u) & ~7u);
}

static void
test_qcow2 (void)
{
  qcow2_v3 ();
  CHECK (parse ("qcow2", 512) == 0 && hdr.backing[0] == '\0' && hdr.other == IMAGE_OTHER_NONE);

  /* Backing file and backing format extension, as qemu-img writes them. */
  qcow2_v3 ();
  size_t off = 112;
  qcow2_ext (&off, 0xe2792aca, 3, "raw");
  qcow2_ext (&off, 0, 0, NULL);
  qcow2_backing (off, 8, "base.img");
  CHECK (parse ("qcow2", 4096) == 0);
  CHECK_STR (hdr.backing, "base.img");
  CHECK_STR (hdr.backing_format, "raw");

  /* Version 2: header 72 bytes, no feature bits. */
  qcow2_v3 ();
  put_be32 (buf + 4, 2);
  qcow2_backing (72, 9, "/abs/base");
  CHECK (parse ("qcow2", 4096) == 0);
  CHECK_STR (hdr.backing, "/abs/base");
  CHECK_STR (hdr.backing_format, "");

  /* A NUL inside the name ends it, as in qemu. */
  qcow2_v3 ();
  qcow2_backing (512, 10, "abc");
  CHECK (parse ("qcow2", 4096) == 0);
  CHECK_STR (hdr.backing, "abc");

  /* Names and extensions out of bounds. */
  qcow2_v3 ();
  qcow2_backing (4000, 200, NULL);
  CHECK (parse ("qcow2", 4096) == -1 && why);                  /* past the buffer */
  qcow2_backing (UINT64_MAX - 4, 10, NULL);
  CHECK (parse ("qcow2", 4096) == -1);                         /* offset overflows */
  qcow2_backing (65536 + 512, 8, NULL);
  CHECK (parse ("qcow2", sizeof buf) == -1);                   /* past the first cluster */
  qcow2_backing (512, 1024, NULL);
  CHECK (parse ("qcow2", 4096) == -1);                         /* longer than qemu allows */
  qcow2_backing (512, UINT32_MAX, NULL);
  CHECK (parse ("qcow2", sizeof buf) == -1);
  qcow2_v3 ();
  put_be32 (buf + 20, 0);
  CHECK (parse ("qcow2", 4096) == -1);                         /* cluster size */
  put_be32 (buf + 20, 63);
  CHECK (parse ("qcow2", 4096) == -1);
  qcow2_v3 ();
  put_be32 (buf + 100, UINT32_MAX);
  CHECK (parse ("qcow2", 4096) == -1);                         /* header length */
  put_be32 (buf + 100, 8);
  CHECK (parse ("qcow2", 4096) == -1);
  qcow2_v3 ();
  off = 112;
  qcow2_ext (&off, 0x12345678, UINT32_MAX, NULL);
  CHECK (parse ("qcow2", sizeof buf) == -1);                   /* extension length */
  qcow2_v3 ();
  off = 112;
  qcow2_ext (&off, 0xe2792aca, 16, "0123456789abcdef");
  CHECK (parse ("qcow2", sizeof buf) == -1);                   /* backing format too long */
  qcow2_v3 ();
  CHECK (parse ("qcow2", 115) == -1);                          /* extensions past the buffer */
  qcow2_v3 ();
  off = 112;
  qcow2_ext (&off, 0x12345678, 100, NULL);
  qcow2_ext (&off, 0, 0, NULL);
  qcow2_backing (150, 4, NULL);                                /* extension runs into the name */
  CHECK (parse ("qcow2", 4096) == -1);

  /* External data file: the feature bit, the name extension, or both. */
  qcow2_v3 ();
  put_be64 (buf + 72, 1u << 2);
  CHECK (parse ("qcow2", 4096) == 0 && hdr.other == IMAGE_OTHER_DATA_FILE && !hdr.other_name[0]);
  off = 112;
  qcow2_ext (&off, 0x44415441, 8, "data.raw");
  qcow2_ext (&off, 0, 0, NULL);
  CHECK (parse ("qcow2", 4096) == 0 && hdr.other == IMAGE_OTHER_DATA_FILE);
  CHECK_STR (hdr.other_name, "data.raw");
  put_be64 (buf + 72, 0);
  CHECK (parse ("qcow2", 4096) == 0 && hdr.other == IMAGE_OTHER_DATA_FILE);

  /* Not qcow2 at all, or too short. */
  qcow2_v3 ();
  put_be32 (buf + 4, 4);
  CHECK (parse ("qcow2", 4096) == -1);
  memset (buf, 0, 512);
  CHECK (parse ("qcow2", 512) == -1);
  qcow2_v3 ();
  CHECK (parse ("qcow2", 80) == -1);
  CHECK (image_header_parse ("qcow2", NULL, 0, NULL, 0, &hdr, &why) == -1);
}

static void
test_qcow (void)
{
  memset (buf, 0, sizeof buf);
  memcpy (buf, "QFI\xfb", 4);
  put_be32 (buf + 4, 1);
  CHECK (parse ("qcow", 512) == 0 && !hdr.backing[0]);
  put_be64 (buf + 8, 48);
  put_be32 (buf + 16, 4);
  memcpy (buf + 48, "base", 4);
  CHECK (parse ("qcow", 512) == 0);
  CHECK_STR (hdr.backing, "base");
  CHECK (parse ("qcow", 50) == -1);
  put_be32 (buf + 16, 2000);
  CHECK (parse ("qcow", sizeof buf) == -1);
  put_be64 (buf + 8, UINT64_MAX);
  put_be32 (buf + 16, 4);
  CHECK (parse ("qcow", sizeof buf) == -1);
  put_be32 (buf + 4, 2);
  CHECK (parse ("qcow", sizeof buf) == -1);
}

static void
test_qed (void)
{
  memset (buf, 0, sizeof buf);
  memcpy (buf, "QED\0", 4);
  put_le32 (buf + 56, 64);
  put_le32 (buf + 60, 4);
  memcpy (buf + 64, "base", 4);
  /* Without the backing-file feature qemu ignores the name. */
  CHECK (parse ("qed", 512) == 0 && !hdr.backing[0]);
  put_le64 (buf + 16, 1);
  CHECK (parse ("qed", 512) == 0);
  CHECK_STR (hdr.backing, "base");
  CHECK_STR (hdr.backing_format, "");
  put_le64 (buf + 16, 1 | 4);
  CHECK (parse ("qed", 512) == 0);
  CHECK_STR (hdr.backing_format, "raw");
  put_le32 (buf + 56, UINT32_MAX);
  put_le32 (buf + 60, UINT32_MAX);
  CHECK (parse ("qed", sizeof buf) == -1);
  put_le32 (buf + 56, 64);
  CHECK (parse ("qed", sizeof buf) == -1);
  put_le32 (buf + 60, 4);
  CHECK (parse ("qed", 66) == -1);
  CHECK (parse ("qed", 10) == -1);
}

/* A monolithicSparse VMDK with DESC as its embedded descriptor. */
static void
vmdk_sparse (uint64_t capacity, const char *desc)
{
  memset (buf, 0, sizeof buf);
  memcpy (buf, "KDMV", 4);
  put_le64 (buf + 12, capacity);
  put_le64 (buf + 28, 1);
  memcpy (buf + 512, desc, strlen (desc));
}

static void
test_vmdk (void)
{
  vmdk_sparse (131072, "# Disk DescriptorFile\nversion=1\nRW 131072 SPARSE \"x.vmdk\"\n");
  CHECK (parse ("vmdk", 4096) == 0 && !hdr.backing[0] && hdr.other == IMAGE_OTHER_NONE);
  vmdk_sparse (131072, "parentCID=1\nparentFileNameHint=\"/img/base.vmdk\"\n");
  CHECK (parse ("vmdk", 4096) == 0);
  CHECK_STR (hdr.backing, "/img/base.vmdk");
  CHECK_STR (hdr.backing_format, "vmdk");
  vmdk_sparse (131072, "parentFileNameHint=\"/img/base.vmdk\n");
  CHECK (parse ("vmdk", 4096) == -1);                         /* no closing quote */
  vmdk_sparse (131072, "parentFileNameHint=\"\"\n");
  CHECK (parse ("vmdk", 4096) == 0 && !hdr.backing[0]);       /* empty: none */
  vmdk_sparse (131072, "version=1\n");
  memcpy (buf + 512 + 11, "parentFileNameHint=\"a\"", 22);
  buf[512 + 10] = '\0';
  CHECK (parse ("vmdk", 4096) == 0 && !hdr.backing[0]);       /* after the NUL */
  vmdk_sparse (131072, "parentFileNameHint");
  CHECK (parse ("vmdk", 512 + 18) == -1);                     /* key at the very end */
  vmdk_sparse (131072, "");
  memset (buf + 512, 'a', sizeof buf - 512);
  memcpy (buf + 512 + 30000, "parentFileNameHint=\"b\"", 22);
  CHECK (parse ("vmdk", sizeof buf) == 0 && !hdr.backing[0]); /* past what qemu reads */
  vmdk_sparse (131072, "parentFileNameHint=\"");
  memset (buf + 512 + 20, 'n', 5000);
  buf[512 + 20 + 5000] = '"';
  CHECK (parse ("vmdk", sizeof buf) == -1);                   /* name too long */

  /* Capacity 0 and an embedded descriptor: qemu opens its extents. */
  vmdk_sparse (0, "createType=\"monolithicFlat\"\nRW 100 FLAT \"/etc/shadow\" 0\n");
  CHECK (parse ("vmdk", 4096) == 0 && hdr.other == IMAGE_OTHER_VMDK_EXTENT);
  CHECK_STR (hdr.other_name, "/etc/shadow");
  put_le64 (buf + 28, UINT64_MAX);
  CHECK (parse ("vmdk", 4096) == 0 && hdr.other == IMAGE_OTHER_VMDK_EXTENT && !hdr.other_name[0]);
  CHECK (parse ("vmdk", 20) == -1);                           /* truncated header */

  /* A descriptor file. */
  memset (buf, 0, sizeof buf);
  const char *desc = "# Disk DescriptorFile\ncreateType=\"monolithicFlat\"\n"
                     "RDONLY 10 FLAT \"ro.raw\" 0\nRW 131072 FLAT \"disk-flat.vmdk\" 0\n";
  memcpy (buf, desc, strlen (desc));
  CHECK (parse ("vmdk", strlen (desc)) == 0 && hdr.other == IMAGE_OTHER_VMDK_EXTENT);
  CHECK_STR (hdr.other_name, "disk-flat.vmdk");
  memcpy (buf, "RW 1 FLAT \"unterminated", 23);
  CHECK (parse ("vmdk", 23) == 0 && hdr.other == IMAGE_OTHER_VMDK_EXTENT && !hdr.other_name[0]);
  CHECK (parse ("vmdk", 0) == 0 && hdr.other == IMAGE_OTHER_VMDK_EXTENT);
}

static void
test_vpc (void)
{
  unsigned char tail[512];
  memset (buf, 0, sizeof buf);
  memset (tail, 0, sizeof tail);
  memcpy (buf, "conectix", 8);
  put_be32 (buf + 60, 3);
  CHECK (parse ("vpc", 1024) == 0 && hdr.other == IMAGE_OTHER_NONE);
  put_be32 (buf + 60, 4);
  CHECK (parse ("vpc", 1024) == 0 && hdr.other == IMAGE_OTHER_VHD_PARENT);
  CHECK (parse ("vpc", 100) == 0 && hdr.other == IMAGE_OTHER_NONE);   /* too short to be one */
  memset (buf, 0, 512);
  memcpy (tail, "conectix", 8);
  put_be32 (tail + 60, 4);
  CHECK (image_header_parse ("vpc", buf, 1024, tail, 512, &hdr, &why) == 0 &&
         hdr.other == IMAGE_OTHER_VHD_PARENT);
  CHECK (image_header_parse ("vpc", buf, 1024, tail, 100, &hdr, &why) == 0 &&
         hdr.other == IMAGE_OTHER_NONE);
}

/* raw is never interpreted, whatever its bytes say. */
static void
test_raw (void)
{
  qcow2_v3 ();
  qcow2_backing (512, 4, "base");
  CHECK (parse ("raw", 4096) == 0 && !hdr.backing[0] && hdr.other == IMAGE_OTHER_NONE);
  CHECK (parse ("vdi", 4096) == 0 && parse ("vhdx", 4096) == 0 && parse ("parallels", 0) == 0);
  CHECK (!image_header_format_names_files ("raw") && !image_header_format_names_files ("vhdx"));
  CHECK (image_header_format_names_files ("qcow2") && image_header_format_names_files ("vpc"));
}

/* Every prefix of each valid header, and random bytes: no crash, no read
 * out of bounds (the sanitizer and valgrind runs check that). */
static void
test_truncations_and_noise (void)
{
  const char *formats[] = { "qcow2", "qcow", "qed", "vmdk", "vpc" };
  for (size_t f = 0; f < 5; f++) {
    qcow2_v3 ();
    size_t off = 112;
    qcow2_ext (&off, 0xe2792aca, 3, "raw");
    qcow2_backing (off + 8, 8, "base.img");
    for (size_t len = 0; len < 700; len++) {
      unsigned char *copy = malloc (len ? len : 1);
      memcpy (copy, buf, len);
      image_header_parse (formats[f], copy, len, copy, len, &hdr, &why);
      free (copy);
    }
  }
  srand (1);
  for (int round = 0; round < 2000; round++) {
    size_t len = (size_t) rand () % 1200;
    unsigned char *copy = malloc (len ? len : 1);
    for (size_t i = 0; i < len; i++)
      copy[i] = (unsigned char) rand ();
    if (len >= 4)
      memcpy (copy, round % 3 == 0 ? "QFI\xfb" : round % 3 == 1 ? "KDMV" : "QED\0", 4);
    for (size_t f = 0; f < 5; f++)
      image_header_parse (formats[f], copy, len, copy, len, &hdr, &why);
    free (copy);
  }
}

int
main (void)
{
  test_qcow2 ();
  test_qcow ();
  test_qed ();
  test_vmdk ();
  test_vpc ();
  test_raw ();
  test_truncations_and_noise ();
  return CHECK_DONE ();
}
