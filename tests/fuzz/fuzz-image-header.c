/* fuzz-image-header.c: the host's reading of an untrusted image's header
 * for the files it names (image/image-header.c).
 *
 * Input: u8 the format (modulo 6: qcow2, qcow, qed, vmdk, vpc, raw), u16
 * how many of the last bytes also serve as the file's tail (modulo 513),
 * then the head: the first bytes of the file, at most what imgmount reads.
 * Each buffer is a copy of its exact size, so that the sanitizers see any
 * read past it.  Checks, beyond the sanitizers: a failure says why; a
 * success leaves NUL-terminated names inside their arrays, and a backing
 * format only with a backing file or from qcow2's extension. */
#include <stdlib.h>
#include <string.h>
#include "image/image-header.h"
#include "tests/fuzz/target.h"

static const char *const formats[] = { "qcow2", "qcow", "qed", "vmdk", "vpc", "raw" };

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  struct fuzz_input in = fuzz_input (data, size);
  const char *format = formats[fuzz_u8 (&in) % 6];
  size_t tail_len = fuzz_u16 (&in) % (IMAGE_HEADER_TAIL_SIZE + 1);
  size_t head_len = in.left < IMAGE_HEADER_HEAD_SIZE ? in.left : IMAGE_HEADER_HEAD_SIZE;
  unsigned char *head = malloc (head_len ? head_len : 1);
  fuzz_bytes (&in, head, head_len);
  if (tail_len > head_len)
    tail_len = head_len;
  unsigned char *tail = malloc (tail_len ? tail_len : 1);
  memcpy (tail, head + head_len - tail_len, tail_len);

  struct image_header hdr;
  const char *why = NULL;
  int r = image_header_parse (format, head, head_len, tail, tail_len, &hdr, &why);
  FUZZ_CHECK (r == 0 || r == -1);
  if (r == -1)
    FUZZ_CHECK (why && *why);
  else {
    FUZZ_CHECK (memchr (hdr.backing, '\0', sizeof hdr.backing));
    FUZZ_CHECK (memchr (hdr.backing_format, '\0', sizeof hdr.backing_format));
    FUZZ_CHECK (memchr (hdr.other_name, '\0', sizeof hdr.other_name));
    FUZZ_CHECK (hdr.other >= IMAGE_OTHER_NONE && hdr.other <= IMAGE_OTHER_VHD_PARENT);
    if (strcmp (format, "raw") == 0)
      FUZZ_CHECK (!hdr.backing[0] && hdr.other == IMAGE_OTHER_NONE);
  }
  free (head);
  free (tail);
  return 0;
}
