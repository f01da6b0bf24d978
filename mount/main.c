/* main.c: imgmount's entry point and the life of one mount:
 * check the input, start the appliance, mount inside it, mount FUSE on the
 * host, serve, and on the way out write everything back before exiting. */
#include <errno.h>
#include <libgen.h>
#include <signal.h>
#include <fcntl.h>
#include <limits.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <fuse_lowlevel.h>
#include "backend-select/backend.h"
#include "backend-select/appliance/appliance.h"
#include "common/cleanup.h"
#include "common/clock.h"
#include "common/message.h"
#include "common/xalloc.h"
#include "backend-select/watchdog.h"
#include "backend-select/write-errors.h"
#include "fsops/fsops.h"
#include "fsops/guest-calls.h"
#include "mount/daemon.h"
#include "mount/finish.h"
#include "image/image-check.h"
#include "image/image-refs.h"
#include "mount/list.h"
#include "mount/options.h"
#include "mount/progress.h"
#include "mount/runtime.h"
#include "mount/select-fs.h"
#include "mount/unmount.h"
#include "mount/unmounter.h"
#include "mount/confine-daemon.h"
#include "backend-select/run-dir.h"

/* imgmount owns the image while mounted: the kernel may trust what it was
 * told until imgmount itself changes it. */
#define KERNEL_CACHE_TIMEOUT_S 3600.0

static void
error_line (const char *msg)
{
  progress_done ();
  fprintf (stderr, "imgmount: %s\n", msg ? msg : "out of memory");
}

/* Checks the host files each image's header names against --backing, and
 * fills BACKING_NODES with what imgmount-hv tells qemu. */
static int
check_backing_files (const struct options *opts, char **backing_nodes, char **err)
{
  bool used[opts->n_backings + 1];
  memset (used, 0, sizeof used);
  for (size_t k = 0; k < opts->n_images; k++)
    if (image_refs_check (opts->images[k], opts->format, opts->backings, opts->n_backings,
                          used, &backing_nodes[k], err) == -1)
      return -1;
  return image_refs_all_used (opts->backings, opts->n_backings, used, err);
}

/* Locks IMAGE.  When the lock is held by a daemon of ours whose mount has
 * gone (umount(8), fusermount3 -u and systemd return while it writes
 * back), waits for it until DEADLINE_MS, and takes the lock then. */
static int
lock_image (const char *image, bool readonly, int64_t deadline_ms, char **err)
{
  /* Each turn waits for one daemon to end; a few are plenty. */
  for (int turns = 0; turns < 8; turns++) {
    bool busy;
    int fd = image_lock (image, readonly, &busy, err);
    struct stat st;
    if (fd >= 0 || !busy || stat (image, &st) == -1)
      return fd;
    AUTO_FD run_dir = runtime_dir_open (NULL, NULL);
    char *wait_err = NULL;
    int waited = run_dir >= 0 ? finish_previous (run_dir, image, &st, deadline_ms,
                                                 watchdog_call_timeout (), &wait_err) : 0;
    if (waited != 1) {
      if (wait_err) {
        free (*err);
        *err = wait_err;
      }
      return -1;
    }
    free (*err);
    *err = NULL;
  }
  return image_lock (image, readonly, &(bool) { false }, err);
}

/* Checks all host-side input, and locks the images.  Fills IMAGE_FDS and
 * BACKING_NODES (one malloc'd string per image). */
static int
check_input (const struct options *opts, int *image_fds, char **backing_nodes, char **err)
{
  for (size_t k = 0; k < opts->n_images; k++)
    if (image_check (opts->images[k], opts->readonly, err) == -1)
      return -1;
  if (check_backing_files (opts, backing_nodes, err) == -1)
    return -1;
  if (opts->mode == RUN_MOUNT) {
    if (mountpoint_check (opts->mountpoint, opts->nonempty, err) == -1)
      return -1;
    if (access ("/dev/fuse", R_OK | W_OK) == -1)
      return error_set (err, "/dev/fuse: %s; load the fuse module (modprobe fuse) or run where "
                        "FUSE is available", strerror (errno));
  }
  int64_t deadline_ms = monotonic_ms () + (int64_t) (watchdog_call_timeout () * 1000);
  for (size_t k = 0; k < opts->n_images; k++)
    if ((image_fds[k] = lock_image (opts->images[k], opts->readonly, deadline_ms, err)) == -1)
      return -1;
  return 0;
}

