/* hv-qsd.c: qemu-storage-daemon for UML.  UML's ubd cannot open an image
 * with O_DIRECT; qemu-storage-daemon can, and exports it as a vhost-user
 * block device, which UML's virtio_uml driver attaches at boot. */
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
#include "backend-select/hv/hv-qsd.h"
#include "common/message.h"
#include "common/parent-death.h"
#include "common/programs.h"
#include "common/xalloc.h"

#define QSD "qemu-storage-daemon"
#define LISTEN_TIMEOUT_MS 10000

int
qsd_add_disk (struct qsd *q, const char *file, const char *tmpdir)
{
  if (q->n_disks == QSD_MAX_DISKS)
    return -1;
  q->files[q->n_disks] = xstrdup (file);
  q->sockets[q->n_disks] = xasprintf ("%s/vhost%d.sock", tmpdir, q->n_disks);
  q->n_disks++;
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
  char *argv[2 + 4 * QSD_MAX_DISKS + 1];
  int argc = 0;
  argv[argc++] = QSD;
  for (int k = 0; k < q->n_disks; k++) {
    char *file = drive_spec_escape (q->files[k]), *sock = drive_spec_escape (q->sockets[k]);
    argv[argc++] = "--blockdev";
    argv[argc++] = xasprintf ("driver=file,node-name=disk%d,filename=%s,"
                              "cache.direct=on,aio=threads", k, file);
    argv[argc++] = "--export";
    argv[argc++] = xasprintf ("type=vhost-user-blk,id=export%d,node-name=disk%d,"
                              "addr.type=unix,addr.path=%s,writable=on", k, k, sock);
    free (file);
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
    confine_helper ();   /* it has no -sandbox of its own (7.2) */
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
    free (q->files[k]);
    free (q->sockets[k]);
  }
  q->n_disks = 0;
}
