/* test-metadata-probe.c: the host-side decision of which appliance scans
 * can find anything, on disks built in memory: bare filesystems, MBR with
 * logical partitions, GPT, each signature in each place its tool looks,
 * tables that point outside the disk or loop, and formats not understood. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "backend-select/metadata-probe.h"
#include "tests/unit/check.h"

#define MiB (1024 * 1024)

struct image {
  unsigned char *bytes;
  uint64_t size;
};

static ssize_t
read_image (void *opaque, void *buf, size_t len, uint64_t offset)
{
  struct image *img = opaque;
  if (offset >= img->size)
    return 0;
  if (len > img->size - offset)
    len = img->size - offset;
  memcpy (buf, img->bytes + offset, len);
  return (ssize_t) len;
}

static struct image
new_image (uint64_t size)
{
  struct image img = { calloc (1, size), size };
  if (!img.bytes)
    abort ();
  return img;
}

static unsigned
probe (struct image *img)
{
  return metadata_probe (read_image, img, img->size);
}

static void
put_le32 (unsigned char *p, uint32_t v)
{
  for (int k = 0; k < 4; k++)
    p[k] = (unsigned char) (v >> (8 * k));
}

static void
put_le64 (unsigned char *p, uint64_t v)
{
  put_le32 (p, (uint32_t) v);
  put_le32 (p + 4, (uint32_t) (v >> 32));
}

/* MBR entry K: TYPE, from LBA for SECTORS (in the sector at BASE). */
static void
mbr_entry (struct image *img, uint64_t base, int k, unsigned type, uint32_t lba, uint32_t sectors)
{
  unsigned char *s = img->bytes + base * 512;
  unsigned char *e = s + 446 + 16 * k;
  e[4] = (unsigned char) type;
  put_le32 (e + 8, lba);
  put_le32 (e + 12, sectors);
  s[510] = 0x55;
  s[511] = 0xaa;
}

static void
md_magic (struct image *img, uint64_t offset)
{
  put_le32 (img->bytes + offset, 0xa92b4efc);
}

static void
test_bare (void)
{
  struct image img = new_image (8 * MiB);
  memcpy (img.bytes + 1024 + 56, "\x53\xef", 2);   /* an ext4 magic, nothing else */
  CHECK (probe (&img) == 0);
  memcpy (img.bytes + 2 * 512, "LABELONE", 8);     /* a PV on the whole disk */
  CHECK (probe (&img) == SCAN_LVM);
  free (img.bytes);
}

static void
test_md_offsets (void)
{
  uint64_t size = 8 * MiB + 12345;   /* not a multiple of anything */
  uint64_t places[] = {
    0, 4096,                                               /* 1.1, 1.2 */
    (((size / 512) - 16) & ~(uint64_t) 7) * 512,           /* 1.0 */
    (size & ~(uint64_t) 65535) - 65536,                    /* 0.90 */
  };
  for (size_t k = 0; k < sizeof places / sizeof places[0]; k++) {
    struct image img = new_image (size);
    md_magic (&img, places[k]);
    CHECK (probe (&img) == SCAN_MD);
    free (img.bytes);
  }
  /* 0.90 written big-endian. */
  struct image img = new_image (size);
  memcpy (img.bytes + places[3], "\xa9\x2b\x4e\xfc", 4);
  CHECK (probe (&img) == SCAN_MD);
  free (img.bytes);
}

static void
test_mbr (void)
{
  struct image img = new_image (64 * MiB);
  mbr_entry (&img, 0, 0, 0x83, 2048, 20480);
  mbr_entry (&img, 0, 1, 0x05, 22528, 40960);      /* extended */
  CHECK (probe (&img) == 0);
  /* Logical partitions: EBR at 22528 -> logical at +2048, next EBR at
   * extended start + 20480 -> logical at +2048 holding a PV label. */
  mbr_entry (&img, 22528, 0, 0x83, 2048, 8192);
  mbr_entry (&img, 22528, 1, 0x05, 20480, 16384);
  mbr_entry (&img, 22528 + 20480, 0, 0x8e, 2048, 8192);
  CHECK (probe (&img) == 0);
  memcpy (img.bytes + (uint64_t) (22528 + 20480 + 2048 + 1) * 512, "LABELONE", 8);
  CHECK (probe (&img) == SCAN_LVM);
  /* An MD member in the primary partition, 1.2 superblock. */
  md_magic (&img, 2048 * 512 + 4096);
  CHECK (probe (&img) == (SCAN_LVM | SCAN_MD));
  free (img.bytes);
}

static void
test_mbr_hostile (void)
{
  struct image img = new_image (4 * MiB);
  /* Partitions beyond the end, of length zero, huge: nothing to find,
   * nothing read out of bounds. */
  mbr_entry (&img, 0, 0, 0x83, 0xffffffff, 0xffffffff);
  mbr_entry (&img, 0, 1, 0x83, 100, 0);
  mbr_entry (&img, 0, 2, 0x83, 2048, 0xffffffff);
  CHECK (probe (&img) == 0);
  /* An extended partition whose chain points at itself. */
  mbr_entry (&img, 0, 3, 0x05, 4096, 2048);
  mbr_entry (&img, 4096, 0, 0x83, 8, 100);
  mbr_entry (&img, 4096, 1, 0x05, 0, 2048);     /* next = itself (offset 0 ends) */
  CHECK (probe (&img) == 0);
  mbr_entry (&img, 4096, 1, 0x05, 1, 2048);     /* next = one further, and on */
  for (uint64_t lba = 4097; lba < 4096 + 300 && lba < img.size / 512; lba++)
    mbr_entry (&img, lba, 1, 0x05, (uint32_t) (lba - 4096 + 1), 2048);
  CHECK (probe (&img) == SCAN_ALL);             /* a chain too long to follow */
  free (img.bytes);
}

