/* test-remove-tree.c: a nested tree goes, and a symbolic link inside it
 * (to a directory outside, and one standing for the tree itself) is
 * removed without what it points to being touched. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include "common/message.h"
#include "common/remove-tree.h"
#include "common/xalloc.h"
#include "check.h"

static void
touch (const char *path)
{
  int fd = open (path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
  CHECK (fd >= 0);
  close (fd);
}

static int
exists (const char *path)
{
  struct stat st;
  return lstat (path, &st) == 0;
}

int
main (void)
{
  const char *tmp = getenv ("TMPDIR");
  char *top = xasprintf ("%s/remove-tree.XXXXXX", tmp && *tmp ? tmp : "/tmp");
  CHECK (mkdtemp (top) != NULL);
  char *tree = xasprintf ("%s/tree", top), *outside = xasprintf ("%s/outside", top);
  char *deep = xasprintf ("%s/a/b/c", tree), *kept = xasprintf ("%s/kept", outside);
  char *p;
  CHECK (mkdir (tree, 0700) == 0 && mkdir (outside, 0700) == 0);
  touch (kept);
  CHECK (mkdir (p = xasprintf ("%s/a", tree), 0700) == 0); free (p);
  CHECK (mkdir (p = xasprintf ("%s/a/b", tree), 0700) == 0); free (p);
  CHECK (mkdir (deep, 0500) == 0);   /* read-only and empty: its parent decides */
  touch (p = xasprintf ("%s/a/file", tree)); free (p);
  CHECK (symlink (outside, p = xasprintf ("%s/a/b/to-outside", tree)) == 0); free (p);
  CHECK (symlink (outside, p = xasprintf ("%s/link-top", top)) == 0);

  CHECK (remove_tree (tree) == 0);
  CHECK (!exists (tree));
  CHECK (exists (kept));

  /* A link given as the path is removed, not followed. */
  CHECK (remove_tree (p) == 0);
  CHECK (!exists (p) && exists (kept));
  free (p);

  errno = 0;
  CHECK (remove_tree (tree) == -1 && errno == ENOENT);

  CHECK (remove_tree (top) == 0 && !exists (top));
  free (top); free (tree); free (outside); free (deep); free (kept);
  return CHECK_DONE ();
}
