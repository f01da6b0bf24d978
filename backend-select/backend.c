/* backend.c: choosing the hypervisor and launching the libguestfs
 * appliance on it. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "common/message.h"
#include "common/programs.h"
#include "common/xalloc.h"
#include "backend-select/agent-channel.h"
#include "backend-select/hv/confine.h"
#include "backend-select/backend.h"
#include "backend-select/hv/hv-env.h"
#include "backend-select/kvm-probe.h"
#include "backend-select/metadata-probe.h"
#include "backend-select/appliance/appliance.h"
#include "backend-select/run-dir.h"
#include "backend-select/watchdog.h"
#include "backend-select/write-errors.h"
#include "fsops/agent-client.h"
#include "fsops/guest-calls.h"

static void
phase (const struct backend_request *req, const char *what)
{
  if (req->on_phase)
    req->on_phase (what);
}

/* Resolves BACKEND_AUTO: KVM where a guest really boots, else UML where
 * installed (it starts in half of TCG's time and moves data faster), else
 * TCG; and checks that an explicit choice can work. */
static int
choose (const struct backend_request *req, enum backend_kind *chosen, char **err)
{
  char *kvm_why = NULL, *uml_why = NULL;
  int r = 0;
  switch (req->kind) {
  case BACKEND_TCG:
    *chosen = BACKEND_TCG;
    break;
  case BACKEND_KVM:
    *chosen = BACKEND_KVM;
    phase (req, "checking that KVM works");
    if (kvm_probe (req->verbose, &kvm_why) != 1)
      r = error_set (err, "kvm: %s; try --backend=uml or --backend=tcg", kvm_why);
    break;
  case BACKEND_UML:
    *chosen = BACKEND_UML;
    if (!uml_installed (&uml_why))
      r = error_set (err, "uml: %s; or try --backend=tcg", uml_why);
    break;
  case BACKEND_AUTO:
  default:
    phase (req, "checking whether KVM works");
    if (kvm_probe (req->verbose, &kvm_why) == 1)
      *chosen = BACKEND_KVM;
    else if (uml_installed (&uml_why))
      *chosen = BACKEND_UML;
    else
      *chosen = BACKEND_TCG;
    if (req->verbose) {
      fprintf (stderr, "imgmount: backend %s", backend_kind_name (*chosen));
      if (kvm_why)
        fprintf (stderr, "; kvm unusable: %s", kvm_why);
      if (uml_why)
        fprintf (stderr, "; uml unusable: %s", uml_why);
      fprintf (stderr, *chosen == BACKEND_KVM ? " (kvm works)\n" : "\n");
    }
    break;
  }
  free (kvm_why);
  free (uml_why);
  return r;
}

/* qemu opens an image with O_DIRECT under cache=none; say so plainly
 * when the filesystem holding it cannot (tmpfs, for one). */
static int
check_cache_mode (const struct backend_request *req, char **err)
{
  if (req->cache == CACHE_UNSAFE)
    fprintf (stderr, "imgmount: --cache=unsafe: fsync and unmount do not flush the "
             "image to the host disk; a host crash can corrupt it\n");
  if (req->cache != CACHE_NONE || req->readonly)
    return 0;
  for (size_t k = 0; k < req->n_images; k++) {
    int fd = open (req->images[k], O_RDONLY | O_DIRECT | O_CLOEXEC);
    if (fd == -1 && errno == EINVAL)
      return error_set (err, "%s: --cache=none needs O_DIRECT, which the filesystem "
                   "holding the image does not offer; use --cache=writeback",
                   req->images[k]);
    if (fd >= 0)
      close (fd);
  }
  return 0;
}

/* What imgmount-hv needs to know (see hv-env.h).  libguestfs passes its
 * own environment on to the hypervisor program. */
