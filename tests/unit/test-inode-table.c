/* test-inode-table.c: node ids, hard links, unlink, rename and freeing. */
#include "fsops/inode-table.h"
#include "check.h"

static int freed;

static void
count_free (struct inode_table *t, struct inode *i)
{
  if (i->data)
    freed++;
}

static char *path_of (struct inode_table *t, struct inode *i) { return itable_path (t, i); }

#define CHECK_PATH(t, i, expected)          \
  do {                                      \
    char *p_ = path_of (t, i);              \
    CHECK_STR (p_, expected);               \
    free (p_);                              \
  } while (0)

static void
test_paths_and_identity (void)
{
  struct inode_table t;
  itable_init (&t, count_free);
  itable_set_root (&t, 1, 2);
  struct inode *root = itable_from_nodeid (&t, 1);
  CHECK (root == &t.root && itable_nodeid (&t, root) == 1);
  CHECK_PATH (&t, root, "/");

  struct inode *dir = itable_lookup (&t, root, "dir", 1, 10);
  struct inode *file = itable_lookup (&t, dir, "file", 1, 11);
  CHECK_PATH (&t, file, "/dir/file");
  CHECK (itable_from_nodeid (&t, itable_nodeid (&t, file)) == file);
  char *cp = itable_child_path (&t, root, "x");
  CHECK_STR (cp, "/x");
  free (cp);
  cp = itable_child_path (&t, dir, "y");
  CHECK_STR (cp, "/dir/y");
  free (cp);

  /* Same (dev, ino) on another device is another file. */
  struct inode *other = itable_lookup (&t, root, "boot", 2, 11);
  CHECK (other != file);

  /* A hard link is the same inode; removing one name keeps the other. */
  struct inode *link = itable_lookup (&t, root, "link", 1, 11);
  CHECK (link == file && file->nlookup == 2);
  itable_unlink (&t, root, "link");
  CHECK_PATH (&t, file, "/dir/file");
  itable_lookup (&t, root, "link", 1, 11);
  itable_unlink (&t, dir, "file");
  CHECK_PATH (&t, file, "/link");
  CHECK (itable_find_child (&t, dir, "file") == NULL);

  /* Its last name gone: the inode lives on for the kernel, nameless, and
   * a new file with the same number gets a fresh inode. */
  itable_unlink (&t, root, "link");
  CHECK (path_of (&t, file) == NULL);
  struct inode *reused = itable_lookup (&t, root, "new", 1, 11);
  CHECK (reused != file);
  itable_destroy (&t);
}

static void
test_rename (void)
{
  struct inode_table t;
  itable_init (&t, NULL);
  struct inode *root = &t.root;
  struct inode *a = itable_lookup (&t, root, "a", 1, 10);
  struct inode *b = itable_lookup (&t, root, "b", 1, 20);
  struct inode *sub = itable_lookup (&t, a, "sub", 1, 11);
  struct inode *leaf = itable_lookup (&t, sub, "leaf", 1, 12);

  /* Moving a directory moves every path below it. */
  itable_rename (&t, root, "a", b, "moved");
  CHECK_PATH (&t, leaf, "/b/moved/sub/leaf");
  CHECK (itable_find_child (&t, root, "a") == NULL);
  CHECK (itable_find_child (&t, b, "moved") == a);

  /* Replacing a target: the old target loses its name. */
  struct inode *victim = itable_lookup (&t, root, "victim", 1, 30);
  itable_rename (&t, sub, "leaf", root, "victim");
  CHECK (itable_find_child (&t, root, "victim") == leaf);
  CHECK (path_of (&t, victim) == NULL);
  CHECK_PATH (&t, leaf, "/victim");

  /* Renaming an unknown name is harmless; to itself a no-op. */
  itable_rename (&t, root, "unknown", root, "x");
  itable_rename (&t, root, "victim", root, "victim");
  CHECK_PATH (&t, leaf, "/victim");

  /* A name now pointing at a different file moves to the new inode. */
  struct inode *fresh = itable_lookup (&t, root, "victim", 1, 99);
  CHECK (fresh != leaf && path_of (&t, leaf) == NULL);
  itable_destroy (&t);
}

/* RENAME_EXCHANGE: each object takes the other's name, paths below a
 * directory follow it; a name the table does not know simply moves the
 * one it knows; nothing is lost or leaked. */
