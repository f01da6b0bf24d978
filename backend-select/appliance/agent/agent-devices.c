/* agent-devices.c: the DEVICES request (common/agent-protocol.h): blkid's
 * word on every block device of the image, under the names guestfsd
 * gives them, from one run of ls and one of blkid.
 *
 * guestfsd names disks by their place in `ls -1v /dev/disk/by-path`, its
 * own root disk left out (daemon/device-name-translation.c in
 * libguestfs); the same listing, made by the same program, gives the same
 * names here.  Logical volumes are the device-mapper devices whose uuid
 * is LVM's "LVM-" and 64 characters: their hidden layers (-real, -cow,
 * -tpool, ...) carry a suffix, as lvs's lv_role=public leaves them out. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "backend-select/appliance/agent/agent-devices.h"
#include "common/agent-protocol.h"

#define BY_PATH "/dev/disk/by-path"
/* More than guestfsd takes (255 disks and their partitions). */
#define DEVICES_MAX 4096
#define LVM_UUID_LEN (4 + 64)

extern char **environ;

struct device {
  char kernel[PATH_MAX];   /* /dev/sdb1, /dev/mapper/vg0-root */
  char name[160];          /* what the host is told: /dev/sda1 */
  const char *block;       /* blkid's lines after DEVNAME, in its output */
  size_t block_len;
};

struct devices {
  struct device *d;
  size_t n;
};

/* Runs ARGV with its output into BUF (at most CAP bytes, *LEN got) and
 * its errors to /dev/null.  0, E2BIG when the output did not fit, or the
 * errno of what failed; ENOENT also when the program exits other than 0
 * and ANY_STATUS is false (blkid says 2 when a device holds nothing it
 * knows). */
static int
run_capture (char *const argv[], bool any_status, char *buf, size_t cap, size_t *len)
{
  int p[2];
  if (pipe2 (p, O_CLOEXEC) == -1)
    return errno;
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init (&fa);
  posix_spawn_file_actions_adddup2 (&fa, p[1], 1);
  posix_spawn_file_actions_addopen (&fa, 2, "/dev/null", O_WRONLY, 0);
  pid_t pid;
  int e = posix_spawnp (&pid, argv[0], &fa, NULL, argv, environ);
  posix_spawn_file_actions_destroy (&fa);
  close (p[1]);
  *len = 0;
  bool full = false;
  while (!e) {
    char scrap[4096];
    char *to = *len < cap ? buf + *len : scrap;
    size_t room = *len < cap ? cap - *len : sizeof scrap;
    ssize_t r = read (p[0], to, room);
    if (r == -1 && errno == EINTR)
      continue;
    if (r <= 0)
      break;
    if (to == scrap)
      full = true;
    else
      *len += (size_t) r;
  }
  close (p[0]);
  int status = 0;
  if (!e)
    while (waitpid (pid, &status, 0) == -1 && errno == EINTR)
      ;
  if (!e && !any_status && !(WIFEXITED (status) && WEXITSTATUS (status) == 0))
    e = ENOENT;
  return e ? e : full ? E2BIG : 0;
}

/* guestfsd's name of the INDEXth disk: sda ... sdz, sdaa ... */
static void
drive_name (size_t index, char *out)
{
  char rev[8];
  size_t n = 0;
  for (size_t i = index + 1; i > 0 && n < sizeof rev; i = (i - 1) / 26)
    rev[n++] = (char) ('a' + (i - 1) % 26);
  char *o = stpcpy (out, "/dev/sd");
  while (n > 0)
    *o++ = rev[--n];
  *o = '\0';
}

static bool
add (struct devices *ds, const char *kernel, const char *name)
{
  if (ds->n == DEVICES_MAX || strlen (kernel) >= PATH_MAX || strlen (name) >= sizeof ds->d->name)
    return false;
  struct device *d = &ds->d[ds->n++];
  strcpy (d->kernel, kernel);
  strcpy (d->name, name);
  return true;
}

