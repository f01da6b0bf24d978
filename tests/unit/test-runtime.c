/* test-runtime.c: runtime.c finding a mount in mountinfo, with escaped names
 * and stacking. */
#include <stdlib.h>
#include <unistd.h>
#include "mount/runtime.h"
#include "check.h"

int
main (void)
{
  char path[] = "/tmp/test-mountinfo-XXXXXX";
  int fd = mkstemp (path);
  FILE *fp = fdopen (fd, "w");
  fprintf (fp,
    "22 1 0:21 / /proc rw,nosuid - proc proc rw\n"
    "40 22 0:50 / /mnt/a\\040b rw,nosuid shared:1 - fuse.imgmount /x.img rw\n"
    "41 1 0:51 / /mnt/c rw - fuse.sshfs host: rw\n"
    "42 1 0:52 / /mnt/c rw - fuse.imgmount /y.img rw\n");
  fclose (fp);

  unsigned maj, min;
  char *type = NULL;
  CHECK (mountinfo_find (path, "/mnt/a b", &maj, &min, &type) == 1);
  CHECK (maj == 0 && min == 50);
  CHECK_STR (type, "fuse.imgmount");
  CHECK (mountinfo_find (path, "/mnt/c", &maj, &min, &type) == 1);
  CHECK (min == 52);                 /* the one on top */
  CHECK_STR (type, "fuse.imgmount");
  CHECK (mountinfo_find (path, "/mnt/none", &maj, &min, &type) == 0);
  CHECK (mountinfo_find ("/nonexistent/mountinfo", "/", &maj, &min, NULL) == -1);
  free (type);
  unlink (path);
  return CHECK_DONE ();
}
