/* hv-qemu.c: imgmount-hv on qemu (KVM or TCG).  On the user's disks (ids
 * hd0, hd1, ...; the appliance's own root disk is left alone):
 * - the cache mode imgmount chose (libguestfs can only ask for writeback
 *   or unsafe);
 * - write errors passed to the guest, as a loop device does, and so
 *   reported by fsync (write-errors.h): qemu's default pauses the guest
 *   when the filesystem holding the image is full, and the write through
 *   the mount then hangs until the watchdog stops the appliance;
 * - for formats that name a backing file inside the image (qcow2, qcow,
 *   qed, vmdk), exactly the backing chain imgmount checked and the user
 *   allowed with --backing, read-only, or none: an untrusted image must
 *   not make qemu open a host file the user never named.  qemu's -drive
 *   cannot say "this backing file" or "no backing file" except through a
 *   json: node description;
 * - read-only mounts as a qemu snapshot on top of the image's node, for
 *   every format.  libguestfs's own overlay would name the image as its
 *   backing file and so follow the image's chain, and its drive option
 *   leaves the overlay's format to be probed from the guest's view of the
 *   disk: a raw image whose first bytes are a qcow2 header naming a host
 *   file made qemu open that file.
 * And under TCG, a CPU without the fast string copy flags (see
 * tcg_cpu_model); qemu's temporary files in imgmount's run directory;
 * qemu's own seccomp filter (QEMU_SANDBOX); and its console through a
 * relay that never lets the guest wait on it (console-relay.h). */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "common/agent-protocol.h"
#include "common/message.h"
#include "common/xalloc.h"
#include "backend-select/hv/block-node.h"
#include "backend-select/hv/confine.h"
#include "backend-select/hv/console-relay.h"
#include "backend-select/hv/drive-spec.h"
#include "backend-select/hv/hv.h"
#include "backend-select/hv/hv-env.h"
#include "image/image-formats.h"

/* The drive id of a user's disk (hd0, hd1, ...; malloc'd), or NULL. */
static char *
user_disk_id (const char *spec)
{
  char *id = drive_spec_get (spec, "id");
  if (id && strncmp (id, "hd", 2) == 0)
    return id;
  free (id);
  return NULL;
}

/* SPEC with its file and format replaced by a json: node whose backing
 * chain is the one imgmount checked for disk ID. */
static char *
with_backing (const char *spec, const char *format, const char *id)
{
  char *file = drive_spec_get (spec, "file");
  if (!file)
    abort ();
  struct block_node node = { .format = format, .file = file, .backing = hv_backing_node (id) };
  char *json = block_node_json (&node);
  char *value = xasprintf ("json:%s", json);
  char *no_format = drive_spec_remove (spec, "format");
  char *out = drive_spec_set (no_format, "file", value);
  free (no_format);
  free (value);
  free (json);
  free (file);
  return out;
}

/* Whether the launch runs the guest under TCG alone: libguestfs names
 * the accelerators in "-machine accel=...". */
static int
runs_under_tcg (int argc, char **argv)
{
  for (int i = 1; i + 1 < argc; i++) {
    if (strcmp (argv[i], "-machine") != 0)
      continue;
    char *accel = drive_spec_get (argv[i + 1], "accel");
    int tcg = accel && strcmp (accel, "tcg") == 0;
    free (accel);
    if (tcg)
      return 1;
  }
  return 0;
}

/* CPU without ERMS and FSRM (malloc'd).  With them, the guest kernel's
 * and glibc's memcpy and copy_to_user use "rep movsb", which TCG runs one
 * byte per loop turn; the appliance copies every byte read or written
 * through the mount three times (page cache, guestfsd's buffer, the
 * channel's).  Without them they copy 8 or 16 bytes an instruction: a
 * cold 100 MB cat took 1.5 s instead of 3.8. */
static char *
tcg_cpu_model (const char *cpu)
{
  return xasprintf ("%s,-erms,-fsrm", cpu);
}

/* qemu's seccomp filter (issue 27): qemu's default set of system calls,
 * and of those it offers to deny, all that the appliance needs none of:
 * obsolete ones, set*uid and the like, fork and exec (spawn: qemu under
 * libguestfs runs no helper, no bridge or ifup script), and scheduler and
 * CPU affinity changes.  A guest that escapes into qemu is held to what a
 * running qemu does.  Checked with qemu 7.2. */
#define QEMU_SANDBOX "on,obsolete=deny,elevateprivileges=deny,spawn=deny,resourcecontrol=deny"

/* ARGV with a virtio-serial port for imgmount-agent, connected to
 * imgmount's SOCKET, on the bus libguestfs made for guestfsd's channel
 * (a new, NULL-terminated array; the strings are ARGV's). */
static char **
with_agent_port (int argc, char **argv, const char *socket)
{
  char **out = xcalloc ((size_t) argc + 5, sizeof *out);
  memcpy (out, argv, (size_t) argc * sizeof *out);
  out[argc] = (char *) "-chardev";
  out[argc + 1] = xasprintf ("socket,id=imgmount-agent,path=%s", socket);
  out[argc + 2] = (char *) "-device";
  out[argc + 3] = (char *) "virtserialport,chardev=imgmount-agent,name=" AGENT_PORT_NAME;
  return out;
}

/* ARGV with QEMU_SANDBOX (a new, NULL-terminated array; the strings are
 * ARGV's). */
static char **
with_sandbox (int argc, char **argv)
{
  char **out = xcalloc ((size_t) argc + 3, sizeof *out);
  memcpy (out, argv, (size_t) argc * sizeof *out);
  out[argc] = (char *) "-sandbox";
  out[argc + 1] = (char *) QEMU_SANDBOX;
  return out;
}

