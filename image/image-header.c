/* image-header.c: the header fields through which qemu 7.2 opens other
 * host files (see image-header.h).  Layouts from qemu's docs/interop
 * specifications and the formats' published descriptions; where qemu
 * itself rejects a field, so does this parser, and where qemu reads a
 * name as a C string (up to a NUL byte) so does this parser, so that the
 * name checked is the name qemu would open. */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include "image/image-header.h"

static uint32_t
be32 (const unsigned char *p)
{
  return (uint32_t) p[0] << 24 | (uint32_t) p[1] << 16 | (uint32_t) p[2] << 8 | p[3];
}

static uint64_t
be64 (const unsigned char *p)
{
  return (uint64_t) be32 (p) << 32 | be32 (p + 4);
}

static uint32_t
le32 (const unsigned char *p)
{
  return (uint32_t) p[3] << 24 | (uint32_t) p[2] << 16 | (uint32_t) p[1] << 8 | p[0];
}

static uint64_t
le64 (const unsigned char *p)
{
  return (uint64_t) le32 (p + 4) << 32 | le32 (p);
}

static int
fail (const char **why, const char *reason)
{
  *why = reason;
  return -1;
}

/* Whether [OFFSET, OFFSET + LEN) lies inside a buffer of SIZE bytes,
 * without overflow for any 64-bit OFFSET and LEN. */
static bool
inside (uint64_t offset, uint64_t len, size_t size)
{
  return offset <= size && len <= size - offset;
}

/* Copies the LEN bytes at SRC into DST (of DST_SIZE) up to the first NUL,
 * as qemu's C strings end there.  The caller has checked LEN < DST_SIZE. */
static void
copy_name (char *dst, const unsigned char *src, size_t len)
{
  const unsigned char *nul = memchr (src, '\0', len);
  size_t n = nul ? (size_t) (nul - src) : len;
  memcpy (dst, src, n);
  dst[n] = '\0';
}

/* Copies the backing file name of SIZE bytes at OFFSET in the header
 * [H, H + LEN) into OUT, refusing a name longer than MAX or out of bounds. */
static int
copy_backing_name (const unsigned char *h, size_t len, uint64_t offset, uint64_t size,
                   uint64_t max, struct image_header *out, const char **why)
{
  if (size > max)
    return fail (why, "backing file name too long");
  if (!inside (offset, size, len))
    return fail (why, "backing file name outside the part imgmount reads");
  copy_name (out->backing, h + offset, (size_t) size);
  return 0;
}

/* ---- qcow2 (docs/interop/qcow2.txt) ---- */

#define QCOW_MAGIC "QFI\xfb"
#define QCOW2_V2_HEADER_LENGTH 72
#define QCOW2_V3_HEADER_MIN 104
#define QCOW2_MIN_CLUSTER_BITS 9
#define QCOW2_MAX_CLUSTER_BITS 21
#define QCOW2_INCOMPAT_DATA_FILE (1u << 2)
#define QCOW2_EXT_END 0
#define QCOW2_EXT_BACKING_FORMAT 0xe2792acau
#define QCOW2_EXT_DATA_FILE 0x44415441u
/* qemu refuses longer backing file names in qcow and qcow2 headers. */
#define QCOW_BACKING_NAME_MAX 1023

static int
parse_qcow2 (const unsigned char *h, size_t len, struct image_header *out, const char **why)
{
  if (len < QCOW2_V2_HEADER_LENGTH || memcmp (h, QCOW_MAGIC, 4) != 0)
    return fail (why, "not a qcow2 image (no qcow2 magic)");
  uint32_t version = be32 (h + 4);
  if (version != 2 && version != 3)
    return fail (why, "unsupported qcow2 version");
  uint32_t cluster_bits = be32 (h + 20);
  if (cluster_bits < QCOW2_MIN_CLUSTER_BITS || cluster_bits > QCOW2_MAX_CLUSTER_BITS)
    return fail (why, "invalid qcow2 cluster size");
  uint64_t cluster_size = UINT64_C (1) << cluster_bits;
  uint64_t backing_offset = be64 (h + 8);
  uint32_t backing_size = be32 (h + 16);

  uint64_t header_length = QCOW2_V2_HEADER_LENGTH;
  if (version == 3) {
    if (len < QCOW2_V3_HEADER_MIN)
      return fail (why, "qcow2 header truncated");
    header_length = be32 (h + 100);
    if (header_length < QCOW2_V3_HEADER_MIN || header_length > cluster_size)
      return fail (why, "invalid qcow2 header length");
    if (be64 (h + 72) & QCOW2_INCOMPAT_DATA_FILE)
      out->other = IMAGE_OTHER_DATA_FILE;
  }
  if (backing_offset > cluster_size)
    return fail (why, "qcow2 backing file name outside the first cluster");

  /* Header extensions run from the end of the header to the backing file
   * name, or to the end of the first cluster. */
  uint64_t ext_end = backing_offset ? backing_offset : cluster_size;
  for (uint64_t off = header_length; off + 8 <= ext_end; ) {
    if (!inside (off, 8, len))
      return fail (why, "qcow2 header extensions run past the part imgmount reads");
    uint32_t type = be32 (h + off), ext_len = be32 (h + off + 4);
    off += 8;
    if (type == QCOW2_EXT_END)
      break;
    if (ext_len > ext_end - off)
      return fail (why, "qcow2 header extension runs past the header");
    if (!inside (off, ext_len, len))
      return fail (why, "qcow2 header extensions run past the part imgmount reads");
    if (type == QCOW2_EXT_BACKING_FORMAT) {
      if (ext_len > IMAGE_HEADER_FORMAT_MAX)
        return fail (why, "qcow2 backing format name too long");
      copy_name (out->backing_format, h + off, ext_len);
    }
    else if (type == QCOW2_EXT_DATA_FILE) {
      out->other = IMAGE_OTHER_DATA_FILE;
      if (ext_len > IMAGE_HEADER_NAME_MAX)
        return fail (why, "qcow2 data file name too long");
      copy_name (out->other_name, h + off, ext_len);
    }
    off += ((uint64_t) ext_len + 7) & ~UINT64_C (7);
  }

  if (backing_offset)
    return copy_backing_name (h, len, backing_offset, backing_size, QCOW_BACKING_NAME_MAX, out, why);
  return 0;
}

