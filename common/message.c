/* message.c: building the one-line messages imgmount reports. */
#include <stdarg.h>
#include <errno.h>
#include <stdio.h>
#include "common/message.h"

int
error_set (char **err, const char *fmt, ...)
{
  if (!err)   /* the caller does not want the message */
    return -1;
  va_list ap;
  va_start (ap, fmt);
  if (vasprintf (err, fmt, ap) < 0)
    *err = NULL;
  va_end (ap);
  return -1;
}

void
error_vprint (const char *fmt, va_list ap)
{
  fprintf (stderr, "%s: ", program_invocation_short_name);
  vfprintf (stderr, fmt, ap);
  fputc ('\n', stderr);
}

void
error_print (const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  error_vprint (fmt, ap);
  va_end (ap);
}