static struct backend_request
backend_request_of (const struct options *opts, char *const *backing_nodes, bool readonly)
{
  return (struct backend_request) {
    .kind = opts->backend, .images = opts->images, .n_images = opts->n_images,
    .backing_nodes = backing_nodes, .backings = opts->backings, .n_backings = opts->n_backings,
    .format = opts->format, .readonly = readonly, .verbose = opts->verbose,
    .trace = opts->trace, .cache = opts->cache, .sandbox = opts->sandbox,
    .on_phase = progress_phase,
  };
}

static int
run_list (const struct options *opts)
{
  int image_fds[opts->n_images];
  AUTO_STRINGS char **backing_nodes = xcalloc (opts->n_images + 1, sizeof (char *));
  AUTO_FREE char *err = NULL;
  if (check_input (opts, image_fds, backing_nodes, &err) == -1) {
    error_line (err);
    return 1;
  }
  struct backend_request req = backend_request_of (opts, backing_nodes, true);
  struct backend_info info;
  guestfs_h *g = backend_start (&req, &info, &err);
  if (!g) {
    error_line (err);
    return 1;
  }
  progress_phase ("listing the filesystems");
  int rc = list_filesystems (g, opts->json, &err) == 0 ? 0 : 1;
  progress_done ();
  if (rc)
    error_line (err);
  char *stop_err = NULL;
  backend_end_agent (&info, NULL);   /* a listing needs no file server */
  if (backend_stop (g, &stop_err) == -1 && rc == 0) {
    error_line (stop_err);
    rc = 1;
  }
  free (stop_err);
  return rc;
}

/* "-o fsname=..." takes the image path: escape what libfuse's option
 * parser would split on. */
static char *
escaped_option (const char *prefix, const char *value)
{
  size_t n = strlen (prefix) + 2 * strlen (value) + 1;
  char *s = xmalloc (n), *p = s;
  p = stpcpy (p, prefix);
  for (const char *v = value; *v; v++) {
    if (*v == ',' || *v == '\\')
      *p++ = '\\';
    *p++ = *v;
  }
  *p = '\0';
  return s;
}

static struct fuse_session *
new_session (const struct options *opts, struct fs *fs)
{
  char *fsname = escaped_option ("fsname=", opts->images[0]);
  const char *argv[8 + 2 * opts->n_fuse_opts];
  int argc = 0;
  argv[argc++] = "imgmount";
  argv[argc++] = "-o";
  argv[argc++] = fsname;
  argv[argc++] = "-o";
  /* Permissions are checked as on a local filesystem: without it,
   * allow_other would let anyone read anything.  Not with fakeroot (which
   * goes without allow_other): the mounting user acts as root, which the
   * appliance is, and op_access answers as root would. */
  argv[argc++] = opts->fakeroot ? (opts->readonly ? "subtype=imgmount,ro" : "subtype=imgmount")
                 : opts->readonly ? "subtype=imgmount,default_permissions,ro"
                 : "subtype=imgmount,default_permissions";
  for (size_t k = 0; k < opts->n_fuse_opts; k++) {
    argv[argc++] = "-o";
    argv[argc++] = opts->fuse_opts[k];
  }
  if (opts->verbose >= 3)
    argv[argc++] = "-d";
  struct fuse_args args = FUSE_ARGS_INIT (argc, (char **) argv);
  struct fuse_session *se = fuse_session_new (&args, fsops_operations (),
                                              sizeof (struct fuse_lowlevel_ops), fs);
  fuse_opt_free_args (&args);
  free (fsname);
  return se;
}

/* Takes the runtime lock that `imgmount -u`, and a mount of one of the
 * images after this one has gone, wait on, in the runtime directory open
 * as RUN_DIR, and writes the daemon's pid and the identities of the
 * images (IMAGE_FDS[0..N-1]) in it.  Returns its fd. */
