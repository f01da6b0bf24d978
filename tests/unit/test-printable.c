/* test-printable.c: strings from the image or the appliance made safe
 * for a terminal: controls and invalid UTF-8 escaped, text left alone. */
#include <stdlib.h>
#include <string.h>
#include "common/printable.h"
#include "check.h"

/* What printable makes of strings: IN, then WANT. */
static const char *const cases[][2] = {
  { "", "" },
  { "root", "root" },
  { "a b~!", "a b~!" },
  /* a CSI sequence clearing the screen, and an OSC retitling the window */
  { "\x1b[2J\x1b[H", "\\x1b[2J\\x1b[H" },
  { "\x1b]0;owned\x07", "\\x1b]0;owned\\x07" },
  { "ok\rEVIL", "ok\\x0dEVIL" },
  { "abc\b\b\bxyz", "abc\\x08\\x08\\x08xyz" },
  { "tab\there\nline", "tab\\x09here\\x0aline" },
  { "\x01\x1f", "\\x01\\x1f" },
  { "del\x7f", "del\\x7f" },
  /* a backslash is escaped too, so that an escape cannot be faked */
  { "\\x1b", "\\\\x1b" },
  { "C:\\", "C:\\\\" },
  /* valid UTF-8 text stays as it is: U+00A0, é, €, 𝄞, U+10FFFF */
  { "\xc2\xa0", "\xc2\xa0" },
  { "donn\xc3\xa9" "es", "donn\xc3\xa9" "es" },
  { "\xe2\x82\xac 5", "\xe2\x82\xac 5" },
  { "\xf0\x9d\x84\x9e", "\xf0\x9d\x84\x9e" },
  { "\xf4\x8f\xbf\xbf", "\xf4\x8f\xbf\xbf" },
  /* C1 controls, encoded (U+0080, U+0085, U+009B CSI, U+009F) and as
   * raw bytes */
  { "\xc2\x80", "\\xc2\\x80" },
  { "\xc2\x85", "\\xc2\\x85" },
  { "\xc2\x9b" "2J", "\\xc2\\x9b" "2J" },
  { "\xc2\x9f", "\\xc2\\x9f" },
  { "\x9b" "2J\x90", "\\x9b" "2J\\x90" },
  /* invalid: lone continuation, truncated, overlong, surrogate, too
   * large, 0xfe and 0xff */
  { "\x80", "\\x80" },
  { "\xc3", "\\xc3" },
  { "\xe2\x82" "x", "\\xe2\\x82" "x" },
  { "\xc0\x9b", "\\xc0\\x9b" },
  { "\xe0\x80\x9b", "\\xe0\\x80\\x9b" },
  { "\xed\xa0\x80", "\\xed\\xa0\\x80" },
  { "\xf4\x90\x80\x80", "\\xf4\\x90\\x80\\x80" },
  { "\xfe\xff", "\\xfe\\xff" },
};

/* Each case through printable, and printable_n with room to spare. */
static void
test_cases (void)
{
  char buf[256];
  for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
    const char *in = cases[k][0], *want = cases[k][1];
    char *got = printable (in);
    if (strcmp (got, want) != 0
        || strcmp (printable_n (buf, sizeof buf, in, strlen (in)), want) != 0) {
      fprintf (stderr, "case %zu: wanted %s\n", k, want);
      check_failures++;
    }
    free (got);
  }
}

/* printable_n: only LEN bytes; whole escapes and characters only. */
static void
test_bounds (void)
{
  char buf[16];
  CHECK_STR (printable_n (buf, sizeof buf, "first\nsecond", 5), "first");
  CHECK_STR (printable_n (buf, sizeof buf, "ab", 10), "ab");
  /* a character cut by LEN is not a character */
  CHECK_STR (printable_n (buf, sizeof buf, "\xc3\xa9", 1), "\\xc3");
  CHECK_STR (printable_n (buf, 1, "abc", 3), "");
  CHECK_STR (printable_n (buf, 4, "abcdef", 6), "abc");
  CHECK_STR (printable_n (buf, 6, "\x1b\x1b", 2), "\\x1b");
  CHECK_STR (printable_n (buf, 5, "\x1b", 1), "\\x1b");
  CHECK_STR (printable_n (buf, 4, "\x1b", 1), "");
  /* a, two backslashes: room for the first's escape only */
  CHECK_STR (printable_n (buf, 4, "a\\\\", 3), "a\\\\");
  CHECK_STR (printable_n (buf, 3, "a\\", 2), "a");
  CHECK_STR (printable_n (buf, 3, "a\xe2\x82\xac", 4), "a");
  CHECK_STR (printable_n (buf, 5, "a\xe2\x82\xac", 4), "a\xe2\x82\xac");
}

/* 64 KiB, every other byte an ESC: each escape four bytes, nothing
 * lost or cut. */
static void
test_long (void)
{
  size_t n = 65536, at = 0;
  char *s = malloc (n + 1), *want = malloc (5 * n / 2 + 1);
  CHECK (s && want);
  if (!s || !want)
    return;
  for (size_t k = 0; k < n; k++) {
    const char *e = k % 2 ? "\\x1b" : "a";
    s[k] = k % 2 ? '\x1b' : 'a';
    memcpy (want + at, e, strlen (e));
    at += strlen (e);
  }
  s[n] = '\0';
  want[at] = '\0';
  char *got = printable (s);
  CHECK (strlen (got) == 5 * n / 2);
  CHECK (strcmp (got, want) == 0);
  free (got);
  free (s);
  free (want);
}

int
main (void)
{
  test_cases ();
  test_bounds ();
  test_long ();
  return CHECK_DONE ();
}
