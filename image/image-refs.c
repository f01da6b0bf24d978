/* image-refs.c: checking the host files an image's header names against
 * --backing, and describing the allowed chain for imgmount-hv (see
 * image-refs.h).  The header bytes are parsed by image-header.c; this file
 * does the I/O and the policy.  A file the header names is never opened
 * here unless the user allowed it: names are only resolved and stat'd. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "common/cleanup.h"
#include "common/json-string.h"
#include "common/message.h"
#include "common/xalloc.h"
#include "image/image-formats.h"
#include "image/image-header.h"
#include "image/image-refs.h"

/* Reads up to SIZE bytes at OFFSET; returns how many, or -1. */
static ssize_t
read_at (int fd, unsigned char *buf, size_t size, off_t offset)
{
  size_t got = 0;
  while (got < size) {
    ssize_t n = pread (fd, buf + got, size - got, offset + (off_t) got);
    if (n == -1 && errno == EINTR)
      continue;
    if (n == -1)
      return -1;
    if (n == 0)
      break;
    got += (size_t) n;
  }
  return (ssize_t) got;
}

/* NAME from an untrusted header, fit for a one-line message: control
 * bytes (a newline would end the line) become '?'. */
static char *
printable (const char *name)
{
  char *out = xstrdup (name);
  for (char *p = out; *p; p++)
    if ((unsigned char) *p < 0x20 || *p == 0x7f)
      *p = '?';
  return out;
}

int
image_refs_read_header (const char *path, const char *format, struct image_header *hdr,
                        char **err)
{
  AUTO_FD fd = open (path, O_RDONLY | O_CLOEXEC);
  if (fd == -1)
    return error_set (err, "%s: %s", path, strerror (errno));
  static __thread unsigned char head[IMAGE_HEADER_HEAD_SIZE];
  unsigned char tail[IMAGE_HEADER_TAIL_SIZE];
  ssize_t head_len = read_at (fd, head, sizeof head, 0);
  off_t size = lseek (fd, 0, SEEK_END);
  ssize_t tail_len = size >= (off_t) sizeof tail ? read_at (fd, tail, sizeof tail, size - (off_t) sizeof tail) : 0;
  if (head_len == -1 || size == -1 || tail_len == -1)
    return error_set (err, "%s: reading its header: %s", path, strerror (errno));
  const char *why;
  if (image_header_parse (format, head, (size_t) head_len, tail, (size_t) tail_len, hdr, &why) == -1)
    return error_set (err, "%s: %s; check --format=%s", path, why, format);
  return 0;
}

/* A file the image needs that imgmount never lets qemu open. */
static int
refuse_other (const char *path, const struct image_header *hdr, char **err)
{
  AUTO_FREE char *name = printable (hdr->other_name);
  switch (hdr->other) {
  case IMAGE_OTHER_DATA_FILE:
    return error_set (err, "%s: a qcow2 image with an external data file%s%s, which imgmount "
                      "never opens: if you trust both files, merge them with qemu-img "
                      "convert -O qcow2", path, *name ? " " : "", name);
  case IMAGE_OTHER_VMDK_EXTENT:
    return error_set (err, "%s: a VMDK descriptor whose extents are other files%s%s%s, which "
                      "imgmount never opens: if you trust them, convert it with qemu-img "
                      "convert -O qcow2", path, *name ? " (" : "", name, *name ? ")" : "");
  case IMAGE_OTHER_VHD_PARENT:
    return error_set (err, "%s: a VHD differencing disk, which qemu reads without its parent "
                      "(the data would be wrong); merge it into its parent first", path);
  case IMAGE_OTHER_NONE:
  default:
    return 0;
  }
}

/* qemu takes a name with ':' before any '/' as a protocol ("nbd:",
 * "json:", ...), not as a file. */
static int
names_protocol (const char *name)
{
  return name[strcspn (name, ":/")] == ':';
}

/* NAME resolved as qemu resolves a backing file name in the header of
 * the file at PATH: relative to PATH's directory. */
static char *
resolve (const char *path, const char *name)
{
  const char *slash = strrchr (path, '/');
  if (name[0] == '/' || !slash)
    return xasprintf ("%s", name);
  return xasprintf ("%.*s/%s", (int) (slash - path), path, name);
}

/* The index in ALLOWED of the file at RESOLVED, or -1. */
static int
find_allowed (const char *resolved, char *const *allowed, size_t n_allowed)
{
  struct stat named, st;
  if (stat (resolved, &named) == -1)
    return -1;
  for (size_t i = 0; i < n_allowed; i++)
    if (stat (allowed[i], &st) == 0 && st.st_dev == named.st_dev && st.st_ino == named.st_ino)
      return (int) i;
  return -1;
}