static void
export_hv_settings (const struct backend_request *req, enum backend_kind kind)
{
  setenv (HV_ENV_QEMU, HV_DEFAULT_QEMU, 0);
  setenv (HV_ENV_MODE, kind == BACKEND_UML ? "uml" : "qemu", 1);
  setenv (HV_ENV_READONLY, req->readonly ? "1" : "0", 1);
  setenv (HV_ENV_SANDBOX, sandbox_mode_name (req->sandbox), 1);
  /* Nothing writes a read-only image: its cache mode does not matter. */
  if (req->readonly)
    unsetenv (HV_ENV_CACHE);
  else
    setenv (HV_ENV_CACHE, cache_mode_name (req->cache), 1);
  /* libguestfs names the user's disks hd0, hd1, ... in the order added. */
  for (size_t k = 0; k < req->n_images; k++) {
    char name[64];
    snprintf (name, sizeof name, HV_ENV_BACKING_PREFIX "hd%zu", k);
    setenv (name, req->backing_nodes && req->backing_nodes[k] ? req->backing_nodes[k] : "null", 1);
  }
  for (size_t k = 0; k < HV_READ_MAX; k++) {
    char name[64];
    snprintf (name, sizeof name, HV_ENV_READ_PREFIX "%zu", k);
    if (k < req->n_backings)
      setenv (name, req->backings[k], 1);
    else
      unsetenv (name);
  }
}

/* The appliance's init skips the MD, LVM and LDM scans that cannot find
 * anything on these images (see metadata-probe.c). */
static unsigned
boot_scans (const struct backend_request *req)
{
  unsigned scans = 0;
  for (size_t k = 0; k < req->n_images; k++)
    scans |= metadata_probe_file (req->images[k], req->format);
  return scans;
}

static int
configure (guestfs_h *g, const struct backend_request *req, enum backend_kind kind,
           unsigned scans, char **err)
{
  char *force_tcg[] = { (char *) "force_tcg", NULL };
  char *none[] = { NULL };
  if (guestfs_set_backend (g, "direct") == -1 ||
      guestfs_set_backend_settings (g, kind == BACKEND_TCG ? force_tcg : none) == -1)
    return error_set (err, "libguestfs: %s", guest_last_error (g));
  char *hv = helper_program ("imgmount-hv");
  int r = guestfs_set_hv (g, hv);
  free (hv);
  if (r == -1)
    return error_set (err, "libguestfs: %s", guest_last_error (g));
  export_hv_settings (req, kind);
  phase (req, "preparing the appliance");
  char *appliance = appliance_dir (kind == BACKEND_UML ? APPLIANCE_UML_KERNEL
                                   : APPLIANCE_HOST_KERNEL,
                                   guestfs_get_path (g), req->verbose, err);
  r = appliance ? guestfs_set_path (g, appliance) : -1;
  free (appliance);
  if (r == -1)
    return *err ? -1 : error_set (err, "libguestfs: %s", guest_last_error (g));
  char *append = xasprintf ("imgmount.scan=%s", scan_list (scans));
  r = guestfs_set_append (g, append);
  free (append);
  if (r == -1)
    return error_set (err, "libguestfs: %s", guest_last_error (g));
  if (req->verbose)
    fprintf (stderr, "imgmount: scans in the appliance: %s\n", scan_list (scans));
  int abi = confine_landlock_abi ();
  if (req->sandbox == SANDBOX_STRICT && abi < CONFINE_LANDLOCK_FULL_ABI)
    return error_set (err, "--sandbox=strict: this kernel's Landlock is ABI %d, and ABI %d is "
                      "needed to confine files, TCP and signals; use --sandbox=on", abi,
                      CONFINE_LANDLOCK_FULL_ABI);
  int own_network = req->sandbox == SANDBOX_OFF || !(req->verbose || req->sandbox == SANDBOX_STRICT)
                    || confine_own_network_works ();
  if (req->sandbox == SANDBOX_STRICT && !own_network)
    return error_set (err, "--sandbox=strict: this kernel does not let %s make a network "
                      "namespace (user namespaces off?); use --sandbox=on",
                      geteuid () == 0 ? "root" : "this user");
  if (req->verbose && req->sandbox != SANDBOX_OFF)
    fprintf (stderr, own_network ? "imgmount: %s has a network namespace of its own, with no "
             "network in it\n" : "imgmount: %s shares this host's network: the kernel lets "
             "no network namespace be made; going on without\n", kind == BACKEND_UML ? "UML" : "qemu");
  if (req->verbose && req->sandbox == SANDBOX_OFF)
    fprintf (stderr, "imgmount: --sandbox=off: the hypervisor and its helpers are not "
             "confined\n");
  else if (req->verbose && abi > 0)
    fprintf (stderr, "imgmount: %s's files confined by Landlock (ABI %d)\n",
             kind == BACKEND_UML ? "UML" : "qemu", abi);
  else if (req->verbose)
    fprintf (stderr, "imgmount: no Landlock in this kernel: %s may open any file "
             "you can; going on without\n", kind == BACKEND_UML ? "UML" : "qemu");
  guestfs_set_program (g, "imgmount");
  guestfs_set_verbose (g, req->verbose >= 2);
  guestfs_set_trace (g, req->trace);
  /* The recovery process kills the hypervisor if imgmount itself dies
   * (kill -9), so that no appliance outlives it. */
  guestfs_set_recovery_proc (g, 1);

  /* libguestfs would put a read-only image behind a qcow2 overlay.  UML
   * cannot read that; for formats with a backing chain the overlay would
   * make qemu follow the image's own chain; and qemu probes the overlay's
   * format from the image's contents, so even a raw image could name a
   * host file for qemu to open.  imgmount-hv puts a UML COW file or a qemu
   * snapshot in front of every read-only image instead. */
  for (size_t k = 0; k < req->n_images; k++)
    if (guestfs_add_drive_opts (g, req->images[k],
                                GUESTFS_ADD_DRIVE_OPTS_FORMAT, req->format,
                                GUESTFS_ADD_DRIVE_OPTS_READONLY, 0,
                                GUESTFS_ADD_DRIVE_OPTS_CACHEMODE, "writeback",
                                -1) == -1)
      return error_set (err, "%s: %s", req->images[k], guest_last_error (g));
  return 0;
}

