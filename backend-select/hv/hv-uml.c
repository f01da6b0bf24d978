/* hv-uml.c: imgmount-hv on User-Mode Linux.
 *
 * libguestfs launches "qemu" with the UML appliance (built by
 * backend-select/appliance/appliance.c) as kernel and initrd; this turns
 * that command line into a linux.uml one:
 *   -m N                      mem=NM
 *   -drive file=F,id=hdN      ubdNd=dN: a raw image as plain data, so that
 *                             a COW header inside an untrusted image can
 *                             never make UML open a host file it names;
 *                             read-only mounts put a COW file of our own in
 *                             front;
 *                             --cache=none, or a format other than raw: a
 *                             vhost-user disk served by qemu-storage-daemon
 *                             (hv-qsd.c) in that format, with the backing
 *                             chain imgmount checked, with O_DIRECT under
 *                             --cache=none, read-only under a scratch
 *                             overlay for read-only mounts
 *   -drive ...,id=appliance   ubdN=cowN,dN (the root stays pristine)
 *   -drive file.driver=qcow2, libguestfs's own read-only overlay (guestfish
 *     file.file.filename=O    --ro, add_drive_ro): ubdN=cowN,dN of the raw
 *                             image O's header names, as for read-only
 *                             mounts (UML reads no qcow2)
 * where dN is a symbolic link to the disk in our temporary directory, UML's
 * working directory: supermin in the appliance reads at most 1023 bytes of
 * the kernel command line, so every name on it must stay short whatever
 * the image's path (a cut-off root=UUID= panics the appliance, and UML,
 * the first process of its PID namespace, then spins instead of dying).
 *   -chardev socket,path=P    guestfsd's virtio-serial channel, through a
 *                             vhost-user console device (hv-console.c);
 *                             imgmount-agent's channel, when imgmount
 *                             listens for one, through a second such device
 *   -serial stdio             the console on ttyS0, to libguestfs's console
 * UML runs as the first process of a PID namespace of its own, so that
 * nothing it starts can outlive it, and dies with this process. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "backend-select/hv/block-node.h"
#include "backend-select/hv/confine.h"
#include "backend-select/hv/drive-spec.h"
#include "backend-select/hv/hv.h"
#include "backend-select/hv/hv-console.h"
#include "backend-select/hv/hv-env.h"
#include "backend-select/hv/hv-qsd.h"
#include "backend-select/hv/uml-memdir.h"
#include "common/agent-protocol.h"
#include "common/cleanup.h"
#include "common/clock.h"
#include "common/message.h"
#include "common/parent-death.h"
#include "common/xalloc.h"
#include "image/image-refs.h"

#define MAX_ARGS 256
#define STOP_GRACE_S 5.0
/* What supermin's init reads of /proc/cmdline (a 1024-byte buffer that
 * also takes the newline). */
#define UML_COMMAND_LINE_MAX 1022

/* The UML command line, and the host files it names, which are all UML
 * may open (confine_landlock); it owns every string in both. */
struct uml_cmd {
  char *argv[MAX_ARGS];
  int argc;
  struct confine_path files[MAX_ARGS];
  int n_files;
  char *memdir;       /* where UML keeps the file of its memory, or NULL */
};

/* Lets UML reach FILE (a malloc'd string the command then owns). */
static void
allow (struct uml_cmd *cmd, char *file, enum confine_access access)
{
  if (cmd->n_files >= MAX_ARGS) {
    error_print ("uml: too many files");
    exit (1);
  }
  cmd->files[cmd->n_files++] = (struct confine_path) { file, access };
}

/* Appends ARG, a malloc'd string the command then owns. */
static void
add_arg (struct uml_cmd *cmd, char *arg)
{
  if (cmd->argc >= MAX_ARGS - 1) {
    error_print ("uml: too many arguments");
    exit (1);
  }
  cmd->argv[cmd->argc++] = arg;
  cmd->argv[cmd->argc] = NULL;
}

static void
add_copy (struct uml_cmd *cmd, const char *arg)
{
  add_arg (cmd, xstrdup (arg));
}

