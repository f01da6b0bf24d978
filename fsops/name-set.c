/* name-set.c: a hash set of strings, chained, growing by doubling; see the
 * header. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "common/fnv1a.h"
#include "fsops/name-set.h"

struct name_node {
  struct name_node *next;
  uint64_t hash;
  char name[];
};

struct name_set {
  struct name_node **buckets;
  size_t n_buckets;   /* a power of two */
  size_t count;
};

#define INITIAL_BUCKETS 16

struct name_set *
nset_new (void)
{
  struct name_set *s = calloc (1, sizeof *s);
  if (!s)
    return NULL;
  s->buckets = calloc (INITIAL_BUCKETS, sizeof *s->buckets);
  if (!s->buckets) {
    free (s);
    return NULL;
  }
  s->n_buckets = INITIAL_BUCKETS;
  return s;
}

void
nset_free (struct name_set *s)
{
  if (!s)
    return;
  for (size_t b = 0; b < s->n_buckets; b++)
    for (struct name_node *n = s->buckets[b], *next; n; n = next) {
      next = n->next;
      free (n);
    }
  free (s->buckets);
  free (s);
}

/* The link that points at NAME's node, or at the NULL ending its chain. */
static struct name_node **
find_link (const struct name_set *s, const char *name, uint64_t hash)
{
  struct name_node **link = &s->buckets[hash & (s->n_buckets - 1)];
  while (*link && ((*link)->hash != hash || strcmp ((*link)->name, name) != 0))
    link = &(*link)->next;
  return link;
}

/* Doubles the buckets; on failure the set stays as it was, only slower. */
static void
grow (struct name_set *s)
{
  size_t n = s->n_buckets * 2;
  struct name_node **buckets = calloc (n, sizeof *buckets);
  if (!buckets)
    return;
  for (size_t b = 0; b < s->n_buckets; b++)
    for (struct name_node *node = s->buckets[b], *next; node; node = next) {
      next = node->next;
      node->next = buckets[node->hash & (n - 1)];
      buckets[node->hash & (n - 1)] = node;
    }
  free (s->buckets);
  s->buckets = buckets;
  s->n_buckets = n;
}

bool
nset_add (struct name_set *s, const char *name)
{
  uint64_t hash = fnv1a_string (name);
  struct name_node **link = find_link (s, name, hash);
  if (*link)
    return true;
  if (s->count >= NSET_MAX_NAMES)
    return false;
  size_t len = strlen (name);
  struct name_node *node = malloc (sizeof *node + len + 1);
  if (!node)
    return false;
  node->next = NULL;
  node->hash = hash;
  memcpy (node->name, name, len + 1);
  *link = node;
  if (++s->count > s->n_buckets)
    grow (s);
  return true;
}

void
nset_remove (struct name_set *s, const char *name)
{
  struct name_node **link = find_link (s, name, fnv1a_string (name));
  struct name_node *node = *link;
  if (node) {
    *link = node->next;
    free (node);
    s->count--;
  }
}

bool
nset_contains (const struct name_set *s, const char *name)
{
  return *find_link (s, name, fnv1a_string (name)) != NULL;
}

size_t
nset_count (const struct name_set *s)
{
  return s->count;
}