/* Partitions of one disk by number, as guestfsd lists them (readdir's
 * order is the directory's). */
static int
by_number (const void *a, const void *b)
{
  const char *x = ((const struct device *) a)->name, *y = ((const struct device *) b)->name;
  size_t lx = strlen (x), ly = strlen (y);
  return lx != ly ? (lx < ly ? -1 : 1) : strcmp (x, y);
}

/* The disks in guestfsd's order, the root's left out; then the partitions
 * of each, in the order the kernel lists them. */
static int
add_disks (struct devices *ds, char *listing, size_t len, dev_t root)
{
  char *save, *line;
  size_t disks = 0, first = ds->n;
  listing[len] = '\0';
  for (line = strtok_r (listing, "\n", &save); line; line = strtok_r (NULL, "\n", &save)) {
    if (strstr (line, "-part"))
      continue;
    char link[PATH_MAX], real[PATH_MAX], name[64];
    struct stat st;
    errno = 0;
    if (snprintf (link, sizeof link, "%s/%s", BY_PATH, line) >= (int) sizeof link ||
        !realpath (link, real) || stat (real, &st) == -1)
      return errno ? errno : ENAMETOOLONG;
    if (st.st_rdev == root)
      continue;
    drive_name (disks++, name);
    if (!add (ds, real, name))
      return E2BIG;
  }
  for (size_t k = first, last = ds->n; k < last; k++) {
    size_t parts = ds->n;
    const char *base = strrchr (ds->d[k].kernel, '/') + 1;
    char dir[PATH_MAX];
    snprintf (dir, sizeof dir, "/sys/block/%s", base);
    DIR *d = opendir (dir);
    if (!d)
      return errno;
    size_t blen = strlen (base);
    struct dirent *e;
    bool ok = true;
    while (ok && (e = readdir (d))) {
      const char *num = e->d_name + blen;
      if (strncmp (e->d_name, base, blen) != 0 || !*num || strspn (num, "0123456789") != strlen (num))
        continue;
      char kernel[PATH_MAX], name[sizeof ds->d->name + NAME_MAX];
      snprintf (kernel, sizeof kernel, "/dev/%s", e->d_name);
      snprintf (name, sizeof name, "%s%s", ds->d[k].name, num);
      ok = add (ds, kernel, name);
    }
    closedir (d);
    if (!ok)
      return E2BIG;
    qsort (ds->d + parts, ds->n - parts, sizeof *ds->d, by_number);
  }
  return 0;
}

/* The first line of FILE, without its newline, into BUF; false if none. */
static bool
read_line (const char *file, char *buf, size_t size)
{
  FILE *f = fopen (file, "re");
  bool ok = f && fgets (buf, (int) size, f);
  if (f)
    fclose (f);
  if (ok)
    buf[strcspn (buf, "\n")] = '\0';
  return ok;
}

static int
by_name (const void *a, const void *b)
{
  return strcmp (((const struct device *) a)->name, ((const struct device *) b)->name);
}

/* LVM's logical volumes, by name, as lvs lists them. */
static int
add_volumes (struct devices *ds)
{
  size_t first = ds->n;
  DIR *d = opendir ("/sys/block");
  if (!d)
    return errno;
  struct dirent *e;
  bool ok = true;
  while (ok && (e = readdir (d))) {
    char file[PATH_MAX], uuid[256], name[256];
    if (strncmp (e->d_name, "dm-", 3) != 0)
      continue;
    snprintf (file, sizeof file, "/sys/block/%s/dm/uuid", e->d_name);
    if (!read_line (file, uuid, sizeof uuid) || strncmp (uuid, "LVM-", 4) != 0 ||
        strlen (uuid) != LVM_UUID_LEN)
      continue;
    snprintf (file, sizeof file, "/sys/block/%s/dm/name", e->d_name);
    if (!read_line (file, name, sizeof name))
      continue;
    char kernel[PATH_MAX];
    snprintf (kernel, sizeof kernel, "/dev/mapper/%s", name);
    ok = add (ds, kernel, kernel);
  }
  closedir (d);
  qsort (ds->d + first, ds->n - first, sizeof *ds->d, by_name);
  return ok ? 0 : E2BIG;
}

