/* drive-spec.c: qemu "key=value,key=value" option strings. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "backend-select/drive-spec.h"

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
      char *out = malloc ((size_t) (end - value) + 1), *o = out;
      if (!out)
        abort ();
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
drive_spec_set (const char *spec, const char *key, const char *value)
{
  char *out;
  size_t len;
  FILE *f = open_memstream (&out, &len);
  if (!f)
    abort ();
  int found = 0;
  for (const char *p = spec; *p; ) {
    const char *end = item_end (p), *old;
    if (p != spec)
      fputc (',', f);
    if (item_has_key (p, end, key, &old)) {
      fprintf (f, "%s=%s", key, value);
      found = 1;
    } else
      fwrite (p, 1, (size_t) (end - p), f);
    p = *end ? end + 1 : end;
  }
  if (!found)
    fprintf (f, "%s%s=%s", *spec ? "," : "", key, value);
  fclose (f);
  return out;
}
