/* metadata-probe.h: which of the appliance's boot-time scans (MD RAID,
 * LVM, Windows dynamic disks) could find anything on an image. */
#ifndef IMGMOUNT_METADATA_PROBE_H
#define IMGMOUNT_METADATA_PROBE_H

#include <stdint.h>
#include <sys/types.h>

enum {
  SCAN_MD = 1,
  SCAN_LVM = 2,
  SCAN_LDM = 4,
  SCAN_ALL = SCAN_MD | SCAN_LVM | SCAN_LDM,
};

/* Reads up to LEN bytes at OFFSET into BUF like pread; a short or failed
 * read leaves the rest of BUF zero. */
typedef ssize_t probe_read_fn (void *opaque, void *buf, size_t len, uint64_t offset);

/* The scans needed for a raw disk of SIZE bytes read through READ: every
 * scan whose metadata signature sits at one of the places its tool looks,
 * on the whole disk or on any partition of an MBR (with logical
 * partitions) or GPT table; SCAN_ALL for anything this code does not
 * understand (partition tables the appliance's kernel would read that are
 * not MBR or GPT, nested BSD or Solaris tables, broken GPT headers).
 * Nothing read is trusted: every offset is checked against SIZE. */
unsigned metadata_probe (probe_read_fn *read, void *opaque, uint64_t size);

/* metadata_probe of the image at PATH; SCAN_ALL for formats other than
 * raw (their data is not at the file's offsets) or when it cannot be read. */
unsigned metadata_probe_file (const char *path, const char *format);

/* "md,lvm,ldm", a subset, or "none": the value of imgmount.scan= for the
 * appliance's init. */
const char *scan_list (unsigned scans);

#endif
