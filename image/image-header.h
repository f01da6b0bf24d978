/* image-header.h: which other host files an image's header would make
 * qemu open.
 *
 * image_header_parse is a pure function over bytes read from the start
 * and the end of an image file: no I/O, no allocation, every offset and
 * length in the header checked against the buffer before use, so that
 * unit tests and fuzzers can hand it anything.  It reads only the fields
 * through which qemu 7.2 opens another file, and the few needed to find
 * them; it follows nothing. */
#ifndef IMGMOUNT_IMAGE_HEADER_H
#define IMGMOUNT_IMAGE_HEADER_H

#include <stdbool.h>
#include <stddef.h>

/* How much of the image the caller reads: the first bytes, where every
 * name qemu follows lives in images qemu-img writes, and the last sector
 * (a fixed VHD's footer).  A name placed beyond the first bytes makes the
 * parse fail: imgmount refuses what it cannot see. */
#define IMAGE_HEADER_HEAD_SIZE 65536
#define IMAGE_HEADER_TAIL_SIZE 512

/* qemu's own limit on a backing file name (PATH_MAX-sized buffers). */
#define IMAGE_HEADER_NAME_MAX 4095
#define IMAGE_HEADER_FORMAT_MAX 15

/* A host file the image needs that imgmount never lets qemu open. */
enum image_other_file {
  IMAGE_OTHER_NONE,
  IMAGE_OTHER_DATA_FILE,    /* qcow2 external data file */
  IMAGE_OTHER_VMDK_EXTENT,  /* a VMDK descriptor's extent files */
  IMAGE_OTHER_VHD_PARENT,   /* a VHD differencing disk's parent */
};

struct image_header {
  /* The backing file name exactly as the header spells it (up to a NUL
   * byte, as qemu reads it); "" when there is none. */
  char backing[IMAGE_HEADER_NAME_MAX + 1];
  /* The backing file's format as the header states it; "" when it does
   * not say (qemu would probe it). */
  char backing_format[IMAGE_HEADER_FORMAT_MAX + 1];
  enum image_other_file other;
  /* The other file's name where the header gives one, else "". */
  char other_name[IMAGE_HEADER_NAME_MAX + 1];
};

/* Whether an image in FORMAT can name other files at all: when not,
 * there is no need to read it. */
bool image_header_format_names_files (const char *format);

/* Parses the header of an image in FORMAT (imgmount's --format names)
 * from HEAD (the file's first HEAD_LEN bytes) and TAIL (its last TAIL_LEN
 * bytes; TAIL_LEN may be 0).  Formats that never name another file give
 * an empty result.  Returns 0, or -1 with *WHY set to a static
 * description of what is wrong with the header. */
int image_header_parse (const char *format,
                        const unsigned char *head, size_t head_len,
                        const unsigned char *tail, size_t tail_len,
                        struct image_header *out, const char **why);

#endif
