/* model.c: the expected state of a soak worker's files; see model.h. */
#include <stdlib.h>
#include <string.h>
#include "model.h"

static void *
xrealloc (void *p, size_t n)
{
  p = realloc (p, n ? n : 1);
  if (!p)
    abort ();
  return p;
}

static char *
xstrdup (const char *s)
{
  char *d = strdup (s);
  if (!d)
    abort ();
  return d;
}

struct entry *
model_add (struct model *m, const char *path, bool dir)
{
  if (m->n == m->cap) {
    m->cap = m->cap ? m->cap * 2 : 16;
    m->e = xrealloc (m->e, m->cap * sizeof *m->e);
  }
  struct entry *e = calloc (1, sizeof *e);
  if (!e)
    abort ();
  e->path = xstrdup (path);
  e->dir = dir;
  e->fd = -1;
  m->e[m->n++] = e;
  return e;
}

struct entry *
model_find (const struct model *m, const char *path)
{
  for (size_t k = 0; k < m->n; k++)
    if (m->e[k]->path && strcmp (m->e[k]->path, path) == 0)
      return m->e[k];
  return NULL;
}

void
model_remove (struct model *m, struct entry *e)
{
  for (size_t k = 0; k < m->n; k++)
    if (m->e[k] == e) {
      m->e[k] = m->e[--m->n];
      break;
    }
  free (e->path);
  free (e->data);
  free (e);
}

void
model_free (struct model *m)
{
  while (m->n)
    model_remove (m, m->e[0]);
  free (m->e);
  memset (m, 0, sizeof *m);
}

static void
reserve (struct entry *e, size_t size)
{
  if (size <= e->cap)
    return;
  size_t cap = e->cap ? e->cap : 4096;
  while (cap < size)
    cap *= 2;
  e->data = xrealloc (e->data, cap);
  e->cap = cap;
}

void
model_resize (struct entry *e, size_t size)
{
  reserve (e, size);
  if (size > e->size)
    memset (e->data + e->size, 0, size - e->size);
  e->size = size;
}

void
model_write (struct entry *e, const void *buf, size_t len, size_t off)
{
  if (off + len > e->size)
    model_resize (e, off + len);
  memcpy (e->data + off, buf, len);
}

bool
model_is_child (const char *dir, const char *path)
{
  size_t n = strlen (dir);
  if (n == 0)
    return strchr (path, '/') == NULL;
  return strncmp (path, dir, n) == 0 && path[n] == '/' && !strchr (path + n + 1, '/');
}

size_t
model_count_children (const struct model *m, const char *dir)
{
  size_t count = 0;
  for (size_t k = 0; k < m->n; k++)
    if (m->e[k]->path && model_is_child (dir, m->e[k]->path))
      count++;
  return count;
}

void
model_rename (struct model *m, const char *from, const char *to)
{
  size_t n = strlen (from);
  for (size_t k = 0; k < m->n; k++) {
    char *p = m->e[k]->path;
    if (!p || strncmp (p, from, n) != 0 || (p[n] != '\0' && p[n] != '/'))
      continue;
    char *renamed = xrealloc (NULL, strlen (to) + strlen (p + n) + 1);
    strcpy (renamed, to);
    strcat (renamed, p + n);
    free (p);
    m->e[k]->path = renamed;
  }
}
