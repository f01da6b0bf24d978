/* confine-landlock.c: confine_landlock (see confine.h), Landlock's part of
 * the confinement: which files a program may open, that it may not use
 * TCP, and (where the kernel scopes them) that it may not signal or reach
 * through abstract sockets anything outside its own domain.
 *
 * Why these raw calls: glibc has no wrappers, and Debian 12's headers
 * stop at Landlock's second ABI while the kernels imgmount runs on go
 * further; the attribute structure may grow, and the kernel takes a
 * larger one whose extra fields are zero. */
#include <errno.h>
#include <fcntl.h>
#include <linux/landlock.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "backend-select/hv/confine.h"

#ifndef SYS_landlock_create_ruleset
#define SYS_landlock_create_ruleset 444
#define SYS_landlock_add_rule 445
#define SYS_landlock_restrict_self 446
#endif

/* Filesystem rights by the ABI that brought them. */
#define FS_ABI1 ((1ull << 13) - 1)          /* EXECUTE ... MAKE_SYM */
#define FS_REFER (1ull << 13)               /* ABI 2 */
#define FS_TRUNCATE (1ull << 14)            /* ABI 3 */
#define FS_IOCTL_DEV (1ull << 15)           /* ABI 5 */
#define NET_BIND_TCP (1ull << 0)            /* ABI 4 */
#define NET_CONNECT_TCP (1ull << 1)
#define SCOPE_ABSTRACT_UNIX (1ull << 0)     /* ABI 6 */
#define SCOPE_SIGNAL (1ull << 1)

#define R_EXEC (1ull << 0)
#define W_FILE (1ull << 1)
#define R_FILE (1ull << 2)
#define R_DIR (1ull << 3)
#define REMOVE_FILE (1ull << 5)

struct ruleset_attr {
  uint64_t handled_access_fs;
  uint64_t handled_access_net;
  uint64_t scoped;
};

struct path_beneath {
  uint64_t allowed_access;
  int32_t parent_fd;
} __attribute__ ((packed));

int
confine_landlock_abi (void)
{
  long abi = syscall (SYS_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);
  return abi < 0 ? 0 : (int) abi;
}

static uint64_t
fs_rights (int abi)
{
  return FS_ABI1 | (abi >= 2 ? FS_REFER : 0) | (abi >= 3 ? FS_TRUNCATE : 0) |
         (abi >= 5 ? FS_IOCTL_DEV : 0);
}

/* What ACCESS (CONFINE_*) grants on a directory, or on a file (the rights
 * Landlock lets a rule on a file carry). */
static uint64_t
rights_of (unsigned access, bool dir, uint64_t handled)
{
  uint64_t r = 0;
  switch (access) {
  case CONFINE_READ: r = R_FILE | R_DIR; break;
  case CONFINE_EXEC: r = R_FILE | R_DIR | R_EXEC; break;
  case CONFINE_WRITE: r = R_FILE | R_DIR | W_FILE | FS_TRUNCATE; break;
  case CONFINE_ALL: r = handled; break;
  case CONFINE_REMOVE: r = REMOVE_FILE; break;
  }
  if (!dir)
    r &= R_EXEC | W_FILE | R_FILE | FS_TRUNCATE | FS_IOCTL_DEV;
  return r & handled;
}

/* The system's programs and libraries, which every confined program
 * needs to be exec'd at all; nothing there is the user's. */
static const struct confine_path system_paths[] = {
  { "/usr", CONFINE_EXEC }, { "/lib", CONFINE_EXEC }, { "/lib64", CONFINE_EXEC },
  { "/bin", CONFINE_EXEC }, { "/sbin", CONFINE_EXEC },
  { "/etc/ld.so.cache", CONFINE_READ },
  { "/dev/null", CONFINE_WRITE }, { "/dev/zero", CONFINE_READ },
  { "/dev/urandom", CONFINE_READ }, { "/dev/random", CONFINE_READ },
};

/* Adds a rule for PATH; a path that does not exist is left out. */
static int
add_path (int ruleset, const struct confine_path *p, uint64_t handled)
{
  int fd = open (p->path, O_PATH | O_CLOEXEC);
  if (fd < 0)
    return errno == ENOENT || errno == ENOTDIR ? 0 : -1;
  struct stat st;
  struct path_beneath pb = { .parent_fd = fd };
  int r = fstat (fd, &st);
  if (r == 0) {
    pb.allowed_access = rights_of (p->access, S_ISDIR (st.st_mode), handled);
    r = syscall (SYS_landlock_add_rule, ruleset, LANDLOCK_RULE_PATH_BENEATH, &pb, 0) == 0 ? 0 : -1;
  }
  int e = errno;
  close (fd);
  errno = e;
  return r;
}

int
confine_landlock_ruleset (const struct confine_path *paths, size_t n, bool scope_signals)
{
  int abi = confine_landlock_abi ();
  if (abi < 1) {
    errno = ENOSYS;
    return -1;
  }
  struct ruleset_attr attr = {
    .handled_access_fs = fs_rights (abi),
    .handled_access_net = abi >= 4 ? NET_BIND_TCP | NET_CONNECT_TCP : 0,
    .scoped = abi >= 6 ? SCOPE_ABSTRACT_UNIX | (scope_signals ? SCOPE_SIGNAL : 0) : 0,
  };
  int ruleset = (int) syscall (SYS_landlock_create_ruleset, &attr, sizeof attr, 0);
  if (ruleset < 0)
    return -1;
  int r = 0;
  for (size_t k = 0; r == 0 && k < sizeof system_paths / sizeof *system_paths; k++)
    r = add_path (ruleset, &system_paths[k], attr.handled_access_fs);
  for (size_t k = 0; r == 0 && k < n; k++)
    if (paths[k].path)
      r = add_path (ruleset, &paths[k], attr.handled_access_fs);
  if (r == 0)
    return ruleset;
  int e = errno;
  close (ruleset);
  errno = e;
  return -1;
}

int
confine_landlock_apply (int ruleset)
{
  /* restrict_self needs no new privileges (or CAP_SYS_ADMIN): set here
   * too, for a caller that has not.  Both are the calling thread's. */
  if (prctl (PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1)
    return -1;
  return syscall (SYS_landlock_restrict_self, ruleset, 0) == 0 ? 0 : -1;
}

int
confine_landlock (const struct confine_path *paths, size_t n)
{
  if (confine_landlock_abi () < 1)
    return 1;
  int ruleset = confine_landlock_ruleset (paths, n, true);
  if (ruleset < 0)
    return -1;
  int r = confine_landlock_apply (ruleset);
  int e = errno;
  close (ruleset);
  errno = e;
  return r;
}