static void
uml_cmd_free (struct uml_cmd *cmd)
{
  for (int k = 0; k < cmd->argc; k++)
    free (cmd->argv[k]);
  cmd->argc = 0;
  for (int k = 0; k < cmd->n_files; k++)
    free ((char *) cmd->files[k].path);
  cmd->n_files = 0;
  if (cmd->memdir)
    rmdir (cmd->memdir);   /* UML removes its file once it has it open */
  free (cmd->memdir);
  cmd->memdir = NULL;
}

static const char *
arg_value (int argc, char **argv, const char *name)
{
  for (int i = 1; i + 1 < argc; i++)
    if (strcmp (argv[i], name) == 0)
      return argv[i + 1];
  return NULL;
}

/* Makes TMPDIR/dN a symbolic link to FILE (made absolute: UML runs in
 * TMPDIR), so that the command line can name it "dN", and lets UML open
 * FILE for reading, and writing unless it is under a COW file. */
static int
link_disk (struct uml_cmd *cmd, const char *tmpdir, int n, const char *file, bool cow)
{
  char *target = realpath (file, NULL);
  char *link = xasprintf ("%s/d%d", tmpdir, n);
  int r = target ? symlink (target, link) : -1;
  if (r == -1) {
    error_print ("uml: %s: %s", file, strerror (errno));
    free (target);
  } else
    allow (cmd, target, cow ? CONFINE_READ : CONFINE_WRITE);
  free (link);
  return r;
}

/* The image behind libguestfs's read-only overlay in SPEC (malloc'd), or
 * NULL with a message: only a raw disk, which is what libguestfs writes
 * for a raw drive. */
static char *
overlay_backing (const char *spec)
{
  struct image_header hdr;
  AUTO_FREE char *overlay = NULL;
  if (hv_overlay_header (spec, &overlay, &hdr) == -1)
    return NULL;
  if (hdr.backing[0] != '/' || strcmp (hdr.backing_format, "raw") != 0 ||
      hdr.other != IMAGE_OTHER_NONE) {
    error_print ("uml: read-only drive %s: format %s is not supported on UML "
                 "yet; add it as raw (--format=raw), or use qemu",
                 *hdr.backing ? hdr.backing : overlay,
                 *hdr.backing_format ? hdr.backing_format : "(probed)");
    return NULL;
  }
  return xstrdup (hdr.backing);
}

static bool
is_user_disk (const char *id)
{
  return id && strncmp (id, "hd", 2) == 0;
}

/* Whether the user's disks go to qemu-storage-daemon (all of them:
 * guestfsd names ubd disks before virtio ones): under --cache=none, and
 * when any is in a format other than raw, which ubd cannot read. */
static bool
disks_to_qsd (int argc, char **argv, const char *cache)
{
  if (cache && strcmp (cache, "none") == 0)
    return true;
  bool any = false;
  for (int i = 1; i + 1 < argc && !any; i++) {
    if (strcmp (argv[i], "-drive") != 0)
      continue;
    AUTO_FREE char *id = drive_spec_get (argv[i + 1], "id");
    AUTO_FREE char *file = drive_spec_get (argv[i + 1], "file");
    AUTO_FREE char *format = drive_spec_get (argv[i + 1], "format");
    any = file && is_user_disk (id) && format && strcmp (format, "raw") != 0;
  }
  return any;
}

/* One -drive becomes one ubd device, numbered in command-line order, so
 * the user's disks are /dev/sda... in the appliance and its root is last;
 * or, when QSD is given, the user's disks go to qemu-storage-daemon, in
 * their format, with the backing chain imgmount checked, and read-only
 * ones under an overlay (hv-qsd.h). */
