/* xalloc.h: allocation that never returns NULL, and the number of
 * elements of an array.  Running out of memory aborts: no caller has a
 * better way on, and a NULL that one of them forgets to check would be
 * worse. */
#ifndef IMGMOUNT_XALLOC_H
#define IMGMOUNT_XALLOC_H

#include <stddef.h>

#define ARRAY_SIZE(a) (sizeof (a) / sizeof (a)[0])

void *xmalloc (size_t size);
void *xcalloc (size_t n, size_t size);
void *xrealloc (void *p, size_t size);
/* reallocarray: N elements of SIZE bytes, the product checked. */
void *xreallocarray (void *p, size_t n, size_t size);
char *xstrdup (const char *s);
char *xstrndup (const char *s, size_t n);
char *xasprintf (const char *fmt, ...) __attribute__ ((format (printf, 1, 2)));

#endif
