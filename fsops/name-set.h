/* name-set.h: a set of file names, as one directory holds them.
 *
 * fsops keeps one for a directory whose every name is known (it was made
 * here, or listed whole), so that a lookup of any other name is answered
 * "no such file" without asking the appliance.  A set refuses to grow past
 * NSET_MAX_NAMES: its owner then forgets the directory's names instead. */
#ifndef IMGMOUNT_NAME_SET_H
#define IMGMOUNT_NAME_SET_H

#include <stdbool.h>
#include <stddef.h>

#define NSET_MAX_NAMES 100000

struct name_set;

struct name_set *nset_new (void);
void nset_free (struct name_set *s);

/* Adds NAME (no-op if present).  Returns false if the set is full or
 * memory ran out: the set is then unchanged. */
bool nset_add (struct name_set *s, const char *name);

void nset_remove (struct name_set *s, const char *name);
bool nset_contains (const struct name_set *s, const char *name);
size_t nset_count (const struct name_set *s);

#endif
