/* model.h: what a soak worker expects its files and directories to hold.
 * Every read, stat and readdir of the mount is checked against it. */
#ifndef SOAK_MODEL_H
#define SOAK_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct entry {
  char *path;            /* relative to the soak directory; NULL once the
                            file lost its name while still open */
  bool dir;
  unsigned char *data;   /* a file's expected contents */
  size_t size, cap;
  int fd;                /* an open descriptor, -1 when closed */
  mode_t perm;           /* permission bits set by the last chmod; 0:
                            none yet, not checked */
};

struct model {
  struct entry **e;
  size_t n, cap;
};

struct entry *model_add (struct model *m, const char *path, bool dir);
struct entry *model_find (const struct model *m, const char *path);
/* Forgets E (closing nothing: its descriptor is the caller's). */
void model_remove (struct model *m, struct entry *e);
void model_free (struct model *m);

/* Sets the file's size, zero-filling what grows, as ftruncate does. */
void model_resize (struct entry *e, size_t size);
/* Records a write of LEN bytes at OFF, holes reading as zeros. */
void model_write (struct entry *e, const void *buf, size_t len, size_t off);

/* The named entries directly inside DIR ("" for the soak directory). */
size_t model_count_children (const struct model *m, const char *dir);
bool model_is_child (const char *dir, const char *path);
/* Renames PATH and, for a directory, everything below it. */
void model_rename (struct model *m, const char *from, const char *to);

#endif
