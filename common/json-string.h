/* json-string.h: writing a C string as a JSON string literal, for the
 * json: node descriptions handed to qemu. */
#ifndef IMGMOUNT_JSON_STRING_H
#define IMGMOUNT_JSON_STRING_H

#include <stdio.h>

/* Writes S to F in double quotes, escaping quotes, backslashes and control
 * characters; other bytes go through as they are (qemu takes file names
 * as bytes). */
void json_put_string (FILE *f, const char *s);

#endif
