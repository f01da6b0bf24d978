/* initrd-trim.c: supermin's mini-initrd without the modules the appliance
 * does not need to boot.
 *
 * supermin's mini-init loads every module its initrd holds, one insmod
 * after another, before it looks for the root disk: 52 modules for
 * Debian's kernel, among them IDE, persistent memory, networking and
 * devices libguestfs never gives the appliance.  Each costs tens of
 * milliseconds under TCG and UML, and some probe hardware (ata_piix probes
 * both IDE channels).  The appliance's root keeps every module, so
 * anything left out here still loads on demand once the root is mounted.
 *
 * The initrd is a newc cpio archive (see the kernel's
 * Documentation/driver-api/early-userspace/buffer-format.rst): per file a
 * 110-byte ASCII header of "070701" and 13 hex fields, the NUL-terminated
 * name, the data, each padded to 4 bytes; "TRAILER!!!" ends it. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "backend-select/appliance/initrd-trim.h"
#include "common/cleanup.h"
#include "common/message.h"
#include "common/xalloc.h"

/* Modules supermin puts in the initrd that neither finding the root (virtio
 * PCI, virtio-scsi or virtio-blk, sd, ext4 and the CRCs they use) nor
 * guestfsd's channel (virtio_console) needs. */
static const char *const not_needed[] = {
  /* persistent memory: libguestfs gives the appliance none */
  "libnvdimm", "nfit", "nd_btt", "nd_pmem", "nd_virtio", "virtio_pmem",
  /* IDE: the appliance's disks are virtio-scsi (qemu) or ubd (UML) */
  "libata", "ata_piix",
  /* networking: imgmount never enables the appliance's network */
  "failover", "net_failover", "virtio_net",
  /* virtio devices libguestfs never adds */
  "crypto_engine", "virtio_crypto", "virtio_balloon", "virtio_input", "virtio_mem",
  "virtio_mmio", "virtio_dma_buf",
  /* filesystems shared with the host, never mounted at boot */
  "fuse", "virtiofs",
  /* CRCs that only drivers left out above or loaded later use */
  "crc-itu-t", "crc-ccitt", "crc4", "crc7", "crc8",
};

bool
initrd_module_needed (const char *name)
{
  const char *base = strrchr (name, '/');
  base = base ? base + 1 : name;
  const char *ko = strstr (base, ".ko");
  if (!ko)
    return true;                /* not a module */
  size_t n = (size_t) (ko - base);
  for (size_t i = 0; i < ARRAY_SIZE (not_needed); i++)
    if (strlen (not_needed[i]) == n && memcmp (not_needed[i], base, n) == 0)
      return false;
  return true;
}

#define HEADER_SIZE 110
#define FIELD_FILESIZE 6
#define FIELD_NAMESIZE 11

static size_t
pad4 (size_t n)
{
  return (n + 3) & ~(size_t) 3;
}

/* Field I (0-12) of the header at H. */
static int
header_field (const unsigned char *h, int i, size_t *value)
{
  size_t v = 0;
  for (int k = 0; k < 8; k++) {
    unsigned char c = h[6 + 8 * i + k];
    int digit = c >= '0' && c <= '9' ? c - '0'
      : c >= 'a' && c <= 'f' ? c - 'a' + 10
      : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
    if (digit < 0)
      return -1;
    v = v * 16 + (size_t) digit;
  }
  *value = v;
  return 0;
}

struct entry {
  const unsigned char *header;
  const char *name;
  const unsigned char *data;
  size_t data_len;
  size_t end;                   /* offset of the next header */
};

/* The entry at offset POS of IN, checked to lie within it. */
static int
parse_entry (const unsigned char *in, size_t len, size_t pos, struct entry *e)
{
  size_t name_len, data_len;
  if (pos > len || len - pos < HEADER_SIZE ||
      (memcmp (in + pos, "070701", 6) != 0 && memcmp (in + pos, "070702", 6) != 0) ||
      header_field (in + pos, FIELD_NAMESIZE, &name_len) == -1 ||
      header_field (in + pos, FIELD_FILESIZE, &data_len) == -1 ||
      name_len == 0 || name_len > len - pos - HEADER_SIZE ||
      in[pos + HEADER_SIZE + name_len - 1] != '\0')
    return -1;
  size_t data_pos = pad4 (pos + HEADER_SIZE + name_len);
  if (data_pos > len || data_len > len - data_pos)
    return -1;
  e->header = in + pos;
  e->name = (const char *) in + pos + HEADER_SIZE;
  e->data = in + data_pos;
  e->data_len = data_len;
  e->end = pad4 (data_pos + data_len);
  if (e->end > len)
    e->end = len;
  return 0;
}

