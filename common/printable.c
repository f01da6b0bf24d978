/* printable.c: an untrusted string made safe for a terminal line (see
 * printable.h).
 *
 * What passes: printable ASCII, and valid UTF-8 from U+00A0 up, so that
 * labels and messages in any language stay readable on the UTF-8
 * terminals of today.  What is escaped: what a terminal acts on rather
 * than shows (C0 controls, DEL, C1 controls, in UTF-8 or as raw bytes:
 * 0x9b alone is CSI to a terminal in an 8-bit mode), and every other byte
 * that is not valid UTF-8, so that two different strings never print
 * alike.  The backslash is escaped because it starts the escapes.  Other
 * Unicode (bidirectional marks, zero-width spaces) passes: it changes how
 * text looks, but no terminal takes it as a command. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "common/printable.h"
#include "common/xalloc.h"

size_t
utf8_length (const unsigned char *s)
{
  size_t n;
  unsigned min;
  unsigned cp;
  if (s[0] < 0x80) return 1;
  else if ((s[0] & 0xe0) == 0xc0) { n = 2; cp = s[0] & 0x1f; min = 0x80; }
  else if ((s[0] & 0xf0) == 0xe0) { n = 3; cp = s[0] & 0x0f; min = 0x800; }
  else if ((s[0] & 0xf8) == 0xf0) { n = 4; cp = s[0] & 0x07; min = 0x10000; }
  else return 0;
  for (size_t i = 1; i < n; i++) {
    if ((s[i] & 0xc0) != 0x80)
      return 0;
    cp = (cp << 6) | (s[i] & 0x3f);
  }
  if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
    return 0;
  return n;
}

/* Whether the byte or character at P (LEFT bytes of it to look at) goes
 * out as it is; *N is then its length. */
static bool
passes (const unsigned char *p, size_t left, size_t *n)
{
  *n = 1;
  if (*p < 0x80)
    return *p >= 0x20 && *p < 0x7f && *p != '\\';
  *n = utf8_length (p);
  /* U+0080..U+009F, the C1 controls, are 0xc2 0x80..0xc2 0x9f */
  bool ok = *n > 0 && *n <= left && !(p[0] == 0xc2 && p[1] < 0xa0);
  if (!ok)
    *n = 1;
  return ok;
}

char *
printable_n (char *buf, size_t size, const char *s, size_t len)
{
  const unsigned char *p = (const unsigned char *) s;
  size_t out = 0;
  for (size_t i = 0, n; i < len && p[i]; i += n) {
    char esc[5];
    const char *unit = esc;
    size_t unit_len;
    if (passes (p + i, len - i, &n)) {
      unit = s + i;
      unit_len = n;
    } else if (p[i] == '\\')
      unit_len = (size_t) snprintf (esc, sizeof esc, "\\\\");
    else
      unit_len = (size_t) snprintf (esc, sizeof esc, "\\x%02x", p[i]);
    if (unit_len >= size - out)
      break;
    memcpy (buf + out, unit, unit_len);
    out += unit_len;
  }
  buf[out] = '\0';
  return buf;
}

char *
printable (const char *s)
{
  /* at most four bytes out for each byte in */
  size_t len = strlen (s);
  char *buf = xmalloc (4 * len + 1);
  printable_n (buf, 4 * len + 1, s, len);
  return buf;
}
