/* confine-netns.c: see confine_own_network in confine.h.  Apart from
 * confine.c because imgmount itself also asks whether the kernel lets it
 * (for -v and --sandbox=strict), and imgmount does not link libseccomp. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "backend-select/hv/confine.h"

/* Writes TEXT to /proc/self/FILE. */
static int
write_proc_self (const char *file, const char *text)
{
  char path[64];
  snprintf (path, sizeof path, "/proc/self/%s", file);
  int fd = open (path, O_WRONLY | O_CLOEXEC);
  if (fd == -1)
    return -1;
  ssize_t len = (ssize_t) strlen (text);
  int r = write (fd, text, (size_t) len) == len ? 0 : -1;
  int e = errno;
  close (fd);
  errno = e;
  return r;
}

int
confine_map_ids (uid_t uid, gid_t gid)
{
  /* Unmapped, the ids read as the overflow id and new files cannot be made;
   * setgroups must be off before a gid map is written by an unprivileged
   * process (user_namespaces(7)).  The supplementary groups still count. */
  char map[64];
  snprintf (map, sizeof map, "%u %u 1\n", (unsigned) gid, (unsigned) gid);
  if (write_proc_self ("setgroups", "deny") == -1 || write_proc_self ("gid_map", map) == -1)
    return -1;
  snprintf (map, sizeof map, "%u %u 1\n", (unsigned) uid, (unsigned) uid);
  return write_proc_self ("uid_map", map);
}

int
confine_own_network (void)
{
  uid_t uid = geteuid ();
  gid_t gid = getegid ();
  if (uid == 0)
    return unshare (CLONE_NEWNET);
  if (unshare (CLONE_NEWUSER | CLONE_NEWNET) == -1)
    return -1;
  return confine_map_ids (uid, gid);
}

int
confine_own_network_works (void)
{
  pid_t pid = fork ();
  if (pid == 0)
    _exit (confine_own_network () == 0 ? 0 : 1);
  int status;
  if (pid == -1 || waitpid (pid, &status, 0) != pid)
    return 0;
  return WIFEXITED (status) && WEXITSTATUS (status) == 0;
}