static ssize_t
find_kernel (const struct devices *ds, const char *kernel, size_t len)
{
  for (size_t k = 0; k < ds->n; k++)
    if (strlen (ds->d[k].kernel) == len && memcmp (ds->d[k].kernel, kernel, len) == 0)
      return (ssize_t) k;
  return -1;
}

/* blkid's output IN (LEN bytes, blocks that each start with "DEVNAME=")
 * into OUT with each DEVNAME renamed, in the order of DS rather than
 * blkid's.  *OUT_LEN: the bytes written. */
static int
rename_blocks (struct devices *ds, const char *in, size_t len, char *out, size_t cap,
               size_t *out_len)
{
  const char *end = in + len;
  for (const char *p = in; p < end;) {
    const char *nl = memchr (p, '\n', (size_t) (end - p));
    if (!nl)
      break;
    ssize_t k = nl - p > 8 && memcmp (p, "DEVNAME=", 8) == 0
                ? find_kernel (ds, p + 8, (size_t) (nl - p - 8)) : -1;
    p = nl + 1;
    const char *body = p;
    while (p < end && *p != '\n') {           /* to the empty line */
      nl = memchr (p, '\n', (size_t) (end - p));
      p = nl ? nl + 1 : end;
    }
    if (k >= 0) {
      ds->d[k].block = body;
      ds->d[k].block_len = (size_t) (p - body);
    }
    if (p < end)
      p++;
  }
  size_t used = 0;
  for (size_t k = 0; k < ds->n; k++) {
    if (!ds->d[k].block)
      continue;                 /* blkid found nothing there */
    int n = snprintf (out + used, cap - used, "%sDEVNAME=%s\n", used ? "\n" : "", ds->d[k].name);
    if (n < 0 || (size_t) n + ds->d[k].block_len >= cap - used)
      return E2BIG;
    used += (size_t) n;
    memcpy (out + used, ds->d[k].block, ds->d[k].block_len);
    used += ds->d[k].block_len;
  }
  *out_len = used;
  return 0;
}

int
agent_devices_report (char *out, size_t cap, size_t *out_len)
{
  struct stat root;
  if (stat ("/", &root) == -1)
    return errno;
  struct devices ds = { .d = calloc (DEVICES_MAX, sizeof *ds.d) };
  char *buf = malloc (cap + 1);
  char **argv = calloc (DEVICES_MAX + 8, sizeof *argv);
  size_t len;
  int e = !ds.d || !buf || !argv ? ENOMEM : 0;
  /* Without the listing (no udev links), guestfsd's names are not known
   * here: ENOENT, and the host asks guestfsd. */
  char *ls[] = { "ls", "-1v", BY_PATH, NULL };
  if (!e)
    e = run_capture (ls, false, buf, cap, &len);
  if (!e)
    e = add_disks (&ds, buf, len, root.st_dev);
  if (!e)
    e = add_volumes (&ds);
  *out_len = 0;
  if (!e && ds.n > 0) {
    char *head[] = { "blkid", "-c", "/dev/null", "-p", "-o", "export" };
    size_t n = sizeof head / sizeof *head;
    memcpy (argv, head, sizeof head);
    for (size_t k = 0; k < ds.n; k++)
      argv[n + k] = ds.d[k].kernel;
    e = run_capture (argv, true, buf, cap, &len);
    if (!e)
      e = rename_blocks (&ds, buf, len, out, cap, out_len);
  }
  free (argv);
  free (buf);
  free (ds.d);
  return e;
}