/* ---- qcow version 1 ---- */

#define QCOW1_HEADER_LENGTH 48

static int
parse_qcow (const unsigned char *h, size_t len, struct image_header *out, const char **why)
{
  if (len < QCOW1_HEADER_LENGTH || memcmp (h, QCOW_MAGIC, 4) != 0 || be32 (h + 4) != 1)
    return fail (why, "not a qcow (version 1) image");
  uint64_t backing_offset = be64 (h + 8);
  uint32_t backing_size = be32 (h + 16);
  if (backing_offset)
    return copy_backing_name (h, len, backing_offset, backing_size, QCOW_BACKING_NAME_MAX, out, why);
  return 0;
}

/* ---- qed (docs/interop/qed_spec.txt) ---- */

#define QED_MAGIC "QED\0"
#define QED_HEADER_LENGTH 64
#define QED_F_BACKING_FILE 1u
#define QED_F_BACKING_FORMAT_NO_PROBE 4u

static int
parse_qed (const unsigned char *h, size_t len, struct image_header *out, const char **why)
{
  if (len < QED_HEADER_LENGTH || memcmp (h, QED_MAGIC, 4) != 0)
    return fail (why, "not a qed image (no qed magic)");
  uint64_t features = le64 (h + 16);
  if (!(features & QED_F_BACKING_FILE))
    return 0;
  if (copy_backing_name (h, len, le32 (h + 56), le32 (h + 60), IMAGE_HEADER_NAME_MAX, out, why) == -1)
    return -1;
  /* Without the no-probe flag qemu probes the backing file's format. */
  if (features & QED_F_BACKING_FORMAT_NO_PROBE)
    strcpy (out->backing_format, "raw");
  return 0;
}

/* ---- vmdk (VMware's Virtual Disk Format 1.1) ---- */

#define VMDK4_MAGIC "KDMV"
#define VMDK3_MAGIC "COWD"
#define VMDK4_HEADER_LENGTH 44
/* qemu reads a sparse image's descriptor from the second sector, and at
 * most this much of it, when it looks for the parent. */
#define VMDK_SPARSE_DESC_OFFSET 512
#define VMDK_DESC_SIZE (20 * 512)
#define VMDK_PARENT_KEY "parentFileNameHint"
/* qemu skips the key and two more bytes ("=\"") without checking them. */
#define VMDK_PARENT_SKIP (sizeof VMDK_PARENT_KEY + 1)

/* The end of the C string starting at P in [P, END). */
static const unsigned char *
string_end (const unsigned char *p, const unsigned char *end)
{
  const unsigned char *nul = memchr (p, '\0', (size_t) (end - p));
  return nul ? nul : end;
}

/* The parent named by the descriptor text [P, END), as qemu finds it. */
static int
vmdk_parent (const unsigned char *p, const unsigned char *end, struct image_header *out,
             const char **why)
{
  end = string_end (p, end);
  const unsigned char *key = memmem (p, (size_t) (end - p), VMDK_PARENT_KEY, strlen (VMDK_PARENT_KEY));
  if (!key)
    return 0;
  if ((size_t) (end - key) < VMDK_PARENT_SKIP)
    return fail (why, "vmdk parentFileNameHint without a value");
  const unsigned char *name = key + VMDK_PARENT_SKIP;
  const unsigned char *quote = memchr (name, '"', (size_t) (end - name));
  if (!quote)
    return fail (why, "vmdk parentFileNameHint without a closing quote");
  if ((size_t) (quote - name) > IMAGE_HEADER_NAME_MAX)
    return fail (why, "vmdk parentFileNameHint too long");
  copy_name (out->backing, name, (size_t) (quote - name));
  if (out->backing[0])
    strcpy (out->backing_format, "vmdk");
  return 0;
}

/* The first extent file named in the descriptor text [P, END), for the
 * message: each extent line holds its file name in double quotes. */
