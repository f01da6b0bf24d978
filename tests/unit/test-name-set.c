/* test-name-set.c: the set of a directory's names: adding, removing,
 * growing past its first buckets, and refusing to pass its limit. */
#include <stdio.h>
#include "fsops/name-set.h"
#include "check.h"

int
main (void)
{
  struct name_set *s = nset_new ();
  CHECK (s && nset_count (s) == 0 && !nset_contains (s, "a"));

  CHECK (nset_add (s, "a") && nset_add (s, "a") && nset_count (s) == 1);
  CHECK (nset_contains (s, "a") && !nset_contains (s, "A") && !nset_contains (s, "a "));
  CHECK (nset_add (s, "") && nset_contains (s, ""));   /* whatever the caller passes */
  nset_remove (s, "a");
  nset_remove (s, "never added");
  CHECK (!nset_contains (s, "a") && nset_count (s) == 1);
  nset_remove (s, "");

  /* Many names: every one found after the buckets have doubled a few
   * times, none that was not added, removals exact. */
  char name[32];
  for (int k = 0; k < 5000; k++) {
    snprintf (name, sizeof name, "file-%d", k);
    CHECK (nset_add (s, name));
  }
  CHECK (nset_count (s) == 5000);
  for (int k = 0; k < 5000; k += 2) {
    snprintf (name, sizeof name, "file-%d", k);
    nset_remove (s, name);
  }
  int wrong = 0;
  for (int k = 0; k < 5001; k++) {
    snprintf (name, sizeof name, "file-%d", k);
    wrong += nset_contains (s, name) != (k % 2 == 1 && k < 5000);
  }
  CHECK (wrong == 0 && nset_count (s) == 2500);
  nset_free (s);

  /* Full: a new name is refused and the set is left as it was; a name
   * it has already is still "added". */
  s = nset_new ();
  for (int k = 0; k < NSET_MAX_NAMES; k++) {
    snprintf (name, sizeof name, "%d", k);
    if (!nset_add (s, name))
      wrong++;
  }
  CHECK (wrong == 0);
  CHECK (!nset_add (s, "one more") && !nset_contains (s, "one more"));
  CHECK (nset_add (s, "0") && nset_count (s) == NSET_MAX_NAMES);
  nset_free (s);
  nset_free (NULL);
  return CHECK_DONE ();
}
