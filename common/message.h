/* message.h: building the one-line messages imgmount reports. */
#ifndef IMGMOUNT_MESSAGE_H
#define IMGMOUNT_MESSAGE_H

#include <stdarg.h>

/* Sets *ERR (unless ERR is NULL) to a malloc'd formatted message and
 * returns -1, so that a failing function can end with
 * "return error_set (err, ...);". */
int error_set (char **err, const char *fmt, ...)
  __attribute__ ((format (printf, 2, 3)));

/* Prints "PROGRAM: " (program_invocation_short_name), the message and a
 * newline to stderr: how imgmount's helper programs, which have no
 * caller to hand a message to, report. */
void error_print (const char *fmt, ...) __attribute__ ((format (printf, 1, 2)));

/* error_print with a va_list. */
void error_vprint (const char *fmt, va_list ap) __attribute__ ((format (printf, 1, 0)));

#endif