/* Appends N bytes of P to OUT at *POS, then zeros up to a multiple of 4. */
static void
append_padded (unsigned char *out, size_t *pos, const void *p, size_t n)
{
  memcpy (out + *pos, p, n);
  *pos += n;
  while (*pos % 4)
    out[(*pos)++] = 0;
}

/* The "modules" list DATA without the lines of modules not needed, into
 * OUT (as large as DATA); returns its length. */
static size_t
filter_module_list (const unsigned char *data, size_t len, char *out)
{
  size_t n = 0;
  for (size_t start = 0; start < len;) {
    const unsigned char *nl = memchr (data + start, '\n', len - start);
    size_t line_len = (nl ? (size_t) (nl - data) + 1 : len) - start;
    char line[256] = "";
    if (line_len < sizeof line)
      memcpy (line, data + start, line_len - (nl ? 1 : 0));
    if (line_len >= sizeof line || initrd_module_needed (line)) {
      memcpy (out + n, data + start, line_len);
      n += line_len;
    }
    start += line_len;
  }
  return n;
}

int
initrd_trim_archive (const unsigned char *in, size_t len, unsigned char **out, size_t *out_len)
{
  *out = NULL;
  unsigned char *o = malloc (len + 4);
  if (!o)
    return -1;
  size_t pos = 0, opos = 0;
  int left_out = 0;
  for (;;) {
    struct entry e;
    if (parse_entry (in, len, pos, &e) == -1) {
      free (o);
      return -1;
    }
    size_t header_and_name = (size_t) (e.data - e.header);
    if (strcmp (e.name, "TRAILER!!!") == 0) {
      memcpy (o + opos, e.header, len - pos);     /* with any padding after */
      opos += len - pos;
      break;
    }
    if (!initrd_module_needed (e.name))
      left_out++;
    else if (strcmp (e.name, "modules") == 0) {
      AUTO_FREE char *list = malloc (e.data_len + 1);
      if (!list) {
        free (o);
        return -1;
      }
      size_t list_len = filter_module_list (e.data, e.data_len, list);
      char size_field[9];
      snprintf (size_field, sizeof size_field, "%08zX", list_len);
      size_t header_pos = opos;
      memcpy (o + opos, e.header, header_and_name);
      memcpy (o + header_pos + 6 + 8 * FIELD_FILESIZE, size_field, 8);
      opos += header_and_name;
      append_padded (o, &opos, list, list_len);
    } else {
      memcpy (o + opos, e.header, e.end - pos);
      opos += e.end - pos;
    }
    pos = e.end;
  }
  *out = o;
  *out_len = opos;
  return left_out;
}

static int
read_whole (const char *path, unsigned char **buf, size_t *len)
{
  AUTO_FD fd = open (path, O_RDONLY | O_CLOEXEC);
  struct stat st;
  if (fd == -1 || fstat (fd, &st) == -1)
    return -1;
  *len = (size_t) st.st_size;
  *buf = malloc (*len ? *len : 1);
  if (!*buf)
    return -1;
  size_t got = 0;
  while (got < *len) {
    ssize_t r = read (fd, *buf + got, *len - got);
    if (r <= 0) {
      free (*buf);
      *buf = NULL;
      return -1;
    }
    got += (size_t) r;
  }
  return 0;
}

static int
write_whole (const char *path, const unsigned char *buf, size_t len)
{
  AUTO_FD fd = open (path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd == -1)
    return -1;
  for (size_t done = 0; done < len;) {
    ssize_t w = write (fd, buf + done, len - done);
    if (w <= 0)
      return -1;
    done += (size_t) w;
  }
  return 0;
}

int
initrd_trim (const char *path, int verbose)
{
  AUTO_FREE unsigned char *in = NULL;
  AUTO_FREE unsigned char *out = NULL;
  size_t len, out_len;
  if (read_whole (path, &in, &len) == -1)
    return -1;
  int left_out = initrd_trim_archive (in, len, &out, &out_len);
  if (left_out == -1) {
    if (verbose)
      fprintf (stderr, "imgmount: %s is not a newc cpio archive: kept whole\n", path);
    return -1;
  }
  AUTO_FREE char *tmp = xasprintf ("%s.trim", path);
  if (write_whole (tmp, out, out_len) == -1 || rename (tmp, path) == -1) {
    unlink (tmp);
    return -1;
  }
  if (verbose)
    fprintf (stderr, "imgmount: %d modules the appliance does not need left out of its initrd\n",
             left_out);
  return 0;
}
