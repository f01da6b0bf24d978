/* manifest.h: a sorted listing of a directory tree, one line per entry
 * ("f SIZE HASH PATH" or "d - - PATH"), made either from a soak model or
 * from a real directory, so that the two can be compared with diff(1),
 * e.g. after the image was unmounted and mounted again. */
#ifndef SOAK_MANIFEST_H
#define SOAK_MANIFEST_H

#include <stdint.h>
#include <stdio.h>
#include "model.h"

struct manifest {
  char **lines;
  size_t n, cap;
};

/* FNV-1a, 64 bits, in pieces: start with hash_start (). */
static inline uint64_t hash_start (void) { return 0xcbf29ce484222325ull; }
uint64_t hash_update (uint64_t h, const unsigned char *buf, size_t len);

void manifest_add_model (struct manifest *mf, const struct model *m);
/* Adds everything below DIR.  Returns 0, or -1 with errno set. */
int manifest_add_tree (struct manifest *mf, const char *dir);
/* Sorts and writes the lines, then frees them. */
void manifest_write (struct manifest *mf, FILE *out);

#endif
