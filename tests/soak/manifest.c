/* manifest.c: listings of a model or of a real tree; see manifest.h. */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "manifest.h"

uint64_t
hash_update (uint64_t h, const unsigned char *buf, size_t len)
{
  for (size_t k = 0; k < len; k++) {
    h ^= buf[k];
    h *= 0x100000001b3ull;
  }
  return h;
}

static void
add_line (struct manifest *mf, char type, const char *path, uint64_t size, uint64_t hash)
{
  if (mf->n == mf->cap) {
    mf->cap = mf->cap ? mf->cap * 2 : 64;
    mf->lines = realloc (mf->lines, mf->cap * sizeof *mf->lines);
    if (!mf->lines)
      abort ();
  }
  char *line;
  int r = type == 'f'
    ? asprintf (&line, "f %" PRIu64 " %016" PRIx64 " %s", size, hash, path)
    : asprintf (&line, "%c - - %s", type, path);
  if (r < 0)
    abort ();
  mf->lines[mf->n++] = line;
}

void
manifest_add_model (struct manifest *mf, const struct model *m)
{
  for (size_t k = 0; k < m->n; k++) {
    const struct entry *e = m->e[k];
    if (!e->path)
      continue;   /* unlinked, still open: it has no name to list */
    if (e->dir)
      add_line (mf, 'd', e->path, 0, 0);
    else
      add_line (mf, 'f', e->path, e->size, hash_update (hash_start (), e->data, e->size));
  }
}

static int
hash_file (const char *path, uint64_t *size, uint64_t *hash)
{
  int fd = open (path, O_RDONLY | O_CLOEXEC);
  if (fd == -1)
    return -1;
  static unsigned char buf[1 << 20];
  uint64_t h = hash_start (), total = 0;
  ssize_t n;
  while ((n = read (fd, buf, sizeof buf)) > 0) {
    h = hash_update (h, buf, (size_t) n);
    total += (uint64_t) n;
  }
  int saved = errno;
  close (fd);
  errno = saved;
  *size = total;
  *hash = h;
  return n < 0 ? -1 : 0;
}

/* nftw has no user pointer: the walk in progress. */
static struct manifest *walking;
static size_t walk_root_len;

static int
walk_one (const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
  if (ftw->level == 0)
    return 0;
  const char *rel = path + walk_root_len + 1;
  if (S_ISDIR (st->st_mode))
    add_line (walking, 'd', rel, 0, 0);
  else if (S_ISREG (st->st_mode)) {
    uint64_t size, hash;
    if (hash_file (path, &size, &hash) == -1)
      return -1;
    add_line (walking, 'f', rel, size, hash);
  }
  else
    add_line (walking, '?', rel, 0, 0);
  return 0;
}

int
manifest_add_tree (struct manifest *mf, const char *dir)
{
  walking = mf;
  walk_root_len = strlen (dir);
  while (walk_root_len > 1 && dir[walk_root_len - 1] == '/')
    walk_root_len--;
  return nftw (dir, walk_one, 16, FTW_PHYS) == 0 ? 0 : -1;
}

/* Every line is "TYPE SIZE HASH PATH": the path follows the third space. */
static const char *
path_of (const char *line)
{
  for (int spaces = 0; spaces < 3; line++)
    if (*line == ' ')
      spaces++;
  return line;
}

static int
compare_lines (const void *a, const void *b)
{
  return strcmp (path_of (*(char *const *) a), path_of (*(char *const *) b));
}

void
manifest_write (struct manifest *mf, FILE *out)
{
  qsort (mf->lines, mf->n, sizeof *mf->lines, compare_lines);
  for (size_t k = 0; k < mf->n; k++) {
    fprintf (out, "%s\n", mf->lines[k]);
    free (mf->lines[k]);
  }
  free (mf->lines);
  memset (mf, 0, sizeof *mf);
}