static int
publish_mount (int run_dir, const char *mountpoint, const int *image_fds, size_t n,
               unsigned *maj, unsigned *min)
{
  if (mountinfo_find ("/proc/self/mountinfo", mountpoint, maj, min, NULL) != 1)
    return -1;
  int fd = -1;
  /* The device number of a FUSE mount is reused as soon as it is free, so
   * the previous daemon of this number may still be finishing and about to
   * remove its lock file: lock, then make sure the file locked is still the
   * one at that path. */
  for (int tries = 0; fd == -1 && tries < 100; tries++) {
    fd = runtime_open (run_dir, *maj, *min, RUNTIME_LOCK, O_RDWR | O_CREAT);
    struct stat locked, current;
    if (fd >= 0 && (flock (fd, LOCK_EX) == -1 || fstat (fd, &locked) == -1 ||
                    runtime_stat (run_dir, *maj, *min, RUNTIME_LOCK, &current) == -1 ||
                    locked.st_ino != current.st_ino)) {
      close (fd);
      fd = -1;
    }
  }
  if (fd >= 0 && runtime_write_lock (fd, getpid (), image_fds, n) == -1) {
    /* -u then cannot wait for the exit itself, only for the lock; a mount
     * of the image refuses at once, as for a live one */
  }
  /* What a previous daemon of this number said of its lost data, for
   * waiters long gone (finish.h). */
  if (fd >= 0)
    runtime_unlink (run_dir, *maj, *min, RUNTIME_STATUS);
  return fd;
}

static int
write_pid_file (const char *file)
{
  FILE *fp = fopen (file, "we");
  if (!fp)
    return -1;
  fprintf (fp, "%d\n", (int) getpid ());
  return fclose (fp);
}

/* Set when the hypervisor exited under a live mount. */
static volatile int appliance_died;

/* The mount's unmounter (unmounter.h), once started, and the session. */
static int unmounter_fd = -1;
static struct fuse_session *serving;

/* Detaches the daemon's mount: through the unmounter, which the confined
 * daemon needs; before it is started, itself.  Detaching ends the FUSE
 * loop (its reads get ENODEV) once the last user has gone. */
static void
end_mount (const char *mountpoint)
{
  if (unmounter_fd >= 0)
    unmounter_request (unmounter_fd);
  else
    unmount_detach (mountpoint, true);
}

/* The hypervisor is gone: every operation would fail from now on, so end
 * the mount instead of leaving a dead one behind; the daemon then exits
 * with the reason. */
static void
on_appliance_death (void *mountpoint)
{
  appliance_died = 1;
  end_mount (mountpoint);
}

/* SIGTERM, SIGINT, SIGHUP: the first detaches the mount while the daemon
 * still serves, so what the kernel holds is written back before the loop
 * ends (libfuse's own handlers end the loop first, and then cannot
 * unmount from a confined daemon); another ends the loop at once, as
 * libfuse's would. */
static void
on_stop_signal (int sig)
{
  static volatile sig_atomic_t asked;
  (void) sig;
  if (!asked && unmounter_fd >= 0) {
    asked = 1;
    unmounter_request (unmounter_fd);
  } else if (serving)
    fuse_session_exit (serving);
}

static void
set_stop_handlers (void (*handler) (int))
{
  struct sigaction sa = { .sa_handler = handler };
  sigemptyset (&sa.sa_mask);
  sigaction (SIGTERM, &sa, NULL);
  sigaction (SIGINT, &sa, NULL);
  sigaction (SIGHUP, &sa, NULL);
  sa.sa_handler = handler == SIG_DFL ? SIG_DFL : SIG_IGN;
  sigaction (SIGPIPE, &sa, NULL);
}

/* What the daemon may still open once confined: /dev/fuse (libfuse may
 * open it again per thread), the run directory and libguestfs's socket
 * directory (guestfs_close empties them), the runtime directory open as
 * RUNTIME_FD (the status file for waiters), and files in the pid file's
 * directory to remove the pid file.  Fills PATHS; returns how many. */
static size_t
serving_paths (const struct options *opts, int runtime_fd, char *scratch[3],
               struct confine_path paths[6])
{
  size_t n = 0;
  paths[n++] = (struct confine_path) { "/dev/fuse", CONFINE_WRITE };
  const char *run = run_dir_path ();
  paths[n++] = (struct confine_path) { run, CONFINE_ALL };
  if (run && (scratch[0] = run_dir_socket_dir (run)))
    paths[n++] = (struct confine_path) { scratch[0], CONFINE_ALL };
  scratch[1] = xasprintf ("/proc/self/fd/%d", runtime_fd);
  paths[n++] = (struct confine_path) { scratch[1], CONFINE_ALL };
  if (opts->pid_file) {
    char *copy = xstrdup (opts->pid_file);
    scratch[2] = xstrdup (dirname (copy));
    free (copy);
    paths[n++] = (struct confine_path) { scratch[2], CONFINE_REMOVE };
  }
  return n;
}

