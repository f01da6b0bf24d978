/* hv-qsd.c: qemu-storage-daemon for UML.  UML's ubd reads raw images
 * only, and cannot open one with O_DIRECT; qemu-storage-daemon can do
 * both, and exports the image as a vhost-user block device, which UML's
 * virtio_uml driver attaches at boot.  It is given each image's node in
 * full (block-node.h): the format imgmount was told and the backing chain
 * imgmount checked, as qemu is. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "backend-select/hv/confine.h"
#include "backend-select/hv/drive-spec.h"
#include "backend-select/hv/hv-env.h"
#include "backend-select/hv/hv-qsd.h"
#include "backend-select/hv/hv.h"
#include "common/message.h"
#include "common/parent-death.h"
#include "common/programs.h"
#include "common/xalloc.h"

#define QSD "qemu-storage-daemon"
#define LISTEN_TIMEOUT_MS 10000

int
qsd_add_disk (struct qsd *q, const struct block_node *image, bool readonly, const char *tmpdir)
{
  if (q->n_disks == QSD_MAX_DISKS)
    return -1;
  int k = q->n_disks;
  char name[32];
  snprintf (name, sizeof name, "disk%d", k);
  struct block_node node = *image;
  node.node_name = name;
  if (readonly) {
    /* The image and its chain read-only, under a qcow2 overlay that
     * takes the guest's writes and goes with TMPDIR: nothing that needs
     * syncing. */
    struct block_node base = *image;
    base.node_name = NULL;
    base.read_only = true;
    base.cache = NULL;
    q->bases[k] = block_node_json (&base);
    q->base_formats[k] = xstrdup (image->format);
    q->overlays[k] = xasprintf ("%s/overlay%d.qcow2", tmpdir, k);
    node = (struct block_node) { .node_name = name, .format = "qcow2",
                                 .file = q->overlays[k], .backing = q->bases[k],
                                 .cache = "unsafe" };
  }
  /* UML's virtio block driver sends qemu-storage-daemon no flush, and
   * imgmount's fdatasync of the image (backend_info.host_sync) cannot
   * reach what the format driver keeps in memory (qcow2's L2 and refcount
   * tables, ...): such an export flushes after each write instead, so
   * that fsync in the mount keeps its meaning.  A raw image has no such
   * state; --cache=unsafe wants no flush. */
  q->writethrough[k] = !readonly && strcmp (image->format, "raw") != 0 &&
                       !(image->cache && strcmp (image->cache, "unsafe") == 0);
  q->nodes[k] = block_node_json (&node);
  q->sockets[k] = xasprintf ("%s/vhost%d.sock", tmpdir, k);
  q->paths[k] = xstrdup (image->file);
  q->files[q->n_files++] = (struct confine_path) { q->paths[k],
                                                   readonly ? CONFINE_READ : CONFINE_WRITE };
  if (!q->tmpdir)
    q->tmpdir = xstrdup (tmpdir);
  q->n_disks++;
  return 0;
}

/* Makes disk K's overlay with qemu-img, over the node it will have under
 * it in qemu-storage-daemon (qemu-img opens that node, read-only, for its
 * size; the name it writes in the overlay's header is never used: the
 * daemon is given the node itself). */
static int
make_overlay (const struct qsd *q, int k)
{
  char *backing = xasprintf ("json:%s", q->bases[k]);
  char *argv[] = { (char *) "qemu-img", (char *) "create", (char *) "-q", (char *) "-f",
                   (char *) "qcow2", (char *) "-F", q->base_formats[k], (char *) "-b",
                   backing, q->overlays[k], NULL };
  int status = run_program (argv, -1, -1, false);
  free (backing);
  if (status != 0) {
    error_print ("uml: qemu-img could not make the read-only overlay for %s (exit %d)",
                 q->overlays[k], status);
    return -1;
  }
  return 0;
}

static int
all_listening (const struct qsd *q)
{
  struct stat st;
  for (int k = 0; k < q->n_disks; k++)
    if (stat (q->sockets[k], &st) == -1 || !S_ISSOCK (st.st_mode))
      return 0;
  return 1;
}

int
qsd_start (struct qsd *q)
{
  for (int k = 0; k < q->n_disks; k++)
    if (q->overlays[k] && make_overlay (q, k) == -1)
      return -1;
  char *argv[2 + 4 * QSD_MAX_DISKS + 1];
  int argc = 0;
  argv[argc++] = QSD;
  for (int k = 0; k < q->n_disks; k++) {
    char *sock = drive_spec_escape (q->sockets[k]);
    argv[argc++] = "--blockdev";
    argv[argc++] = xstrdup (q->nodes[k]);
    argv[argc++] = "--export";
    argv[argc++] = xasprintf ("type=vhost-user-blk,id=export%d,node-name=disk%d,"
                              "addr.type=unix,addr.path=%s,writable=on,writethrough=%s", k, k, sock,
                              q->writethrough[k] ? "on" : "off");
    free (sock);
  }
  argv[argc] = NULL;

  pid_t parent = getpid ();
  pid_t pid = fork ();
  if (pid == 0) {
    if (die_with_parent (parent, SIGKILL) == -1)
      _exit (126);
    int devnull = open ("/dev/null", O_RDWR);
    dup2 (devnull, 0);
    dup2 (devnull, 1);   /* its errors still go to stderr */
    /* A seccomp filter of ours: it has no -sandbox of its own (7.2). */
    struct confine_path files[QSD_MAX_DISKS + 2 + HV_READ_MAX];
    size_t n = (size_t) q->n_files;
    memcpy (files, q->files, n * sizeof *files);
    files[n++] = (struct confine_path) { q->tmpdir, CONFINE_ALL };
    hv_allow_backing_files (files, &n, sizeof files / sizeof *files);
    if (hv_confine ("qemu-storage-daemon", true, files, n) == -1)
      _exit (127);
    execvp (QSD, argv);
    error_print ("uml: %s: %s (install qemu-system-x86)", QSD, strerror (errno));
    _exit (127);
  }
  for (int k = 2; k < argc; k += 2)
    free (argv[k]);
  if (pid == -1)
    return -1;
  q->pid = pid;

  struct timespec tick = { 0, 10 * 1000 * 1000 };
  for (int waited = 0; waited < LISTEN_TIMEOUT_MS; waited += 10) {
    int status;
    if (waitpid (pid, &status, WNOHANG) == pid) {
      q->pid = 0;
      error_print ("uml: %s failed to start", QSD);
      return -1;
    }
    if (all_listening (q))
      return 0;
    nanosleep (&tick, NULL);
  }
  error_print ("uml: %s did not listen within %d s", QSD, LISTEN_TIMEOUT_MS / 1000);
  return -1;
}

void
qsd_stop (struct qsd *q)
{
  stop_child (&q->pid);
  for (int k = 0; k < q->n_disks; k++) {
    unlink (q->sockets[k]);
    if (q->overlays[k])
      unlink (q->overlays[k]);
    free (q->nodes[k]);
    free (q->sockets[k]);
    free (q->overlays[k]);
    free (q->bases[k]);
    free (q->base_formats[k]);
    free (q->paths[k]);
    q->overlays[k] = q->bases[k] = q->base_formats[k] = q->paths[k] = NULL;
  }
  q->n_disks = 0;
  q->n_files = 0;
  free (q->tmpdir);
  q->tmpdir = NULL;
}
