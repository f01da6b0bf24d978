/* printable.h: making a string from the image or the appliance safe to
 * print on a terminal line.  Such a string is attacker input: a label,
 * a device name or an error message could otherwise carry escape
 * sequences that rewrite the screen, retitle the window or answer back
 * into the terminal's input, a carriage return that hides what came
 * before, or a tab that shifts a column. */
#ifndef IMGMOUNT_PRINTABLE_H
#define IMGMOUNT_PRINTABLE_H

#include <stddef.h>

/* Length of the valid UTF-8 sequence at S (1 for an ASCII byte), or 0:
 * not a lead byte, a continuation missing (a NUL ends S), an overlong
 * form, a surrogate, or past U+10FFFF. */
size_t utf8_length (const unsigned char *s);

/* Writes to BUF (SIZE bytes, at least 1) the first LEN bytes of S, or
 * those before its NUL, escaped: a backslash as \\, and as \xHH every
 * byte that is not printable ASCII nor part of a valid UTF-8 character
 * at U+00A0 or above (so C0 controls, DEL, the C1 controls U+0080 to
 * U+009F, and invalid UTF-8).  Stops before an escape or a character
 * that would not fit whole, and always ends BUF with a NUL.  Returns BUF. */
char *printable_n (char *buf, size_t size, const char *s, size_t len);

/* All of S escaped as printable_n does, in a malloc'd string.  Aborts
 * when out of memory. */
char *printable (const char *s);

#endif