/* Once mounted, before serving: starts the unmounter and confines the
 * daemon (confine-daemon.h; and the helpers' seccomp filter, confine.h),
 * as --sandbox says.  Returns 0,
 * or -1 when --sandbox=strict and the confinement failed (the caller
 * ends the mount). */
static int
confine_serving (const struct options *opts, const char *mountpoint, unsigned maj,
                 unsigned min, int runtime_fd)
{
  if (opts->sandbox == SANDBOX_OFF)
    return 0;
#ifdef __SANITIZE_ADDRESS__
  /* The sanitizers read /proc and write their reports where
   * ASAN_OPTIONS says, at exit: confined, ASan spins on the refusal. */
  if (opts->verbose || opts->sandbox == SANDBOX_STRICT)
    fprintf (stderr, "imgmount: the daemon is not confined: built with ASan\n");
  return opts->sandbox == SANDBOX_STRICT ? -1 : 0;
#endif
  if ((unmounter_fd = unmounter_start (mountpoint, maj, min)) == -1 ||
      watchdog_pin_hypervisors () == -1) {
    if (opts->verbose || opts->sandbox == SANDBOX_STRICT)
      fprintf (stderr, "imgmount: the daemon is not confined: %s\n", unmounter_fd == -1
             ? "cannot start its unmounter" : "cannot hold the hypervisor's process (pidfd)");
    return opts->sandbox == SANDBOX_STRICT ? -1 : 0;
  }
  char *scratch[3] = { NULL, NULL, NULL };
  struct confine_path paths[6];
  size_t n = serving_paths (opts, runtime_fd, scratch, paths);
  int r = confine_daemon (paths, n);
  int e = errno;
  for (int k = 0; k < 3; k++)
    free (scratch[k]);
  if (r == 0 && opts->verbose)
    fprintf (stderr, "imgmount: the daemon confined by Landlock (ABI %d): its run directory "
             "and /dev/fuse\n", confine_landlock_abi ());
  else if (r == -1 || (r == 1 && (opts->verbose || opts->sandbox == SANDBOX_STRICT)))
    fprintf (stderr, "imgmount: the daemon is not confined: %s\n",
             r == 1 ? "no Landlock in this kernel" : strerror (e));
  /* The hypervisor's filter, on every thread at once (seccomp can). */
  int s = confine_seccomp (true);
  if (s == -1)
    fprintf (stderr, "imgmount: the daemon has no seccomp filter: %s\n", strerror (errno));
  return (r != 0 || s != 0) && opts->sandbox == SANDBOX_STRICT ? -1 : 0;
}

/* Writes buffered data, unmounts in the appliance and stops it, then
 * flushes the image files on the host.  Returns NULL or what went wrong. */
static char *
shut_down (struct fs *fs, struct backend_info *info, struct agent_conn *agent, guestfs_h *g,
           const int *image_fds, size_t n)
{
  char *err = NULL;
  int e = fs ? fs_flush_all (fs) : 0;
  backend_end_agent (info, agent);
  /* guestfsd's unmount, under a call's time limit like every guestfsd
   * call: when the appliance stopped answering, the agent's calls above
   * failed at their own time limit, and this is where the watchdog stops
   * it (and says so below). */
  watchdog_busy (watchdog_call_timeout ());
  int u = guest_umount_all (g);
  watchdog_idle ();
  double stalled;
  if (appliance_died)
    err = xstrdup ("the appliance's hypervisor exited unexpectedly; the mount was ended "
                   "and writes not yet fsync'd were lost");
  else if (watchdog_fired (&stalled))
    err = xasprintf ("the appliance stopped answering for %.0f s and was stopped "
                     "(IMGMOUNT_CALL_TIMEOUT); writes not yet fsync'd were lost", stalled);
  else if (e)
    err = xasprintf ("writing back to the image failed: %s; some data was lost", strerror (e));
  if (u && !err)
    err = xasprintf ("unmounting inside the appliance failed: %s", guest_last_error (g));
  char *stop_err = NULL;
  if (backend_stop (g, &stop_err) == -1 && !err)
    err = stop_err;
  else
    free (stop_err);
  /* Whatever else failed after them, refused writes say most (also those
   * the last sync, in backend_stop, ran into). */
  if (write_errors_seen () && !appliance_died && !watchdog_fired (NULL)) {
    free (err);
    int w = write_errors_seen ();
    err = xasprintf ("the appliance's disk refused writes (%s%s); some data was lost, and the "
                     "filesystem in the image may need a check (fsck)", strerror (w),
                     w == ENOSPC ? ": the filesystem holding the image is full" : "");
  }
  for (size_t k = 0; k < n; k++)
    if (fsync (image_fds[k]) == -1 && errno != EINVAL && !err)
      err = xasprintf ("fsync of the image file failed: %s", strerror (errno));
  return err;
}

