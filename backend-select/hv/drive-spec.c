/* drive-spec.c: qemu "key=value,key=value" option strings. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "backend-select/hv/drive-spec.h"
#include "common/xalloc.h"

/* The end of the item starting at P: the next single comma, or the end. */
static const char *
item_end (const char *p)
{
  for (;;) {
    const char *comma = strchr (p, ',');
    if (!comma)
      return p + strlen (p);
    if (comma[1] != ',')
      return comma;
    p = comma + 2;
  }
}

/* Whether the item [P, END) has key KEY; sets *VALUE to after the '='. */
static int
item_has_key (const char *p, const char *end, const char *key, const char **value)
{
  size_t n = strlen (key);
  if ((size_t) (end - p) > n && strncmp (p, key, n) == 0 && p[n] == '=') {
    *value = p + n + 1;
    return 1;
  }
  return 0;
}

char *
drive_spec_get (const char *spec, const char *key)
{
  for (const char *p = spec; *p; ) {
    const char *end = item_end (p), *value;
    if (item_has_key (p, end, key, &value)) {
      char *out = xmalloc ((size_t) (end - value) + 1), *o = out;
      for (const char *v = value; v < end; v++) {
        *o++ = *v;
        if (*v == ',')
          v++;       /* ",," is one comma */
      }
      *o = '\0';
      return out;
    }
    p = *end ? end + 1 : end;
  }
  return NULL;
}

char *
drive_spec_escape (const char *value)
{
  char *out = xmalloc (2 * strlen (value) + 1), *o = out;
  for (; *value; value++) {
    *o++ = *value;
    if (*value == ',')
      *o++ = ',';
  }
  *o = '\0';
  return out;
}

/* SPEC with KEY's item replaced by KEY=VALUE (appended when absent), or
 * dropped when VALUE is NULL. */
static char *
rewrite (const char *spec, const char *key, const char *value)
{
  char *out;
  size_t len;
  FILE *f = open_memstream (&out, &len);
  if (!f)
    abort ();
  char *escaped = value ? drive_spec_escape (value) : NULL;
  int found = 0, first = 1;
  for (const char *p = spec; *p; ) {
    const char *end = item_end (p), *old;
    int is_key = item_has_key (p, end, key, &old);
    if (!is_key || escaped) {
      if (!first)
        fputc (',', f);
      first = 0;
      if (is_key)
        fprintf (f, "%s=%s", key, escaped);
      else
        fwrite (p, 1, (size_t) (end - p), f);
    }
    found |= is_key;
    p = *end ? end + 1 : end;
  }
  if (!found && escaped)
    fprintf (f, "%s%s=%s", first ? "" : ",", key, escaped);
  fclose (f);
  free (escaped);
  return out;
}

char *
drive_spec_set (const char *spec, const char *key, const char *value)
{
  return rewrite (spec, key, value);
}

char *
drive_spec_remove (const char *spec, const char *key)
{
  return rewrite (spec, key, NULL);
}
