/* test-runtime.c: runtime.c finding a mount in mountinfo, with escaped names
 * and stacking, or by its device; the runtime files' names; the lock
 * file's contents. */
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>
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

  CHECK (mountinfo_has_device (path, 0, 50) == 1);
  CHECK (mountinfo_has_device (path, 0, 52) == 1);
  CHECK (mountinfo_has_device (path, 0, 53) == 0);
  CHECK (mountinfo_has_device (path, 5, 0) == 0);
  CHECK (mountinfo_has_device ("/nonexistent/mountinfo", 0, 50) == -1);
  unlink (path);

  enum runtime_file file;
  CHECK (runtime_parse_name ("0:52.lock", &maj, &min, &file));
  CHECK (maj == 0 && min == 52 && file == RUNTIME_LOCK);
  CHECK (runtime_parse_name ("259:7.waiting", &maj, &min, &file));
  CHECK (maj == 259 && min == 7 && file == RUNTIME_WAITING);
  CHECK (runtime_parse_name ("0:1.status", &maj, &min, &file) && file == RUNTIME_STATUS);
  const char *not_ours[] = { "0:52.lock~", "0:052.lock", "+0:52.lock", "0:52.lockx", "0:52",
                             "0:52.", "x0:52.lock", ".", "..", "0:-1.lock", "0: 52.lock", "" };
  for (size_t k = 0; k < sizeof not_ours / sizeof not_ours[0]; k++)
    CHECK (!runtime_parse_name (not_ours[k], &maj, &min, &file));

  /* The lock file names the daemon and the images it holds. */
  char lock[] = "/tmp/test-lock-XXXXXX", img[] = "/tmp/test-img-XXXXXX";
  int lock_fd = mkstemp (lock), img_fd = mkstemp (img);
  struct stat st;
  CHECK (fstat (img_fd, &st) == 0);
  CHECK (write (lock_fd, "stale contents, longer than the new\n", 36) == 36);
  int fds[] = { lock_fd, img_fd };   /* the lock file stands for a second image */
  CHECK (runtime_write_lock (lock_fd, 4242, fds + 1, 1) == 0);
  bool holds = false;
  CHECK (runtime_read_lock (lock_fd, st.st_dev, st.st_ino, &holds) == 4242 && holds);
  CHECK (runtime_read_lock (lock_fd, st.st_dev, st.st_ino + 1, &holds) == 4242 && !holds);
  CHECK (runtime_read_lock (lock_fd, 0, 0, NULL) == 4242);
  struct stat lock_st;
  CHECK (fstat (lock_fd, &lock_st) == 0);
  CHECK (runtime_write_lock (lock_fd, 17, fds, 2) == 0);
  CHECK (runtime_read_lock (lock_fd, st.st_dev, st.st_ino, &holds) == 17 && holds);
  CHECK (runtime_read_lock (lock_fd, lock_st.st_dev, lock_st.st_ino, &holds) == 17 && holds);
  /* What only the start of a write, or another program, left. */
  const char *broken[] = { "", "12", "x\n", "-3\n", "0\n", "99999999999\n" };
  for (size_t k = 0; k < sizeof broken / sizeof broken[0]; k++) {
    CHECK (ftruncate (lock_fd, 0) == 0);
    CHECK (pwrite (lock_fd, broken[k], strlen (broken[k]), 0) == (ssize_t) strlen (broken[k]));
    holds = true;
    CHECK (runtime_read_lock (lock_fd, st.st_dev, st.st_ino, &holds) == 0 && !holds);
  }
  CHECK (ftruncate (lock_fd, 0) == 0);
  char unfinished[64];   /* no newline after the image */
  int len = snprintf (unfinished, sizeof unfinished, "5\n%ju %ju", (uintmax_t) st.st_dev,
                      (uintmax_t) st.st_ino);
  CHECK (pwrite (lock_fd, unfinished, len, 0) == len);
  CHECK (runtime_read_lock (lock_fd, st.st_dev, st.st_ino, &holds) == 5 && !holds);
  close (lock_fd);
  close (img_fd);
  unlink (lock);
  unlink (img);
  return CHECK_DONE ();
}