static int
add_drive (struct uml_cmd *cmd, int *n, const char *spec, const char *tmpdir, int readonly,
           struct qsd *qsd, const char *cache)
{
  char *file = drive_spec_get (spec, "file");
  bool overlaid = !file;
  if (overlaid)
    file = overlay_backing (spec);
  char *id = drive_spec_get (spec, "id");
  char *format = drive_spec_get (spec, "format");
  char *snapshot = drive_spec_get (spec, "snapshot");
  bool snapshotted = overlaid || (snapshot && strcmp (snapshot, "on") == 0) ||
                     (readonly && is_user_disk (id));
  int r = 0;
  if (!file || !id)
    r = -1;
  else if (qsd && !overlaid && is_user_disk (id)) {
    struct block_node node = {
      .format = format ? format : "raw", .file = file, .backing = hv_backing_node (id),
      .cache = snapshotted ? NULL : cache,
    };
    if (qsd_add_disk (qsd, &node, snapshotted, tmpdir) == -1) {
      error_print ("uml: too many disks");
      r = -1;
    } else
      /* 2 is the virtio block device id. */
      add_arg (cmd, xasprintf ("virtio_uml.device=%s:2", qsd->sockets[qsd->n_disks - 1]));
  } else if (format && strcmp (format, "raw") != 0) {
    error_print ("uml: %s: format %s is not supported on UML here; "
                 "use --backend=tcg", file, format);
    r = -1;
  } else if (snapshotted) {
    r = link_disk (cmd, tmpdir, *n, file, true);
    add_arg (cmd, xasprintf ("ubd%d=cow%d,d%d", *n, *n, *n));
    ++*n;
  } else {
    r = link_disk (cmd, tmpdir, *n, file, false);
    add_arg (cmd, xasprintf ("ubd%dd=d%d", *n, *n));
    ++*n;
  }
  free (file);
  free (id);
  free (format);
  free (snapshot);
  return r;
}

static int
build_command (struct uml_cmd *cmd, int argc, char **argv, const char *tmpdir,
               struct qsd *qsd, const struct hv_console *consoles, int n_consoles)
{
  const char *kernel = arg_value (argc, argv, "-kernel");
  const char *initrd = arg_value (argc, argv, "-initrd");
  const char *mem = arg_value (argc, argv, "-m");
  const char *append = arg_value (argc, argv, "-append");
  const char *readonly = getenv (HV_ENV_READONLY);
  if (!kernel || !initrd) {
    error_print ("uml: the launch command has no -kernel or -initrd");
    return -1;
  }
  add_copy (cmd, kernel);
  add_arg (cmd, xasprintf ("mem=%sM", mem ? mem : "768"));
  add_arg (cmd, xasprintf ("initrd=%s", initrd));
  allow (cmd, xstrdup (kernel), CONFINE_EXEC);
  allow (cmd, xstrdup (initrd), CONFINE_READ);
  allow (cmd, xstrdup (tmpdir), CONFINE_ALL);
  /* Else its memory would be in TMPDIR, on a disk maybe. */
  uml_memdir_sweep ();
  cmd->memdir = uml_memdir_make ();
  if (cmd->memdir)
    allow (cmd, xstrdup (cmd->memdir), CONFINE_ALL);

  const char *cache = getenv (HV_ENV_CACHE);
  if (!disks_to_qsd (argc, argv, cache))
    qsd = NULL;
  int n = 0;
  for (int i = 1; i + 1 < argc; i++)
    if (strcmp (argv[i], "-drive") == 0 &&
        add_drive (cmd, &n, argv[i + 1], tmpdir, readonly && strcmp (readonly, "1") == 0,
                   qsd, cache && *cache ? cache : NULL) == -1)
      return -1;

  /* UML keeps a pid file and a control socket under uml_dir/umid; keep
   * them in our temporary directory instead of ~/.uml. */
  add_arg (cmd, xasprintf ("uml_dir=%s", tmpdir));
  add_copy (cmd, "umid=uml");
  add_copy (cmd, "con=null");
  add_copy (cmd, "ssl=null");
  add_copy (cmd, "ssl0=fd:0,fd:1");
  /* 3 is the virtio console device id. */
  for (int k = 0; k < n_consoles; k++)
    add_arg (cmd, xasprintf ("virtio_uml.device=%s:3", consoles[k].socket));
  if (append) {
    char *copy = xstrdup (append), *save = NULL;
    for (char *w = strtok_r (copy, " ", &save); w; w = strtok_r (NULL, " ", &save))
      add_copy (cmd, w);
    free (copy);
  }
  return 0;
}