/* The other backends worth trying when KIND fails, for the message. */
static const char *
alternatives (enum backend_kind kind)
{
  switch (kind) {
  case BACKEND_KVM: return "try --backend=uml or --backend=tcg";
  case BACKEND_UML: return "try --backend=tcg";
  default: return "run with -v -v to see the appliance's console";
  }
}

static int
launch (guestfs_h *g, const struct backend_request *req, enum backend_kind kind, char **err)
{
  char what[64];
  snprintf (what, sizeof what, "booting the appliance (%s)", backend_kind_name (kind));
  phase (req, what);
  double limit = watchdog_launch_timeout ();
  if (watchdog_start (g) == -1)
    return error_set (err, "cannot start the watchdog thread");
  watchdog_busy_at_most (limit);
  int r = guestfs_launch (g) == -1 || guestfs_umask (g, 0) == -1 ? -1 : 0;
  watchdog_idle ();
  /* Past the limit the launch fails, even if the appliance came up after
   * all: the watchdog may have looked while libguestfs's child had not yet
   * become the hypervisor, and found nothing to stop. */
  if (r == 0 && !watchdog_fired (NULL))
    return 0;
  if (watchdog_fired (NULL))
    return error_set (err, "%s: the appliance did not start within %.0f s "
                      "(IMGMOUNT_LAUNCH_TIMEOUT); %s", backend_kind_name (kind), limit,
                      alternatives (kind));
  return error_set (err, "starting the appliance (%s) failed: %s; %s", backend_kind_name (kind),
                    guest_last_error (g), alternatives (kind));
}

/* libguestfs's environment variables, read once its errors come back to
 * us, so that a bad TMPDIR is one message in imgmount's words. */
