/* xalloc.c: allocation that aborts rather than return NULL (see
 * xalloc.h). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "common/xalloc.h"

static void *
checked (void *p)
{
  if (!p)
    abort ();
  return p;
}

void *
xmalloc (size_t size)
{
  return checked (malloc (size));
}

void *
xcalloc (size_t n, size_t size)
{
  return checked (calloc (n, size));
}

void *
xrealloc (void *p, size_t size)
{
  return checked (realloc (p, size));
}

void *
xreallocarray (void *p, size_t n, size_t size)
{
  return checked (reallocarray (p, n, size));
}

char *
xstrdup (const char *s)
{
  return checked (strdup (s));
}

char *
xstrndup (const char *s, size_t n)
{
  return checked (strndup (s, n));
}

char *
xasprintf (const char *fmt, ...)
{
  va_list ap;
  char *s;
  va_start (ap, fmt);
  if (vasprintf (&s, fmt, ap) < 0)
    abort ();
  va_end (ap);
  return s;
}