static void
vmdk_first_extent (const unsigned char *p, const unsigned char *end, struct image_header *out)
{
  end = string_end (p, end);
  while (p < end) {
    const unsigned char *eol = memchr (p, '\n', (size_t) (end - p));
    if (!eol)
      eol = end;
    /* qemu opens the extents of lines that start with the access "RW". */
    bool is_extent = (size_t) (eol - p) > 3 && memcmp (p, "RW ", 3) == 0;
    const unsigned char *open = is_extent ? memchr (p, '"', (size_t) (eol - p)) : NULL;
    const unsigned char *close = open ? memchr (open + 1, '"', (size_t) (eol - open - 1)) : NULL;
    if (close && (size_t) (close - open - 1) <= IMAGE_HEADER_NAME_MAX) {
      copy_name (out->other_name, open + 1, (size_t) (close - open - 1));
      return;
    }
    p = eol < end ? eol + 1 : end;
  }
}

static int
parse_vmdk (const unsigned char *h, size_t len, struct image_header *out, const char **why)
{
  bool vmdk4 = len >= 4 && memcmp (h, VMDK4_MAGIC, 4) == 0;
  bool vmdk3 = len >= 4 && memcmp (h, VMDK3_MAGIC, 4) == 0;
  if (!vmdk4 && !vmdk3) {
    /* A descriptor file: every extent it names is a file of its own. */
    out->other = IMAGE_OTHER_VMDK_EXTENT;
    vmdk_first_extent (h, h + len, out);
    return 0;
  }
  if (vmdk4) {
    if (len < VMDK4_HEADER_LENGTH)
      return fail (why, "vmdk header truncated");
    /* A sparse header of capacity 0 defers to an embedded descriptor,
     * whose extents qemu opens. */
    uint64_t capacity = le64 (h + 12), desc_sector = le64 (h + 28);
    if (capacity == 0 && desc_sector != 0) {
      out->other = IMAGE_OTHER_VMDK_EXTENT;
      if (desc_sector < len / 512)
        vmdk_first_extent (h + desc_sector * 512, h + len, out);
      return 0;
    }
  }
  if (len <= VMDK_SPARSE_DESC_OFFSET)
    return 0;
  size_t desc_len = len - VMDK_SPARSE_DESC_OFFSET;
  if (desc_len > VMDK_DESC_SIZE)
    desc_len = VMDK_DESC_SIZE;
  return vmdk_parent (h + VMDK_SPARSE_DESC_OFFSET, h + VMDK_SPARSE_DESC_OFFSET + desc_len, out, why);
}

/* ---- vpc (Microsoft's VHD specification) ---- */

#define VHD_COOKIE "conectix"
#define VHD_FOOTER_LENGTH 512
#define VHD_TYPE_DIFFERENCING 4

static bool
vhd_differencing (const unsigned char *footer, size_t len)
{
  return len >= VHD_FOOTER_LENGTH && memcmp (footer, VHD_COOKIE, 8) == 0 &&
         be32 (footer + 60) == VHD_TYPE_DIFFERENCING;
}

static int
parse_vpc (const unsigned char *h, size_t len, const unsigned char *tail, size_t tail_len,
           struct image_header *out)
{
  /* qemu takes the footer copy at the start when there is one, else the
   * footer at the end; either way a differencing disk is read without its
   * parent.  A footer is at the end of the tail read. */
  const unsigned char *footer_at_end = tail_len >= VHD_FOOTER_LENGTH
    ? tail + tail_len - VHD_FOOTER_LENGTH : NULL;
  if (vhd_differencing (h, len) ||
      (footer_at_end && vhd_differencing (footer_at_end, VHD_FOOTER_LENGTH)))
    out->other = IMAGE_OTHER_VHD_PARENT;
  return 0;
}

bool
image_header_format_names_files (const char *format)
{
  static const char *const formats[] = { "qcow2", "qcow", "qed", "vmdk", "vpc", NULL };
  for (size_t i = 0; formats[i]; i++)
    if (strcmp (format, formats[i]) == 0)
      return true;
  return false;
}

int
image_header_parse (const char *format,
                    const unsigned char *head, size_t head_len,
                    const unsigned char *tail, size_t tail_len,
                    struct image_header *out, const char **why)
{
  memset (out, 0, sizeof *out);
  *why = NULL;
  if (!head)
    head_len = 0;
  if (!tail)
    tail_len = 0;
  if (strcmp (format, "qcow2") == 0)
    return parse_qcow2 (head, head_len, out, why);
  if (strcmp (format, "qcow") == 0)
    return parse_qcow (head, head_len, out, why);
  if (strcmp (format, "qed") == 0)
    return parse_qed (head, head_len, out, why);
  if (strcmp (format, "vmdk") == 0)
    return parse_vmdk (head, head_len, out, why);
  if (strcmp (format, "vpc") == 0)
    return parse_vpc (head, head_len, tail, tail_len, out);
  /* raw is never interpreted; vdi, parallels and vhdx name no file qemu
   * opens (qemu 7.2 refuses a VHDX differencing disk itself). */
  return 0;
}
