/* kernel-unpack.c: the appliance's kernel, uncompressed, for qemu.
 *
 * A bzImage decompresses itself when it boots, and under TCG that takes
 * most of the time before the kernel prints its first line (seconds: the
 * decompressor is emulated instruction by instruction).  qemu can boot an
 * uncompressed vmlinux ELF directly when the kernel has a PVH entry point
 * (CONFIG_PVH, Debian's default), so the appliance build decompresses it
 * once on the host.  Without a PVH entry point, or for any doubt, the
 * bzImage stays. */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include "backend-select/appliance/kernel-unpack.h"
#include "common/message.h"
#include "common/programs.h"
#include "common/xalloc.h"

/* Xen's ELF note naming the 32-bit PVH entry point. */
#define XEN_ELFNOTE_PHYS32_ENTRY 18

/* Whether the ELF image MAP of SIZE bytes is an x86-64 executable with a
 * PVH entry point note. */
static bool
elf_has_pvh_entry (const unsigned char *map, size_t size)
{
  if (size < sizeof (Elf64_Ehdr) || memcmp (map, ELFMAG, SELFMAG) != 0 ||
      map[EI_CLASS] != ELFCLASS64)
    return false;
  const Elf64_Ehdr *eh = (const Elf64_Ehdr *) map;
  if (eh->e_machine != EM_X86_64 || eh->e_phentsize != sizeof (Elf64_Phdr) ||
      eh->e_phoff > size || (size - eh->e_phoff) / sizeof (Elf64_Phdr) < eh->e_phnum)
    return false;
  const Elf64_Phdr *ph = (const Elf64_Phdr *) (map + eh->e_phoff);
  for (unsigned k = 0; k < eh->e_phnum; k++) {
    if (ph[k].p_type != PT_NOTE || ph[k].p_offset > size || ph[k].p_filesz > size - ph[k].p_offset)
      continue;
    const unsigned char *p = map + ph[k].p_offset, *end = p + ph[k].p_filesz;
    while ((size_t) (end - p) >= sizeof (Elf64_Nhdr)) {
      const Elf64_Nhdr *n = (const Elf64_Nhdr *) p;
      size_t name = (n->n_namesz + 3) & ~(size_t) 3, desc = (n->n_descsz + 3) & ~(size_t) 3;
      p += sizeof *n;
      if (name > (size_t) (end - p) || desc > (size_t) (end - p) - name)
        break;
      if (n->n_type == XEN_ELFNOTE_PHYS32_ENTRY && n->n_namesz == 4 && memcmp (p, "Xen", 4) == 0)
        return true;
      p += name + desc;
    }
  }
  return false;
}

/* The decompressor for the payload starting with MAGIC, or NULL. */
static const char *
decompressor (const unsigned char *payload, size_t len)
{
  if (len >= 6 && memcmp (payload, "\xfd" "7zXZ\0", 6) == 0)
    return "xz";
  if (len >= 4 && memcmp (payload, "\x28\xb5\x2f\xfd", 4) == 0)
    return "zstd";
  if (len >= 2 && memcmp (payload, "\x1f\x8b", 2) == 0)
    return "gzip";
  return NULL;
}

/* Runs TOOL -dc with IN on its stdin and OUT on its stdout.  Its exit
 * status is not the test (the payload is followed by its length, which
 * gzip calls trailing garbage): the output is checked instead. */
static void
run_decompressor (const char *tool, int in, int out)
{
  char *xz[] = { "xz", "-dc", "--single-stream", NULL };
  char *other[] = { (char *) tool, "-dc", NULL };
  run_program (strcmp (tool, "xz") == 0 ? xz : other, in, out, true);
}

/* Writes the compressed payload of the bzImage MAP to a new file in DIR,
 * returning its descriptor positioned at 0, or -1. */
static int
payload_file (const char *dir, const unsigned char *map, size_t size, const char **tool)
{
  /* The boot protocol's setup header: setup_sects at 0x1f1, "HdrS" at
   * 0x202, payload_offset and payload_length at 0x248 and 0x24c (2.08+),
   * the offset counted from the protected-mode code after the setup. */
  if (size < 0x250 || memcmp (map + 0x202, "HdrS", 4) != 0 ||
      (map[0x206] | map[0x207] << 8) < 0x208)
    return -1;
  size_t setup = ((size_t) (map[0x1f1] ? map[0x1f1] : 4) + 1) * 512;
  uint32_t offset, length;
  memcpy (&offset, map + 0x248, 4);
  memcpy (&length, map + 0x24c, 4);
  if (setup > size || offset > size - setup || length > size - setup - offset)
    return -1;
  const unsigned char *payload = map + setup + offset;
  *tool = decompressor (payload, length);
  if (!*tool)
    return -1;
  char *path = xasprintf ("%s/payload.XXXXXX", dir);
  int fd = mkstemp (path);
  if (fd >= 0) {
    unlink (path);
    if (write (fd, payload, length) != (ssize_t) length || lseek (fd, 0, SEEK_SET) != 0) {
      close (fd);
      fd = -1;
    }
  }
  free (path);
  return fd;
}

int
kernel_unpack (const char *kernel, int verbose)
{
  int fd = open (kernel, O_RDONLY | O_CLOEXEC);
  struct stat st;
  if (fd == -1 || fstat (fd, &st) == -1 || st.st_size == 0) {
    if (fd >= 0)
      close (fd);
    return -1;
  }
  size_t size = (size_t) st.st_size;
  unsigned char *map = mmap (NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
  close (fd);
  if (map == MAP_FAILED)
    return -1;

  char *dir = xstrdup (kernel);
  char *slash = strrchr (dir, '/');
  if (slash)
    *slash = '\0';
  const char *tool = NULL;
  int in = payload_file (slash ? dir : ".", map, size, &tool);
  munmap (map, size);
  char *unpacked = xasprintf ("%s.elf", kernel);
  int r = -1;
  int out = in >= 0 ? open (unpacked, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644) : -1;
  if (out >= 0) {
    run_decompressor (tool, in, out);
    struct stat ost;
    unsigned char *elf = fstat (out, &ost) == 0 && ost.st_size > 0
      ? mmap (NULL, (size_t) ost.st_size, PROT_READ, MAP_PRIVATE, out, 0) : MAP_FAILED;
    if (elf != MAP_FAILED) {
      if (elf_has_pvh_entry (elf, (size_t) ost.st_size) && rename (unpacked, kernel) == 0)
        r = 0;
      munmap (elf, (size_t) ost.st_size);
    }
    close (out);
  }
  if (in >= 0)
    close (in);
  if (r == -1)
    unlink (unpacked);
  if (verbose)
    fprintf (stderr, "imgmount: appliance kernel %s\n",
             r == 0 ? "uncompressed (PVH entry point)" : "kept compressed (no PVH entry point)");
  free (unpacked);
  free (dir);
  return r;
}