/* Room for the files of a launch: one per argument is more than enough. */
#define MAX_FILES(argc) ((size_t) (argc) + HV_READ_MAX + 4)

/* The host files qemu may open for the launch command ARGV (before its
 * drives are rewritten), as confine_landlock takes them: itself, the
 * kernel and initrd, each drive's file (read-only for a read-only mount
 * and a snapshot=on drive), the --backing files, TMPDIR (where
 * snapshot=on puts its temporary file) and /dev/kvm.  Each string is
 * ARGV's, the environment's, or malloc'd and leaked with the process,
 * which execs next. */
static size_t
launch_files (int argc, char **argv, const char *qemu, const char *tmpdir,
              struct confine_path *paths)
{
  const char *readonly = getenv (HV_ENV_READONLY);
  bool ro = readonly && strcmp (readonly, "1") == 0;
  size_t n = 0;
  paths[n++] = (struct confine_path) { qemu, CONFINE_EXEC };
  paths[n++] = (struct confine_path) { tmpdir, CONFINE_ALL };
  paths[n++] = (struct confine_path) { "/dev/kvm", CONFINE_WRITE };
  for (int i = 1; i + 1 < argc; i++) {
    if (strcmp (argv[i], "-kernel") == 0 || strcmp (argv[i], "-initrd") == 0)
      paths[n++] = (struct confine_path) { argv[i + 1], CONFINE_READ };
    if (strcmp (argv[i], "-drive") != 0)
      continue;
    char *file = drive_spec_get (argv[i + 1], "file");
    char *snapshot = drive_spec_get (argv[i + 1], "snapshot");
    char *id = user_disk_id (argv[i + 1]);
    bool read_only = (snapshot && strcmp (snapshot, "on") == 0) || (id && ro);
    if (file)
      paths[n++] = (struct confine_path) { file, read_only ? CONFINE_READ : CONFINE_WRITE };
    struct image_header hdr;
    char *overlay = NULL;
    if (!file && hv_overlay_header (argv[i + 1], &overlay, &hdr) == 0) {
      /* libguestfs's own read-only overlay (guestfish --ro, ...) */
      paths[n++] = (struct confine_path) { overlay, CONFINE_WRITE };
      if (hdr.backing[0] == '/')
        paths[n++] = (struct confine_path) { xstrdup (hdr.backing), CONFINE_READ };
    }
    free (snapshot);
    free (id);
  }
  hv_allow_backing_files (paths, &n, MAX_FILES (argc));
  return n;
}

int
hv_run_qemu (int argc, char **argv)
{
  const char *qemu = getenv (HV_ENV_QEMU);
  const char *cache = getenv (HV_ENV_CACHE);
  if (!qemu || !*qemu)
    qemu = HV_DEFAULT_QEMU;

  const char *readonly = getenv (HV_ENV_READONLY);
  int launch = hv_is_launch (argc, argv);
  const char *run_dir = getenv (HV_ENV_RUN_DIR);
  const char *tmp = getenv ("TMPDIR");
  struct confine_path files[launch ? MAX_FILES (argc) : 1];
  size_t n_files = launch ? launch_files (argc, argv, qemu,
                                          run_dir && *run_dir ? run_dir
                                          : tmp && *tmp ? tmp : "/tmp", files) : 0;
  if (launch)
    for (int i = 1; i + 1 < argc; i++) {
      char *id = strcmp (argv[i], "-drive") == 0 ? user_disk_id (argv[i + 1]) : NULL;
      if (!id)
        continue;
      if (cache && *cache)
        argv[i + 1] = drive_spec_set (argv[i + 1], "cache", cache);
      argv[i + 1] = drive_spec_set (argv[i + 1], "werror", "report");
      char *format = drive_spec_get (argv[i + 1], "format");
      if (image_format_has_backing (format))
        argv[i + 1] = with_backing (argv[i + 1], format, id);
      if (readonly && strcmp (readonly, "1") == 0)
        argv[i + 1] = drive_spec_set (argv[i + 1], "snapshot", "on");
      free (format);
      free (id);
    }
  if (launch && runs_under_tcg (argc, argv))
    for (int i = 1; i + 1 < argc; i++)
      if (strcmp (argv[i], "-cpu") == 0)
        argv[i + 1] = tcg_cpu_model (argv[i + 1]);

  /* What qemu leaves in its temporary directory (the file behind a
   * snapshot=on drive, when stopped while making it) goes with imgmount's
   * run directory (run-dir.h).  Not for UML, whose memory file would
   * follow TMPDIR off /dev/shm. */
  if (launch && run_dir && *run_dir)
    setenv ("TMPDIR", run_dir, 1);

  char *agent = launch ? hv_agent_socket () : NULL;
  if (agent) {
    argv = with_agent_port (argc, argv, agent);
    argc += 4;
  }
  /* Its own seccomp filter, and the files of its command line and
   * nothing else: a guest that escapes into qemu gets no further than the
   * image. */
  if (launch && hv_sandbox () != SANDBOX_OFF)
    argv = with_sandbox (argc, argv);
  if (launch && hv_confine ("qemu", false, files, n_files) == -1)
    return 1;
  if (launch && console_relay_start (hv_sandbox () != SANDBOX_OFF) == -1) {
    error_print ("cannot start the console's relay: %s", strerror (errno));
    return 1;
  }
  argv[0] = (char *) qemu;
  execv (qemu, argv);
  error_print ("%s: %s", qemu, strerror (errno));
  return 127;
}
