/* metadata-probe.c: deciding, on the host, which of the appliance's
 * boot-time scans could find anything on an image.
 *
 * libguestfs's appliance runs mdadm, lvm pvscan and ldmtool at every boot
 * (seconds under TCG).  Each of them looks only at fixed places: an LVM
 * physical volume has its label in one of the first four sectors of a
 * device, an MD member its superblock at one of four offsets, a Windows
 * dynamic disk a partition of its own type.  So the host reads those few
 * places on the whole disk and on every partition the appliance's kernel
 * will make, and a scan is skipped only when none of them holds its
 * signature.  Whatever is not understood here (other partition table
 * formats, nested BSD or Solaris labels, a GPT that does not parse) keeps
 * every scan.  The image is untrusted: no offset read from it is used
 * before it is checked against the disk's size, and the number of
 * partitions followed is bounded. */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <linux/fs.h>
#include "backend-select/metadata-probe.h"

#define SECTOR 512
#define MAX_LOGICAL_PARTITIONS 128
#define MAX_GPT_ENTRIES 1024
#define MD_MAGIC 0xa92b4efcU

struct disk {
  probe_read_fn *read;
  void *opaque;
  uint64_t size;
};

/* LEN bytes at OFFSET, zero where the disk ends or the read falls short. */
static void
read_at (const struct disk *d, void *buf, size_t len, uint64_t offset)
{
  memset (buf, 0, len);
  if (offset >= d->size)
    return;
  if (len > d->size - offset)
    len = d->size - offset;
  d->read (d->opaque, buf, len, offset);
}

static uint32_t
le32 (const unsigned char *p)
{
  return p[0] | (uint32_t) p[1] << 8 | (uint32_t) p[2] << 16 | (uint32_t) p[3] << 24;
}

static uint64_t
le64 (const unsigned char *p)
{
  return le32 (p) | (uint64_t) le32 (p + 4) << 32;
}

static bool
md_magic_at (const struct disk *d, uint64_t offset)
{
  unsigned char b[4];
  read_at (d, b, sizeof b, offset);
  uint32_t v = le32 (b);
  /* 0.90 superblocks are in the writer's byte order. */
  return v == MD_MAGIC || __builtin_bswap32 (v) == MD_MAGIC;
}

/* The signatures on the device at [START, START + LEN). */
static unsigned
scan_device (const struct disk *d, uint64_t start, uint64_t len)
{
  unsigned scans = 0;
  unsigned char sector[SECTOR];
  for (int k = 0; k < 4; k++) {
    read_at (d, sector, sizeof sector, start + (uint64_t) k * SECTOR);
    if (memcmp (sector, "LABELONE", 8) == 0)
      scans |= SCAN_LVM;
  }
  /* MD superblocks: 1.1 at the start, 1.2 at 4 KiB, 1.0 8 KiB from the
   * end (4 KiB aligned), 0.90 in the last whole 64 KiB block but one. */
  if (md_magic_at (d, start) || md_magic_at (d, start + 4096))
    scans |= SCAN_MD;
  if (len >= 16 * SECTOR &&
      md_magic_at (d, start + (((len / SECTOR) - 16) & ~(uint64_t) 7) * SECTOR))
    scans |= SCAN_MD;
  if (len >= 2 * 65536 && md_magic_at (d, start + (len & ~(uint64_t) 65535) - 65536))
    scans |= SCAN_MD;
  read_at (d, sector, sizeof sector, start + 6 * SECTOR);
  if (memcmp (sector, "PRIVHEAD", 8) == 0)
    scans |= SCAN_LDM;
  return scans;
}

/* The partition [LBA, LBA + SECTORS) clipped to the disk, scanned. */
static unsigned
scan_partition (const struct disk *d, uint64_t lba, uint64_t sectors)
{
  uint64_t disk_sectors = d->size / SECTOR;
  if (lba == 0 || lba >= disk_sectors || sectors == 0)
    return 0;
  if (sectors > disk_sectors - lba)
    sectors = disk_sectors - lba;
  return scan_device (d, lba * SECTOR, sectors * SECTOR);
}

/* Partition types the kernel reads a nested table from, or that shift
 * the whole table (disk managers): their contents are not followed here. */
static bool
mbr_type_nests (unsigned type, const struct disk *d, uint64_t lba)
{
  switch (type) {
  case 0xa5: case 0xa6: case 0xa9:    /* BSD disklabels */
  case 0x63:                          /* UnixWare */
  case 0x81:                          /* Minix */
  case 0xbf:                          /* Solaris */
  case 0x54: case 0x55:               /* OnTrack DM6, EZ-Drive */
    return true;
  case 0x82: {                        /* Linux swap, or a Solaris x86 VTOC */
    unsigned char sector[SECTOR];
    read_at (d, sector, sizeof sector, (lba + 1) * SECTOR);
    return le32 (sector + 12) == 0x600DDEEEU;
  }
  default:
    return false;
  }
}

static bool
mbr_type_is_extended (unsigned type)
{
  return type == 0x05 || type == 0x0f || type == 0x85;
}