static int
run_mount (struct options *opts)
{
  int image_fds[opts->n_images];
  AUTO_STRINGS char **backing_nodes = xcalloc (opts->n_images + 1, sizeof (char *));
  AUTO_FREE char *err = NULL;
  char mountpoint[PATH_MAX];
  if (check_input (opts, image_fds, backing_nodes, &err) == -1 || !realpath (opts->mountpoint, mountpoint)) {
    error_line (err ? err : strerror (errno));
    return 1;
  }
  /* Checked before anything starts: without it, -u could not wait for the
   * data to reach the image. */
  AUTO_FD run_dir = runtime_dir_open (NULL, &err);
  if (run_dir == -1) {
    error_line (err);
    return 1;
  }

  int ready_fd = opts->foreground ? -1 : daemon_fork ();

  struct backend_request req = backend_request_of (opts, backing_nodes, opts->readonly);
  struct backend_info info;
  guestfs_h *g = backend_start (&req, &info, &err);
  if (!g) {
    error_line (err);
    return 1;
  }
  struct fs_config config = {
    .g = g, .readonly = opts->readonly, .fakeroot = opts->fakeroot, .cache_timeout = KERNEL_CACHE_TIMEOUT_S,
    .host_sync_fds = image_fds, .n_host_sync_fds = info.host_sync ? opts->n_images : 0,
  };
  struct fs *fs = NULL;
  struct fuse_session *se = NULL;
  AUTO_STRINGS char **fs_types = NULL;
  struct agent_conn *agent = NULL;
  progress_phase ("finding and mounting the filesystems");
  watchdog_busy (watchdog_call_timeout ());
  /* The agent first says what the block devices hold, then, reopened,
   * serves the filesystems mounted in between. */
  int selected = backend_connect_agent (&info, &agent, &err);
  if (selected != -1)
    selected = select_and_mount (g, agent, opts, info.scans, &fs_types, &err);
  if (selected != -1 && agent && agent_reopen (agent) != 0)
    selected = error_set (&err, "the appliance's agent did not answer once the filesystems "
                          "were mounted; run with -v -v to see the appliance's console");
  config.fs_types = fs_types;
  config.agent = agent;
  config.trace = opts->trace;
  watchdog_idle ();
  if (selected == -1 ||
      !(fs = fs_new (&config)) ||
      !(se = new_session (opts, fs)) ||
      (serving = se, set_stop_handlers (on_stop_signal), fuse_session_mount (se, mountpoint) == -1)) {
    error_line (err ? err : "cannot mount with FUSE (see the message above)");
    set_stop_handlers (SIG_DFL);
    serving = NULL;
    if (se)
      fuse_session_destroy (se);
    free (shut_down (NULL, &info, agent, g, image_fds, 0));
    fs_free (fs);
    return 1;
  }

  unsigned maj = 0, min = 0;
  int lock_fd = publish_mount (run_dir, mountpoint, image_fds, opts->n_images, &maj, &min);
  if (opts->pid_file && write_pid_file (opts->pid_file) == -1)
    fprintf (stderr, "imgmount: warning: cannot write %s: %s\n", opts->pid_file, strerror (errno));
  progress_done ();
  if (opts->verbose)
    fprintf (stderr, "imgmount: %s mounted at %s\n", opts->images[0], mountpoint);
  /* Refused (--sandbox=strict): the mount goes at once, and the caller,
   * still waiting, gets the failure. */
  bool confined = confine_serving (opts, mountpoint, maj, min, run_dir) == 0;
  if (!confined) {
    error_line ("--sandbox=strict: the daemon could not be confined; the mount was "
                "taken off again (use --sandbox=on)");
    end_mount (mountpoint);
  } else if (!opts->foreground)
    daemon_ready (ready_fd);
  watchdog_on_death (on_appliance_death, mountpoint);

  struct fuse_loop_config *loop = fuse_loop_cfg_create ();
  fuse_session_loop_mt (se, loop);
  fuse_loop_cfg_destroy (loop);

  /* Normally gone already (imgmount -u, the unmounter): libfuse then sees
   * the connection ended and only frees what it holds. */
  fuse_session_unmount (se);
  set_stop_handlers (SIG_DFL);
  serving = NULL;
  fuse_session_destroy (se);

  /* --cache=unsafe promises nothing about the host disk, so no fsync. */
  err = shut_down (fs, &info, agent, g, image_fds, opts->cache == CACHE_UNSAFE ? 0 : opts->n_images);
  fs_free (fs);
  if (err)
    error_line (err);
  if (lock_fd >= 0)
    finish_leave_status (run_dir, maj, min, err ? err : "ok");
  if (opts->pid_file)
    unlink (opts->pid_file);
  int rc = err || !confined ? 1 : 0;
  /* The images' locks go first: a mount waiting for this daemon
   * (finish.c) takes the runtime lock's release as the images' (62
   * failed 1 round in 20 while they were let go at exit). */
  for (size_t k = 0; k < opts->n_images; k++)
    close (image_fds[k]);
  if (lock_fd >= 0)
    close (lock_fd);   /* releases imgmount -u */
  return rc;
}

