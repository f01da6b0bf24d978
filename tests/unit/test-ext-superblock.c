/* test-ext-superblock.c: the casefold flag read from ext superblocks, both
 * made up byte by byte and written by mkfs.ext4 itself (so the offsets
 * are checked against the real layout, not only against themselves). */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "common/programs.h"
#include "fsops/ext-superblock.h"
#include "check.h"

/* The superblock of a fresh ext4 made with FEATURES (mkfs.ext4 -O), or -1
 * when mkfs.ext4 could not make one. */
static int
superblock_from_mkfs (const char *features, unsigned char *sb)
{
  char path[] = "/tmp/test-ext-superblock.XXXXXX";
  int fd = mkstemp (path);
  if (fd == -1)
    return -1;
  char *const argv[] = { "mkfs.ext4", "-q", "-F", "-O", (char *) features, path, "4M", NULL };
  int r = run_program (argv, -1, -1, true) == 0 &&
          pread (fd, sb, EXT_SUPERBLOCK_SIZE, EXT_SUPERBLOCK_OFFSET) == EXT_SUPERBLOCK_SIZE ? 0 : -1;
  close (fd);
  unlink (path);
  return r;
}

int
main (void)
{
  unsigned char sb[EXT_SUPERBLOCK_SIZE] = { 0 };

  /* Nothing read, too short or no magic: cautious. */
  CHECK (ext_superblock_may_fold_case (NULL, 0));
  CHECK (ext_superblock_may_fold_case (sb, sizeof sb));
  sb[0x38] = 0x53, sb[0x39] = 0xEF;
  CHECK (!ext_superblock_may_fold_case (sb, sizeof sb));
  CHECK (ext_superblock_may_fold_case (sb, 0x63));
  CHECK (!ext_superblock_may_fold_case (sb, 0x64));
  sb[0x39] = 0xEE;
  CHECK (ext_superblock_may_fold_case (sb, sizeof sb));
  sb[0x39] = 0xEF;

  /* The casefold bit (0x20000) of s_feature_incompat, alone or among
   * others; its neighbours do not count. */
  sb[0x62] = 0x02;
  CHECK (ext_superblock_may_fold_case (sb, sizeof sb));
  sb[0x60] = 0xFF, sb[0x61] = 0xFF, sb[0x62] = 0xFD, sb[0x63] = 0xFF;
  CHECK (!ext_superblock_may_fold_case (sb, sizeof sb));

  /* mkfs.ext4 is in /usr/sbin, which some CI shells leave out of PATH. */
  const char *path = getenv ("PATH");
  char with_sbin[4096];
  snprintf (with_sbin, sizeof with_sbin, "%s:/usr/sbin:/sbin", path ? path : "/usr/bin:/bin");
  setenv ("PATH", with_sbin, 1);
  unsigned char made[EXT_SUPERBLOCK_SIZE];
  if (superblock_from_mkfs ("^casefold", made) == 0 && superblock_from_mkfs ("casefold", sb) == 0) {
    CHECK (!ext_superblock_may_fold_case (made, sizeof made));
    CHECK (ext_superblock_may_fold_case (sb, sizeof sb));
  }
  else {
    fprintf (stderr, "mkfs.ext4 could not make the test filesystems\n");
    check_failures++;
  }
  return CHECK_DONE ();
}
