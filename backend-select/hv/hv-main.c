/* hv-main.c: imgmount-hv, the hypervisor program imgmount hands to
 * libguestfs (guestfs_set_hv).  libguestfs 1.48 offers no cache=none and
 * no UML backend; its documented seam is the program it runs as qemu.
 * Capability probes go to the real qemu, so libguestfs learns what qemu
 * can do; the launch goes to qemu with the cache mode rewritten, or to UML. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include "common/message.h"
#include "common/xalloc.h"
#include "common/cleanup.h"
#include "image/image-refs.h"
#include "backend-select/hv/confine.h"
#include "backend-select/hv/drive-spec.h"
#include "backend-select/hv/hv.h"
#include "backend-select/hv/hv-env.h"

int
hv_is_launch (int argc, char **argv)
{
  for (int i = 1; i < argc; i++)
    if (strcmp (argv[i], "-kernel") == 0)
      return 1;
  return 0;
}

char *
hv_agent_socket (void)
{
  const char *run_dir = getenv (HV_ENV_RUN_DIR);
  if (!run_dir || !*run_dir)
    return NULL;
  char *path = xasprintf ("%s/%s", run_dir, HV_RUN_DIR_AGENT_SOCKET);
  struct stat st;
  if (lstat (path, &st) == 0 && S_ISSOCK (st.st_mode))
    return path;
  free (path);
  return NULL;
}

const char *
hv_backing_node (const char *id)
{
  char name[64];
  snprintf (name, sizeof name, HV_ENV_BACKING_PREFIX "%s", id);
  const char *node = getenv (name);
  return node && *node ? node : "null";
}

enum sandbox_mode
hv_sandbox (void)
{
  const char *name = getenv (HV_ENV_SANDBOX);
  enum sandbox_mode mode = SANDBOX_ON;
  if (name && *name && sandbox_mode_from_name (name, &mode) == -1)
    mode = SANDBOX_STRICT;     /* a value we do not know: the safe side */
  return mode;
}

int
hv_confine (const char *who, bool seccomp, const struct confine_path *paths, size_t n)
{
  enum sandbox_mode mode = hv_sandbox ();
  if (mode == SANDBOX_OFF)
    return 0;
  /* First: making the namespaces is what the filter and Landlock would
   * not forbid, but nothing after them needs to do. */
  if (confine_own_network () == -1) {
    if (mode == SANDBOX_STRICT) {
      error_print ("%s: --sandbox=strict: no network namespace of its own (%s); not started",
                   who, strerror (errno));
      return -1;
    }
    error_print ("%s: no network namespace of its own (%s); going on without", who,
                 strerror (errno));
  }
  if (seccomp && confine_helper () == -1 && mode == SANDBOX_STRICT) {
    error_print ("%s: --sandbox=strict: no seccomp filter; not started", who);
    return -1;
  }
  int r = confine_landlock (paths, n);
  if (r != 0 && mode == SANDBOX_STRICT) {
    error_print ("%s: --sandbox=strict: no Landlock (%s); not started", who,
                 r == 1 ? "not in this kernel" : strerror (errno));
    return -1;
  }
  if (r == -1)
    error_print ("%s: Landlock: %s; going on without", who, strerror (errno));
  return 0;
}

int
hv_overlay_header (const char *spec, char **overlay, struct image_header *hdr)
{
  AUTO_FREE char *driver = drive_spec_get (spec, "file.driver");
  *overlay = drive_spec_get (spec, "file.file.filename");
  if (!driver || strcmp (driver, "qcow2") != 0 || !*overlay) {
    error_print ("hv: -drive %s: names no file", spec);
    return -1;
  }
  AUTO_FREE char *err = NULL;
  if (image_refs_read_header (*overlay, "qcow2", hdr, &err) == -1) {
    error_print ("hv: libguestfs's read-only overlay %s", err);
    return -1;
  }
  return 0;
}

void
hv_allow_backing_files (struct confine_path *paths, size_t *n, size_t max)
{
  for (int k = 0; k < HV_READ_MAX && *n < max; k++) {
    char name[64];
    snprintf (name, sizeof name, HV_ENV_READ_PREFIX "%d", k);
    const char *file = getenv (name);
    if (file && *file)
      paths[(*n)++] = (struct confine_path) { file, CONFINE_READ };
  }
}

/* The path of the appliance's channel socket in the launch command line
 * ARGV (malloc'd), or NULL. */
static char *
channel_path (int argc, char **argv)
{
  for (int i = 1; i + 1 < argc; i++)
    if (strcmp (argv[i], "-chardev") == 0 && strncmp (argv[i + 1], "socket,", 7) == 0)
      return drive_spec_get (argv[i + 1], "path");
  return NULL;
}

/* Joins imgmount's run directory (see run-dir.h): a shared lock on it,
 * held by this process and whatever it execs or starts (the descriptor
 * is inherited) until the whole appliance has exited, then a link to
 * SOCKET_DIR, the channel socket's directory.  The lock before the link: a
 * remover that finds the link waits for the appliance to end, and one that
 * got there first has removed the directory, so the link fails and we
 * stop.  Returns -1 when imgmount has gone. */
static int
join_run_dir (const char *socket_dir)
{
  const char *run_dir = getenv (HV_ENV_RUN_DIR);
  if (!run_dir || !*run_dir)
    return 0;
  char *link = xasprintf ("%s/%s", run_dir, HV_RUN_DIR_SOCKET_LINK);
  int fd = open (run_dir, O_RDONLY | O_DIRECTORY);
  int r = 0;
  if (fd == -1 || flock (fd, LOCK_SH) == -1)
    r = -1;
  else if (socket_dir)
    r = symlink (socket_dir, link);
  if (r == -1)
    error_print ("%s: %s: imgmount has gone", link, strerror (errno));
  free (link);
  return r;
}

int
main (int argc, char **argv)
{
  const char *mode = getenv (HV_ENV_MODE);
  /* Before anything is started or exec'd: qemu, qemu-storage-daemon,
   * UML and imgmount-console all inherit it. */
  if (argc >= 2 && argc <= 5 && strcmp (argv[1], CONFINE_SELF_TEST_OPTION) == 0)
    return confine_self_test (argc > 2 ? argv[2] : NULL, argc > 3 ? argv[3] : NULL,
                              argc > 4 ? argv[4] : NULL);
  if (hv_sandbox () != SANDBOX_OFF && confine_no_new_privs () == -1 &&
      hv_sandbox () == SANDBOX_STRICT)
    return 1;
  if (!hv_is_launch (argc, argv))
    return hv_run_qemu (argc, argv);
  struct hv_channel channel = { .socket = channel_path (argc, argv) };
  char *slash = channel.socket ? strrchr (channel.socket, '/') : NULL;
  if (slash && slash != channel.socket)
    channel.dir = xasprintf ("%.*s", (int) (slash - channel.socket), channel.socket);
  int rc;
  if (join_run_dir (channel.dir) == -1)
    rc = 1;
  else if (mode && strcmp (mode, "uml") == 0)
    rc = hv_run_uml (argc, argv, &channel);
  else
    rc = hv_run_qemu (argc, argv);
  free (channel.socket);
  free (channel.dir);
  return rc;
}