static void
remove_tmpdir (const char *tmpdir, int n_files)
{
  static const char *const uml_files[] = { "uml/pid", "uml/mconsole", "uml" };
  for (int n = 0; n < n_files; n++) {
    char *f = xasprintf ("%s/cow%d", tmpdir, n);
    char *d = xasprintf ("%s/d%d", tmpdir, n);
    unlink (f);
    unlink (d);
    free (f);
    free (d);
  }
  for (size_t k = 0; k < ARRAY_SIZE (uml_files); k++) {
    char *f = xasprintf ("%s/%s", tmpdir, uml_files[k]);
    if (unlink (f) == -1)
      rmdir (f);
    free (f);
  }
  rmdir (tmpdir);
}

static volatile sig_atomic_t stop_requested;
static volatile pid_t uml_pid;

static void
on_stop (int sig)
{
  stop_requested = 1;
  if (uml_pid > 0)
    kill (uml_pid, SIGTERM);
}

/* Execs UML in TMPDIR; in a child that dies with its parent, PARENT. */
static void
exec_uml (struct uml_cmd *cmd, const char *tmpdir, pid_t parent)
{
  if (die_with_parent (parent, SIGKILL) == -1)
    _exit (127);
  signal (SIGTERM, SIG_DFL);
  signal (SIGINT, SIG_DFL);
  if (chdir (tmpdir) == -1)
    _exit (127);
  if (setenv ("TMPDIR", cmd->memdir ? cmd->memdir : tmpdir, 1) == -1)
    _exit (127);
  /* The files of its command line and nothing else: in particular no
   * host file through hostfs, which Debian's UML has built in. */
  if (hv_confine ("uml", true, cmd->files, (size_t) cmd->n_files) == -1)
    _exit (127);
  execv (cmd->argv[0], cmd->argv);
  error_print ("uml: %s: %s", cmd->argv[0], strerror (errno));
  _exit (127);
}

/* The first process of UML's PID namespace: starts UML, passes SIGTERM on,
 * reaps, and exits as UML did; its exit then kills whatever UML left in
 * the namespace.  UML is not the namespace's first process itself because
 * the kernel ignores, for that process, every signal it has no handler
 * for: UML calls abort() on some shutdowns, and as PID 1 it then loops in
 * abort() for ever instead of dying. */
static int
namespace_init (struct uml_cmd *cmd, const char *tmpdir)
{
  /* on_stop, inherited from run_uml, forwards SIGTERM to uml_pid: this
   * process's own copy, which now names UML. */
  uml_pid = 0;
  pid_t self = getpid ();
  pid_t uml = fork ();
  if (uml == 0)
    exec_uml (cmd, tmpdir, self);
  if (uml == -1)
    return 1;
  uml_pid = uml;
  if (stop_requested)
    kill (uml, SIGTERM);
  int status;
  for (;;) {
    pid_t r = wait (&status);
    if (r == uml)
      break;
    if (r == -1 && errno != EINTR)
      return 1;
  }
  return WIFEXITED (status) ? WEXITSTATUS (status) : 128 + WTERMSIG (status);
}

/* The length of the kernel command line CMD makes: its arguments after
 * the program, joined by spaces. */
static size_t
command_line_length (const struct uml_cmd *cmd)
{
  size_t len = 0;
  for (int k = 1; k < cmd->argc; k++)
    len += strlen (cmd->argv[k]) + (k > 1);
  return len;
}