/* --version --json says which backends this host could offer, for scripts:
 * only whether their pieces are present; auto still probes that KVM works. */
static void
print_version (bool json)
{
  if (!json) {
    printf ("imgmount %s\n", IMGMOUNT_VERSION);
    return;
  }
  char *why = NULL;
  int uml = uml_installed (&why);
  free (why);
  printf ("{\"version\": \"%s\", \"backends\": {\"kvm\": %s, \"tcg\": true, \"uml\": %s}}\n",
          IMGMOUNT_VERSION, access ("/dev/kvm", F_OK) == 0 ? "true" : "false",
          uml ? "true" : "false");
}

/* libguestfs allocates each message it sends or receives (up to 4 MiB),
 * and frees it after the call.  With glibc's defaults the freed pages go
 * back to the kernel once the heap's free top passes a threshold of about
 * twice the last large buffer, so every large pread or pwrite faults its
 * buffers in afresh, a page fault per 4 KiB, which on a VM host costs
 * more than the copy (perf: most of the client's time in a pread loop).
 * Keeping buffers of that size on one heap, and up to 32 MiB of its free
 * top, lets them be reused.  One arena: the FUSE threads take turns at
 * the appliance anyway (fs->lock), and one heap bounds what is kept.  The
 * appliance's init does the same for guestfsd. */
static void
keep_message_buffers (void)
{
  mallopt (M_ARENA_MAX, 1);
  mallopt (M_MMAP_THRESHOLD, 8 * 1024 * 1024);
  mallopt (M_TRIM_THRESHOLD, 32 * 1024 * 1024);
}

int
main (int argc, char **argv)
{
  keep_message_buffers ();
  struct options opts;
  char *err = NULL;
  if (options_parse (argc, argv, getenv ("IMGMOUNT_BACKEND"), &opts, &err) == -1) {
    error_line (err);
    free (err);
    options_free (&opts);
    return 2;
  }
  progress_init (opts.quiet, opts.verbose);
  int rc = 0;
  switch (opts.mode) {
  case RUN_HELP: options_print_help (); break;
  case RUN_VERSION: print_version (opts.json); break;
  case RUN_LIST: rc = run_list (&opts); break;
  case RUN_UNMOUNT: rc = unmount_and_wait (opts.mountpoint, opts.lazy); break;
  case RUN_MOUNT: rc = run_mount (&opts); break;
  }
  options_free (&opts);
  return rc;
}