/* The logical partitions in the extended partition at EXT_LBA. */
static unsigned
scan_logical (const struct disk *d, uint64_t ext_lba)
{
  unsigned scans = 0;
  uint64_t ebr = ext_lba;
  for (int n = 0; n < MAX_LOGICAL_PARTITIONS; n++) {
    unsigned char sector[SECTOR];
    read_at (d, sector, sizeof sector, ebr * SECTOR);
    if (sector[510] != 0x55 || sector[511] != 0xaa)
      return scans;
    const unsigned char *logical = sector + 446, *next = sector + 462;
    if (logical[4] != 0) {
      if (mbr_type_nests (logical[4], d, ebr + le32 (logical + 8)) ||
          mbr_type_is_extended (logical[4]))
        return SCAN_ALL;
      if (logical[4] == 0x42)
        scans |= SCAN_LDM;
      scans |= scan_partition (d, ebr + le32 (logical + 8), le32 (logical + 12));
    }
    if (!mbr_type_is_extended (next[4]) || le32 (next + 8) == 0)
      return scans;
    ebr = ext_lba + le32 (next + 8);
    if (ebr >= d->size / SECTOR)
      return scans;
  }
  return SCAN_ALL;   /* a chain this long is not a table we understand */
}

/* LDM's partitions on GPT disks. */
static const unsigned char gpt_ldm_metadata[16] = {
  0xaa, 0xc8, 0x08, 0x58, 0x8f, 0x7e, 0xe0, 0x42,
  0x85, 0xd2, 0xe1, 0xe9, 0x04, 0x34, 0xcf, 0xb3 };
static const unsigned char gpt_ldm_data[16] = {
  0xa0, 0x60, 0x9b, 0xaf, 0x31, 0x14, 0x62, 0x4f,
  0xbc, 0x68, 0x33, 0x11, 0x71, 0x4a, 0x69, 0xad };
static const unsigned char gpt_unused[16];

static unsigned
scan_gpt (const struct disk *d)
{
  unsigned char header[SECTOR];
  read_at (d, header, sizeof header, SECTOR);
  if (memcmp (header, "EFI PART", 8) != 0)
    return SCAN_ALL;   /* the kernel would try the backup header */
  uint64_t entries_lba = le64 (header + 72);
  uint32_t count = le32 (header + 80), entry_size = le32 (header + 84);
  if (count > MAX_GPT_ENTRIES || entry_size < 128 || entry_size > 4096 ||
      entries_lba >= d->size / SECTOR)
    return SCAN_ALL;
  unsigned scans = 0;
  for (uint32_t k = 0; k < count; k++) {
    unsigned char entry[128];
    read_at (d, entry, sizeof entry, entries_lba * SECTOR + (uint64_t) k * entry_size);
    if (memcmp (entry, gpt_unused, 16) == 0)
      continue;
    if (memcmp (entry, gpt_ldm_metadata, 16) == 0 || memcmp (entry, gpt_ldm_data, 16) == 0)
      scans |= SCAN_LDM;
    uint64_t first = le64 (entry + 32), last = le64 (entry + 40);
    if (last >= first)
      scans |= scan_partition (d, first, last - first + 1);
  }
  return scans;
}

/* Partition table formats other than MBR and GPT that the appliance's
 * kernel recognises on a whole disk. */
static bool
other_table_present (const struct disk *d)
{
  unsigned char sector[SECTOR];
  read_at (d, sector, sizeof sector, 0);
  if ((sector[0] == 'E' && sector[1] == 'R') ||                /* Mac */
      (sector[508] == 0xda && sector[509] == 0xbe) ||          /* Sun */
      le32 (sector) == 0x41a9e50bU)                            /* SGI */
    return true;
  for (int k = 0; k < 16; k++) {                               /* Amiga */
    read_at (d, sector, sizeof sector, (uint64_t) k * SECTOR);
    if (memcmp (sector, "RDSK", 4) == 0)
      return true;
  }
  read_at (d, sector, sizeof sector, SECTOR);                  /* BSD, bare */
  return le32 (sector) == 0x82564557U;
}

unsigned
metadata_probe (probe_read_fn *read, void *opaque, uint64_t size)
{
  struct disk d = { read, opaque, size };
  unsigned scans = scan_device (&d, 0, size);
  if (other_table_present (&d))
    return SCAN_ALL;
  unsigned char mbr[SECTOR];
  read_at (&d, mbr, sizeof mbr, 0);
  if (mbr[510] != 0x55 || mbr[511] != 0xaa)
    return scans;
  for (int k = 0; k < 4; k++) {
    const unsigned char *e = mbr + 446 + 16 * k;
    unsigned type = e[4];
    uint64_t lba = le32 (e + 8), sectors = le32 (e + 12);
    if (type == 0)
      continue;
    if (type == 0xee)
      return scans | scan_gpt (&d);
    if (mbr_type_nests (type, &d, lba))
      return SCAN_ALL;
    if (type == 0x42)
      scans |= SCAN_LDM;
    scans |= mbr_type_is_extended (type) ? scan_logical (&d, lba) : scan_partition (&d, lba, sectors);
  }
  return scans;
}

static ssize_t
read_fd (void *opaque, void *buf, size_t len, uint64_t offset)
{
  int fd = *(int *) opaque;
  return pread (fd, buf, len, (off_t) offset);
}

unsigned
metadata_probe_file (const char *path, const char *format)
{
  if (strcmp (format, "raw") != 0)
    return SCAN_ALL;
  int fd = open (path, O_RDONLY | O_CLOEXEC);
  if (fd == -1)
    return SCAN_ALL;
  struct stat st;
  uint64_t size = 0;
  if (fstat (fd, &st) == 0 && S_ISREG (st.st_mode))
    size = (uint64_t) st.st_size;
  else if (ioctl (fd, BLKGETSIZE64, &size) == -1)
    size = 0;
  unsigned scans = size > 0 ? metadata_probe (read_fd, &fd, size) : SCAN_ALL;
  close (fd);
  return scans;
}

const char *
scan_list (unsigned scans)
{
  static const char *const lists[] = {
    "none", "md", "lvm", "md,lvm", "ldm", "md,ldm", "lvm,ldm", "md,lvm,ldm" };
  return lists[scans & SCAN_ALL];
}