static bool
seen (const struct stat *chain, size_t n, const struct stat *st)
{
  for (size_t i = 0; i < n; i++)
    if (chain[i].st_dev == st->st_dev && chain[i].st_ino == st->st_ino)
      return true;
  return false;
}

/* Checks the backing file named by the header of PATH (in FORMAT) and,
 * when allowed, the rest of the chain behind it; writes the JSON node of
 * that chain to OUT.  CHAIN holds the files seen so far (N of them). */
static int
check_chain (const char *path, const char *format, char *const *allowed, size_t n_allowed,
             bool *used, struct stat *chain, size_t n, FILE *out, char **err)
{
  struct image_header hdr = { .backing = "" };
  if (image_header_format_names_files (format) &&
      (image_refs_read_header (path, format, &hdr, err) == -1 || refuse_other (path, &hdr, err) == -1))
    return -1;
  if (!hdr.backing[0]) {
    fputs ("null", out);
    return 0;
  }
  AUTO_FREE char *name = printable (hdr.backing);
  if (names_protocol (hdr.backing))
    return error_set (err, "%s: its %s header names the backing file \"%s\", which is not a "
                      "plain file path; imgmount never lets qemu open it", path, format, name);
  AUTO_FREE char *resolved = resolve (path, hdr.backing);
  AUTO_FREE char *shown = printable (resolved);
  int k = find_allowed (resolved, allowed, n_allowed);
  if (k == -1)
    return error_set (err, "%s: its %s header names the backing file %s, which imgmount does "
                      "not open unless allowed: if you trust that file, add --backing=%s",
                      path, format, shown, shown);
  if (n > IMAGE_REFS_CHAIN_MAX)
    return error_set (err, "%s: a backing chain longer than %d files; imgmount stops there",
                      path, IMAGE_REFS_CHAIN_MAX);
  if (stat (allowed[k], &chain[n]) == -1)
    return error_set (err, "--backing=%s: %s", allowed[k], strerror (errno));
  if (seen (chain, n, &chain[n]))
    return error_set (err, "%s: its backing chain comes back to %s; refusing a loop", path, shown);
  const char *backing_format = hdr.backing_format[0] ? hdr.backing_format : "raw";
  if (!image_format_is_known (backing_format))
    return error_set (err, "%s: its header names the backing format \"%s\", which imgmount "
                      "does not know", path, backing_format);
  used[k] = true;

  /* qemu gets the file the user named, which is the one checked. */
  AUTO_FREE char *real = realpath (allowed[k], NULL);
  if (!real)
    return error_set (err, "--backing=%s: %s", allowed[k], strerror (errno));
  fputs ("{\"driver\":", out);
  json_put_string (out, backing_format);
  fputs (",\"file\":{\"driver\":\"file\",\"filename\":", out);
  json_put_string (out, real);
  fputs ("},\"read-only\":true", out);
  /* Only a format with a backing chain takes "backing" (qemu-storage-
   * daemon's --blockdev refuses it on the others); the rest of the chain
   * is checked all the same. */
  bool has_backing = image_format_has_backing (backing_format);
  AUTO_FREE char *rest = NULL;
  size_t rest_len;
  FILE *rest_out = open_memstream (&rest, &rest_len);
  if (!rest_out)
    abort ();
  int r = check_chain (real, backing_format, allowed, n_allowed, used, chain, n + 1, rest_out, err);
  fclose (rest_out);
  if (r == -1)
    return -1;
  if (has_backing)
    fprintf (out, ",\"backing\":%s", rest);
  fputc ('}', out);
  return 0;
}

int
image_refs_check (const char *image, const char *format,
                  char *const *allowed, size_t n_allowed, bool *used,
                  char **backing_node, char **err)
{
  struct stat chain[IMAGE_REFS_CHAIN_MAX + 2];
  if (stat (image, &chain[0]) == -1)
    return error_set (err, "%s: %s", image, strerror (errno));
  size_t len;
  FILE *out = open_memstream (backing_node, &len);
  if (!out)
    abort ();
  int r = check_chain (image, format, allowed, n_allowed, used, chain, 1, out, err);
  fclose (out);
  if (r == -1) {
    free (*backing_node);
    *backing_node = NULL;
  }
  return r;
}

int
image_refs_all_used (char *const *allowed, size_t n_allowed, const bool *used, char **err)
{
  for (size_t i = 0; i < n_allowed; i++)
    if (!used[i])
      return error_set (err, "--backing=%s: no image names that file as its backing file; "
                        "drop the option or check the path", allowed[i]);
  return 0;
}