/* Runs UML with CMD in TMPDIR until it exits; returns our exit status. */
static int
run_uml (struct uml_cmd *cmd, const char *tmpdir)
{
  size_t len = command_line_length (cmd);
  if (len > UML_COMMAND_LINE_MAX) {
    error_print ("uml: the kernel command line would be %zu bytes, more than "
                 "the appliance reads (%d): too many disks for UML; use --backend=tcg",
                 len, UML_COMMAND_LINE_MAX);
    return 1;
  }
  struct sigaction sa = { .sa_handler = on_stop };
  sigaction (SIGTERM, &sa, NULL);
  sigaction (SIGINT, &sa, NULL);
  /* UML in a new PID namespace: when it ends, so does every helper process
   * it started.  A clone of its own, so that later children of ours (a
   * sanitizer's tracer, say) stay in our namespace.  A user other than
   * root may make one only in a user namespace of its own, where it keeps
   * its ids (its network namespace then comes with hv_confine, inside).
   * Where the kernel refuses, UML shares our PID namespace. */
  pid_t self = getpid ();
  uid_t uid = geteuid ();
  gid_t gid = getegid ();
  long flags = CLONE_NEWPID | (uid != 0 && hv_sandbox () != SANDBOX_OFF ? CLONE_NEWUSER : 0);
  pid_t pid = (pid_t) syscall (SYS_clone, flags | SIGCHLD, NULL, NULL, NULL, NULL);
  if (pid == 0) {
    if (die_with_parent (self, SIGKILL) == -1 ||
        ((flags & CLONE_NEWUSER) && confine_map_ids (uid, gid) == -1))
      _exit (127);
    _exit (namespace_init (cmd, tmpdir));
  }
  if (pid == -1) {             /* no namespaces for us here */
    pid = fork ();
    if (pid == 0)
      exec_uml (cmd, tmpdir, self);
  }
  if (pid == -1) {
    error_print ("uml: fork: %s", strerror (errno));
    return 1;
  }
  uml_pid = pid;
  if (stop_requested)
    kill (pid, SIGTERM);

  /* libguestfs sends SIGTERM only after the guest has synced and unmounted
   * everything, and ubd writes reach the image file synchronously, so a UML
   * that has not exited STOP_GRACE_S later is killed: a safety net (the
   * shutdowns seen to hang were UML looping in abort() as PID 1). */
  int status;
  double stop_deadline = 0;
  for (;;) {
    pid_t r = waitpid (pid, &status, WNOHANG);
    if (r == pid || (r == -1 && errno != EINTR))
      break;
    if (stop_requested && stop_deadline == 0)
      stop_deadline = monotonic_seconds () + STOP_GRACE_S;
    if (stop_deadline > 0 && monotonic_seconds () > stop_deadline) {
      error_print ("uml: still running %.0f s after SIGTERM; killed", STOP_GRACE_S);
      kill (pid, SIGKILL);
      stop_deadline = monotonic_seconds () + 3600;
    }
    struct timespec tick = { 0, 20 * 1000 * 1000 };
    nanosleep (&tick, NULL);
  }
  /* UML answers SIGTERM by exiting with status 1, or by abort(): that is
   * the normal end of an appliance that libguestfs shuts down, not a
   * failure. */
  if (stop_requested)
    return 0;
  if (WIFEXITED (status))
    return WEXITSTATUS (status);
  return 128 + WTERMSIG (status);
}

int
hv_run_uml (int argc, char **argv, const struct hv_channel *channel)
{
  /* Our files go in a directory inside the directory of libguestfs's
   * channel socket, which guestfs_close removes even when this process was
   * killed (and imgmount's run directory remover when imgmount was). */
  char *tmpdir = channel->dir ? xasprintf ("%s/uml.XXXXXX", channel->dir) : NULL;
  if (!tmpdir || !mkdtemp (tmpdir)) {
    error_print ("uml: %s: %s", tmpdir ? tmpdir : "the launch command",
                 tmpdir ? strerror (errno) : "no channel socket");
    free (tmpdir);
    return 1;
  }
  struct uml_cmd cmd = { .argc = 0 };
  struct qsd qsd_disks = { .pid = 0 };
  struct qsd *qsd = &qsd_disks;
  /* guestfsd's port, and imgmount-agent's when imgmount listens for it. */
  struct hv_console consoles[2] = { { .pid = 0 }, { .pid = 0 } };
  char *agent = hv_agent_socket ();
  int n_consoles = agent ? 2 : 1;
  int rc = 1;
  if (hv_console_start (&consoles[0], tmpdir, "console.sock", channel->socket,
                        GUESTFS_PORT_NAME) == 0 &&
      (!agent || hv_console_start (&consoles[1], tmpdir, "agent-console.sock", agent,
                                   AGENT_PORT_NAME) == 0) &&
      build_command (&cmd, argc, argv, tmpdir, qsd, consoles, n_consoles) == 0 &&
      (qsd->n_disks == 0 || qsd_start (qsd) == 0))
    rc = run_uml (&cmd, tmpdir);
  for (int k = 0; k < n_consoles; k++)
    hv_console_stop (&consoles[k]);
  free (agent);
  qsd_stop (qsd);
  remove_tmpdir (tmpdir, MAX_ARGS);
  free (tmpdir);
  uml_cmd_free (&cmd);
  return rc;
}
