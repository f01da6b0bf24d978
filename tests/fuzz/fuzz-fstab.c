/* fuzz-fstab.c: a guest's fstab (mount/fstab.c).
 *
 * Input: the fstab text, every byte of it.  Checks, beyond the
 * sanitizers: a failure says why and leaves nothing, and comes only from
 * a NUL byte, the size or the number of entries; a success has an entry
 * for each line that is neither blank nor a comment, with that line's
 * number, a first field decoded to its whole length (no escape cut it
 * short), every field set, bounded and free of newlines, a known reason
 * or none, and for an entry to mount an absolute normalised mount point,
 * a key, and a subvol that does not start with '/'. */
#include <stdlib.h>
#include <string.h>
#include "mount/fstab.h"
#include "tests/fuzz/target.h"

#define FIELD_MAX 4096

static const char *const reasons[] = {
  "swap", "noauto", "a network filesystem", "a bind mount", "a pseudo filesystem",
  "not a mount point", "a malformed line",
};

static bool
is_blank (char c)
{
  return c == ' ' || c == '\t';
}

/* A line as the parser should see it: its number, and its first field
 * (START, LEN) unless it is blank or a comment (START NULL). */
struct line {
  unsigned number;
  const char *start;
  size_t len;
};

static struct line
next_line (const char **p, const char *end, unsigned number)
{
  const char *nl = memchr (*p, '\n', end - *p);
  const char *line_end = nl ? nl : end, *s = *p;
  struct line l = { number, NULL, 0 };
  *p = nl ? nl + 1 : end;
  while (line_end > s && (is_blank (line_end[-1]) || line_end[-1] == '\r'))
    line_end--;
  while (s < line_end && is_blank (*s))
    s++;
  if (s < line_end && *s != '#') {
    l.start = s;
    while (s < line_end && !is_blank (*s))
      s++;
    l.len = s - l.start;
  }
  return l;
}

/* How long the field at S (LEN bytes) is once its \000 to \377 escapes
 * are decoded. */
static size_t
decoded_len (const char *s, size_t len)
{
  size_t n = 0;
  for (size_t i = 0; i < len; i++, n++)
    if (s[i] == '\\' && len - i > 3 && s[i + 1] >= '0' && s[i + 1] <= '3'
        && s[i + 2] >= '0' && s[i + 2] <= '7' && s[i + 3] >= '0' && s[i + 3] <= '7')
      i += 3;
  return n;
}

static void
check_field (const char *s)
{
  FUZZ_CHECK (s != NULL);
  FUZZ_CHECK (strlen (s) <= FIELD_MAX);
  FUZZ_CHECK (strchr (s, '\n') == NULL);
}

static bool
known_reason (const char *skip)
{
  for (size_t k = 0; k < sizeof reasons / sizeof reasons[0]; k++)
    if (skip == reasons[k] || strcmp (skip, reasons[k]) == 0)
      return true;
  return false;
}

static void
check_mount_point (const char *file)
{
  FUZZ_CHECK (file[0] == '/');
  FUZZ_CHECK (strcmp (file, "/") == 0 || file[strlen (file) - 1] != '/');
  FUZZ_CHECK (strstr (file, "//") == NULL);
  FUZZ_CHECK (strstr (file, "/./") == NULL && strstr (file, "/../") == NULL);
  size_t len = strlen (file);
  FUZZ_CHECK (!(len >= 2 && strcmp (file + len - 2, "/.") == 0));
  FUZZ_CHECK (!(len >= 3 && strcmp (file + len - 3, "/..") == 0));
}

static void
check_entry (const struct fstab_entry *e, const struct line *l)
{
  FUZZ_CHECK (e->line == l->number);
  check_field (e->spec);
  check_field (e->file);
  check_field (e->vfstype);
  check_field (e->options);
  check_field (e->key);
  FUZZ_CHECK (e->kind >= FSTAB_DEVICE && e->kind <= FSTAB_OTHER);
  FUZZ_CHECK (e->subvol == NULL || (*e->subvol && *e->subvol != '/'));
  if (e->subvol)
    check_field (e->subvol);
  if (e->skip) {
    FUZZ_CHECK (known_reason (e->skip));
    if (strcmp (e->skip, "a malformed line") == 0)
      return;
  }
  /* well-formed: the first field decoded whole, nothing left empty */
  FUZZ_CHECK (strlen (e->spec) == decoded_len (l->start, l->len));
  FUZZ_CHECK (*e->spec && *e->file && *e->vfstype && *e->options && *e->key);
  if (e->kind == FSTAB_DEVICE)
    FUZZ_CHECK (strncmp (e->key, "/dev/", 5) == 0);
  if (e->kind == FSTAB_UUID || e->kind == FSTAB_PARTUUID)
    for (const char *c = e->key; *c; c++)
      FUZZ_CHECK (!(*c >= 'A' && *c <= 'Z'));
  if (!e->skip)
    check_mount_point (e->file);
}

/* The entries against the lines of TEXT, one for each that says
 * something.  Returns how many lines said something. */
static size_t
check_entries (const struct fstab *f, const char *text, size_t size)
{
  const char *p = text, *end = text + size;
  size_t k = 0;
  for (unsigned number = 1; p < end; number++) {
    struct line l = next_line (&p, end, number);
    if (!l.start)
      continue;
    if (k < f->n)
      check_entry (&f->entries[k], &l);
    k++;
  }
  return k;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  const char *text = (const char *) data;
  struct fstab f;
  char *err = NULL;
  if (fstab_parse (text, size, &f, &err) == 0) {
    FUZZ_CHECK (err == NULL);
    FUZZ_CHECK (size <= FSTAB_MAX_BYTES && (size == 0 || !memchr (text, '\0', size)));
    FUZZ_CHECK (f.n <= FSTAB_MAX_ENTRIES);
    FUZZ_CHECK (check_entries (&f, text, size) == f.n);
    fstab_free (&f);
    FUZZ_CHECK (f.entries == NULL && f.n == 0);
  } else {
    FUZZ_CHECK (err != NULL && *err);
    FUZZ_CHECK (f.entries == NULL && f.n == 0);
    FUZZ_CHECK (size > FSTAB_MAX_BYTES || memchr (text, '\0', size)
                || check_entries (&f, text, size) > FSTAB_MAX_ENTRIES);
    free (err);
  }
  return 0;
}