static void
test_exchange (void)
{
  struct inode_table t;
  itable_init (&t, NULL);
  struct inode *root = &t.root;
  struct inode *d = itable_lookup (&t, root, "d", 1, 10);
  struct inode *f = itable_lookup (&t, root, "f", 1, 20);
  struct inode *in = itable_lookup (&t, d, "in", 1, 11);
  struct inode *g = itable_lookup (&t, d, "g", 1, 21);
  itable_exchange (&t, root, "d", root, "f");
  CHECK (itable_find_child (&t, root, "d") == f && itable_find_child (&t, root, "f") == d);
  CHECK_PATH (&t, in, "/f/in");
  itable_exchange (&t, root, "d", d, "g");        /* across directories */
  CHECK_PATH (&t, f, "/f/g");
  CHECK_PATH (&t, g, "/d");
  itable_exchange (&t, root, "unknown", root, "d");
  CHECK (itable_find_child (&t, root, "d") == NULL);
  CHECK_PATH (&t, g, "/unknown");
  itable_exchange (&t, root, "f", root, "f");      /* itself: nothing */
  CHECK_PATH (&t, in, "/f/in");
  /* A directory cannot go below itself: both names are forgotten. */
  itable_exchange (&t, root, "f", d, "in");
  CHECK (itable_find_child (&t, root, "f") == NULL && itable_find_child (&t, d, "in") == NULL);
  itable_destroy (&t);
}

static void
test_forget_frees (void)
{
  struct inode_table t;
  itable_init (&t, count_free);
  struct inode *root = &t.root;
  struct inode *dir = itable_lookup (&t, root, "d", 1, 10);
  struct inode *f = itable_lookup (&t, dir, "f", 1, 11);
  dir->data = f->data = (void *) 1;
  freed = 0;

  /* The directory stays while a child names it. */
  itable_forget (&t, dir, 1);
  CHECK (freed == 0);
  CHECK_PATH (&t, f, "/d/f");
  itable_forget (&t, f, 1);
  CHECK (freed == 2);
  CHECK (itable_find_child (&t, root, "d") == NULL);
  CHECK (t.n_inodes == 0 && t.n_dentries == 0);

  /* Many inodes: the tables grow and every path stays right. */
  struct inode *prev = root;
  for (int k = 0; k < 5000; k++) {
    char name[16];
    snprintf (name, sizeof name, "n%d", k);
    struct inode *i = itable_lookup (&t, k % 2 ? root : prev, name, 1, 100 + k);
    if (k % 100 == 0)
      prev = i;
  }
  CHECK (t.n_inodes == 5000 && t.n_buckets >= 4096);
  struct inode *i = itable_find_child (&t, root, "n4999");
  CHECK (i && i->ino == 5099);
  itable_destroy (&t);
}

/* Identities a hostile appliance may give: a directory's own, or one
 * above it, for an entry in it.  Taken, they made a loop of names that
 * itable_path walked forever, and a self-parented inode freed twice. */
static void
test_no_loops (void)
{
  struct inode_table t;
  itable_init (&t, count_free);
  itable_set_root (&t, 1, 2);
  struct inode *root = &t.root;
  struct inode *a = itable_lookup (&t, root, "a", 1, 10);
  struct inode *b = itable_lookup (&t, a, "b", 1, 11);
  CHECK (itable_lookup (&t, a, "self", 1, 10) == NULL);
  CHECK (itable_lookup (&t, b, "up", 1, 10) == NULL);
  CHECK (itable_lookup (&t, b, "root", 1, 2) == NULL);
  CHECK (itable_find_child (&t, a, "self") == NULL && a->nlookup == 1);
  CHECK_PATH (&t, b, "/a/b");
  CHECK (itable_is_at_or_above (&t, a, b) && itable_is_at_or_above (&t, root, b));
  CHECK (!itable_is_at_or_above (&t, b, a));

  /* A rename the kernel would never send (a into its own child): both
   * names are forgotten rather than looped. */
  itable_rename (&t, root, "a", b, "a2");
  CHECK (itable_find_child (&t, root, "a") == NULL && itable_find_child (&t, b, "a2") == NULL);

  /* Directories the appliance gave several names can still close a loop
 * when a first name goes: then no path, rather than an endless walk. */
  struct inode *x = itable_lookup (&t, root, "X", 1, 20);
  struct inode *c = itable_lookup (&t, root, "C", 1, 23);
  struct inode *d = itable_lookup (&t, root, "A", 1, 24);
  CHECK (itable_lookup (&t, d, "x", 1, 20) == x);   /* X also /A/x */
  CHECK (itable_lookup (&t, c, "y", 1, 20) == x);   /* and /C/y, its first name now */
  CHECK (itable_lookup (&t, x, "a", 1, 24) == d);   /* A also /C/y/a: not above X */
  itable_unlink (&t, c, "y");                         /* X's first name: /A/x, A's: X/a */
  char *p = itable_path (&t, x);
  CHECK (p == NULL);
  free (p);
  CHECK (itable_lookup (&t, x, "again", 1, 24) == NULL);   /* above, by the loop */
  itable_destroy (&t);
}

int
main (void)
{
  test_paths_and_identity ();
  test_rename ();
  test_exchange ();
  test_forget_frees ();
  test_no_loops ();
  return CHECK_DONE ();
}