static int
read_environment (guestfs_h *g, char **err)
{
  if (guestfs_parse_environment (g) == 0)
    return 0;
  return error_set (err, "libguestfs: %s; check TMPDIR, XDG_RUNTIME_DIR and the LIBGUESTFS_* "
                    "variables", guest_last_error (g));
}

/* Writes the appliance's disks refuse are known only from its console
 * (write-errors.h). */
static int
watch_console (guestfs_h *g, char **err)
{
  if (write_errors_watch (g) == 0)
    return 0;
  return error_set (err, "libguestfs: %s", guest_last_error (g));
}

guestfs_h *
backend_start (const struct backend_request *req, struct backend_info *info, char **err)
{
  enum backend_kind kind;
  if (check_cache_mode (req, err) == -1 || choose (req, &kind, err) == -1)
    return NULL;

  guestfs_h *g = guestfs_create_flags (GUESTFS_CREATE_NO_ENVIRONMENT);
  if (!g) {
    error_set (err, "cannot create a libguestfs handle");
    return NULL;
  }
  /* Errors come back through guestfs_last_error and are reported once,
   * in imgmount's words, instead of libguestfs printing them too. */
  guestfs_push_error_handler (g, NULL, NULL);

  unsigned scans = boot_scans (req);
  info->agent_listen_fd = info->agent_fd = -1;
  if (read_environment (g, err) == -1 || watch_console (g, err) == -1 || run_dir_start (g, err) == -1 ||
      (info->agent_listen_fd = agent_channel_listen (run_dir_path (), err)) == -1 ||
      configure (g, req, kind, scans, err) == -1 || launch (g, req, kind, err) == -1) {
    watchdog_stop ();
    guestfs_close (g);
    if (info->agent_listen_fd != -1)
      close (info->agent_listen_fd);
    run_dir_finish ();
    return NULL;
  }
  info->kind = kind;
  info->host_sync = kind == BACKEND_UML && req->cache != CACHE_UNSAFE;
  info->scans = scans;
  return g;
}

int
backend_connect_agent (struct backend_info *info, struct agent_conn **conn, char **err)
{
  /* The hypervisor connected while it started, long before this. */
  int fd = agent_channel_accept (info->agent_listen_fd, watchdog_call_timeout (), err);
  info->agent_listen_fd = -1;
  if (fd == -1)
    return -1;
  struct agent_config config = { .timeout_ms = (unsigned) (watchdog_call_timeout () * 1000) };
  int e = agent_connect_with (fd, fd, &config, conn);
  if (e) {
    close (fd);
    return error_set (err, "the appliance's agent did not answer (%s); run with -v -v to see "
                      "the appliance's console", strerror (e));
  }
  info->agent_fd = fd;
  return 0;
}

void
backend_end_agent (struct backend_info *info, struct agent_conn *conn)
{
  if (conn) {
    agent_bye (conn);
    agent_disconnect (conn);
  }
  if (info->agent_fd != -1)
    close (info->agent_fd);
  if (info->agent_listen_fd != -1)
    close (info->agent_listen_fd);
  info->agent_fd = info->agent_listen_fd = -1;
}

int
backend_stop (guestfs_h *g, char **err)
{
  int r = 0;
  double stalled;
  watchdog_on_death (NULL, NULL);
  watchdog_busy (watchdog_call_timeout ());
  if (watchdog_fired (&stalled)) {
    error_set (err, "the appliance stopped answering for %.0f s and was stopped "
               "(IMGMOUNT_CALL_TIMEOUT)", stalled);
    r = -1;
  } else if (guestfs_shutdown (g) == -1) {
    error_set (err, "appliance shutdown failed: %s", guest_last_error (g));
    r = -1;
  }
  watchdog_idle ();
  watchdog_stop ();
  guestfs_close (g);
  run_dir_finish ();      /* also sweeps what an imgmount-hv killed left */
  return r;
}