static void
test_mbr_nested_and_ldm (void)
{
  struct image img = new_image (8 * MiB);
  mbr_entry (&img, 0, 0, 0xa5, 2048, 4096);     /* a FreeBSD slice */
  CHECK (probe (&img) == SCAN_ALL);
  mbr_entry (&img, 0, 0, 0x82, 2048, 4096);     /* swap */
  CHECK (probe (&img) == 0);
  put_le32 (img.bytes + (2048 + 1) * 512 + 12, 0x600DDEEE);   /* a Solaris VTOC */
  CHECK (probe (&img) == SCAN_ALL);
  free (img.bytes);
  img = new_image (8 * MiB);
  mbr_entry (&img, 0, 0, 0x42, 63, 8000);       /* a Windows dynamic disk */
  CHECK (probe (&img) == SCAN_LDM);
  free (img.bytes);
}

static void
gpt (struct image *img, uint32_t count, uint32_t entry_size)
{
  mbr_entry (img, 0, 0, 0xee, 1, (uint32_t) (img->size / 512 - 1));
  unsigned char *h = img->bytes + 512;
  memcpy (h, "EFI PART", 8);
  put_le64 (h + 72, 2);
  put_le32 (h + 80, count);
  put_le32 (h + 84, entry_size);
}

static void
gpt_entry (struct image *img, int k, const char *type16, uint64_t first, uint64_t last)
{
  unsigned char *e = img->bytes + 1024 + 128 * k;
  memcpy (e, type16, 16);
  put_le64 (e + 32, first);
  put_le64 (e + 40, last);
}

static void
test_gpt (void)
{
  const char *linux_fs = "\xaf\x3d\xc6\x0f\x83\x84\x72\x47\x8e\x79\x3d\x69\xd8\x47\x7d\xe4";
  const char *ldm = "\xaa\xc8\x08\x58\x8f\x7e\xe0\x42\x85\xd2\xe1\xe9\x04\x34\xcf\xb3";
  struct image img = new_image (32 * MiB);
  gpt (&img, 128, 128);
  gpt_entry (&img, 0, linux_fs, 2048, 10239);
  gpt_entry (&img, 1, linux_fs, 10240, 0xffffffffffffffffULL);   /* runs off the end */
  gpt_entry (&img, 2, linux_fs, 30000, 20000);                   /* backwards */
  CHECK (probe (&img) == 0);
  md_magic (&img, (uint64_t) 10240 * 512);
  CHECK (probe (&img) == SCAN_MD);
  gpt_entry (&img, 3, ldm, 40, 2047);
  CHECK (probe (&img) == (SCAN_MD | SCAN_LDM));
  /* Headers that do not parse keep every scan. */
  gpt (&img, 100000, 128);
  CHECK (probe (&img) == SCAN_ALL);
  gpt (&img, 128, 16);
  CHECK (probe (&img) == SCAN_ALL);
  memcpy (img.bytes + 512, "NOT PART", 8);
  CHECK (probe (&img) == SCAN_ALL);
  free (img.bytes);
}

static void
test_other_tables_and_small (void)
{
  struct image img = new_image (1 * MiB);
  memcpy (img.bytes + 3 * 512, "RDSK", 4);      /* Amiga */
  CHECK (probe (&img) == SCAN_ALL);
  free (img.bytes);
  img = new_image (1 * MiB);
  img.bytes[508] = 0xda;                        /* Sun */
  img.bytes[509] = 0xbe;
  CHECK (probe (&img) == SCAN_ALL);
  free (img.bytes);
  /* Disks smaller than the places looked at. */
  for (uint64_t size = 1; size < 9000; size = size * 3 + 1) {
    img = new_image (size);
    CHECK (probe (&img) == 0);
    free (img.bytes);
  }
}

static void
test_names (void)
{
  CHECK_STR (scan_list (0), "none");
  CHECK_STR (scan_list (SCAN_LVM), "lvm");
  CHECK_STR (scan_list (SCAN_MD | SCAN_LDM), "md,ldm");
  CHECK_STR (scan_list (SCAN_ALL), "md,lvm,ldm");
  CHECK (metadata_probe_file ("/nonexistent", "raw") == SCAN_ALL);
  CHECK (metadata_probe_file ("/dev/null", "qcow2") == SCAN_ALL);
}

int
main (void)
{
  test_bare ();
  test_md_offsets ();
  test_mbr ();
  test_mbr_hostile ();
  test_mbr_nested_and_ldm ();
  test_gpt ();
  test_other_tables_and_small ();
  test_names ();
  return CHECK_DONE ();
}
