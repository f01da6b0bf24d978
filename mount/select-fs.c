/* select-fs.c: what gets mounted, following guestmount's -m and -i, and
 * choosing for the user when neither is given. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "backend-select/backend.h"
#include "backend-select/metadata-probe.h"
#include "common/cleanup.h"
#include "common/message.h"
#include "common/printable.h"
#include "common/xalloc.h"
#include "fsops/agent-client.h"
#include "fsops/guest-calls.h"
#include "mount/device-report.h"
#include "mount/find-root.h"
#include "mount/select-fs.h"

bool
fs_type_is_mountable (const char *type)
{
  static const char *const not_mountable[] = {
    "unknown", "swap", "LVM2_member", "linux_raid_member", "crypto_LUKS",
    "zfs_member", "isw_raid_member", "ddf_raid_member", "", NULL,
  };
  for (size_t k = 0; not_mountable[k]; k++)
    if (strcmp (type, not_mountable[k]) == 0)
      return false;
  return true;
}

/* Mounts DEVICE at PATH in the appliance; read-only mounts add "ro" so the
 * filesystem itself never writes (journal replay included, where the
 * filesystem allows). */
int
mount_in_appliance (guestfs_h *g, bool readonly, const char *device, const char *path,
                    const char *options, const char *fstype)
{
  char *opts = NULL;
  if (asprintf (&opts, "%s%s%s", readonly ? "ro" : "",
                readonly && options ? "," : "", options ? options : "") < 0)
    return -1;
  int e = guest_mount (g, opts, fstype, device, path);
  free (opts);
  return e;
}

static int
compare_path_length (const void *a, const void *b)
{
  const struct mount_spec *x = a, *y = b;
  size_t lx = strlen (x->path), ly = strlen (y->path);
  return lx < ly ? -1 : lx > ly;
}

static int
mount_specs (guestfs_h *g, const struct options *opts, char **err)
{
  /* Parents before children: / before /boot before /boot/efi. */
  struct mount_spec *specs = xreallocarray (NULL, opts->n_specs, sizeof *specs);
  memcpy (specs, opts->specs, opts->n_specs * sizeof *specs);
  qsort (specs, opts->n_specs, sizeof *specs, compare_path_length);
  int r = 0;
  for (size_t k = 0; k < opts->n_specs && r == 0; k++) {
    const struct mount_spec *s = &specs[k];
    if (mount_in_appliance (g, opts->readonly, s->device, s->path, s->options, s->fstype) == 0)
      continue;
    int blockdev = 0, lv = 0;
    if ((guest_is_blockdev (g, s->device, &blockdev) || !blockdev) &&
        (guest_is_lv (g, s->device, &lv) || !lv))
      r = error_set (err, "-m %s: no such device in the image; imgmount --list IMAGE lists them", s->device);
    else
      r = error_set (err, "-m %s: cannot mount it at %s: %s", s->device, s->path, guest_last_error (g));
  }
  free (specs);
  return r;
}

/* guestfs_inspect_get_mountpoints returns pairs: mountpoint, device. */
static int
mount_os (guestfs_h *g, const char *root, bool readonly, char **err)
{
  char **pairs;
  size_t n;
  if (guest_inspect_mountpoints (g, root, &pairs, &n))
    return error_set (err, "inspection of %s failed: %s", root, guest_last_error (g));
  /* Order by mountpoint length, a parent always being shorter. */
  for (size_t a = 0; a < n; a += 2)
    for (size_t b = a + 2; b < n; b += 2)
      if (strlen (pairs[b]) < strlen (pairs[a])) {
        char *m = pairs[a], *d = pairs[a + 1];
        pairs[a] = pairs[b];
        pairs[a + 1] = pairs[b + 1];
        pairs[b] = m;
        pairs[b + 1] = d;
      }
  int r = 0;
  for (size_t k = 0; k < n; k += 2)
    if (mount_in_appliance (g, readonly, pairs[k + 1], pairs[k], NULL, NULL)) {
      if (strcmp (pairs[k], "/") == 0) {
        r = error_set (err, "cannot mount the root filesystem %s: %s", pairs[k + 1], guest_last_error (g));
        break;
      }
      char *mountpoint = printable (pairs[k]), *device = printable (pairs[k + 1]);
      fprintf (stderr, "imgmount: warning: %s (%s) from the guest's fstab not mounted: %s\n",
               mountpoint, device, guest_last_error (g));
      free (mountpoint);
      free (device);
    }
  strings_free (pairs);
  return r;
}

struct candidate {
  const char *device, *type;
  int64_t size;
};

static int
by_size_descending (const void *a, const void *b)
{
  const struct candidate *x = a, *y = b;
  return x->size > y->size ? -1 : x->size < y->size;
}

static int
mount_largest (guestfs_h *g, struct candidate *c, size_t n, const struct options *opts,
               char **err)
{
  for (size_t k = 0; k < n; k++)
    if (guest_blockdev_size (g, c[k].device, &c[k].size))
      c[k].size = -1;
  qsort (c, n, sizeof *c, by_size_descending);
  for (size_t k = 0; k < n; k++)
    if (mount_in_appliance (g, opts->readonly, c[k].device, "/", NULL, NULL) == 0) {
      fprintf (stderr, "imgmount: %zu filesystems found; mounted the largest, %s (%s, %lld MiB); "
               "choose another with -m DEV (imgmount --list IMAGE lists them)\n",
               n, c[k].device, c[k].type, (long long) (c[k].size >> 20));
      return 0;
    }
  return error_set (err, "none of the %zu filesystems in the image could be mounted: %s",
               n, guest_last_error (g));
}

/* DEVICE's type, and in *BLKID everything blkid said of it (NULL when it
 * found no signature: vfs_type then says "" or what it finds). */
static int
device_type (guestfs_h *g, const char *device, char **type, char ***blkid)
{
  size_t n;
  *blkid = NULL;
  if (guest_blkid (g, device, blkid, &n))
    return guest_vfs_type (g, device, type);
  *type = NULL;
  for (char **p = *blkid; p[0]; p += 2)
    if (strcmp (p[0], "TYPE") == 0)
      *type = xstrdup (p[1]);
  if (!*type)
    *type = xstrdup ("");
  return 0;
}

/* Appends DEVICE and its TYPE and BLKID (all three taken) to OUT (N
 * strings so far, room for CAP) and IDS. */
static void
append_device (char *device, char *type, char **blkid, char ***out, char ****ids, size_t *n,
               size_t *cap)
{
  if (*n + 3 > *cap) {
    *cap = *cap ? 2 * *cap : 16;
    *out = xreallocarray (*out, *cap, sizeof **out);
    *ids = xreallocarray (*ids, *cap / 2, sizeof **ids);
  }
  (*ids)[*n / 2] = blkid;
  (*out)[(*n)++] = device;
  (*out)[(*n)++] = type;
  (*out)[*n] = NULL;
}

/* Appends the btrfs filesystem on DEVICE (its BLKID; both taken) and its
 * subvolumes but the default, named btrfsvol:DEVICE/PATH; false (nothing
 * appended, both freed) when the subvolumes cannot be listed.  The names
 * are made here, not taken from list_filesystems: that leaves the
 * appliance kernel's name for the disk in them (/dev/sdb1 when the
 * appliance's own disk was probed first), where DEVICE is guestfsd's
 * (/dev/sda1), and a subvolume must name the device find-root.c knows. */
static bool
add_btrfs (guestfs_h *g, char *device, char **blkid, char ***out, char ****ids, size_t *n,
           size_t *cap)
{
  AUTO_STRINGS char **subvolumes = NULL;
  if (guest_btrfs_subvolumes (g, device, &subvolumes)) {
    free (device);
    strings_free (blkid);
    return false;
  }
  append_device (device, xstrdup ("btrfs"), blkid, out, ids, n, cap);
  for (char **v = subvolumes; *v; v++)
    append_device (xasprintf ("btrfsvol:%s/%s", device, *v), xstrdup ("btrfs"), NULL, out, ids,
                   n, cap);
  return true;
}

/* Appends DEVICE and what blkid says of it; false when list_filesystems
 * must be asked instead. */
static bool
add_device (guestfs_h *g, const char *device, char ***out, char ****ids, size_t *n, size_t *cap)
{
  char *type = NULL, **blkid = NULL;
  if (device_type (g, device, &type, &blkid)) {
    strings_free (blkid);
    return false;
  }
  if (strcmp (type, "btrfs") == 0) {
    free (type);
    return add_btrfs (g, xstrdup (device), blkid, out, ids, n, cap);
  }
  append_device (xstrdup (device), type, blkid, out, ids, n, cap);
  return true;
}

/* Whether blkid's word on a whole disk, IDS (key, value, ... NULL), is
 * that it holds a filesystem or volume of its own and no partition table
 * blkid knows.  Then the partitions the kernel found there are not real:
 * UML's kernel has every partition parser, Acorn's among them, and about
 * one fresh ext4 image in 256 whose sector 6 happens to checksum like an
 * ADFS boot block gets a phantom partition a few hundred KiB long at its
 * start, which mount then refuses. */
static bool
holds_own_filesystem (char *const *ids)
{
  bool type = false;
  for (char *const *p = ids; p && p[0]; p += 2) {
    if (strcmp (p[0], "PTTYPE") == 0)
      return false;
    type |= strcmp (p[0], "TYPE") == 0 && p[1][0];
  }
  return type;
}

/* Whether DEVICE has partitions among PARTS that are real (see
 * holds_own_filesystem); *BLKID gets blkid's word on DEVICE when it was
 * asked for it, else stays NULL. */
static bool
is_partitioned (guestfs_h *g, const char *device, char *const *parts, char ***blkid)
{
  bool any = false;
  for (char *const *p = parts; *p && !any; p++) {
    AUTO_FREE char *parent = NULL;
    any = !guest_part_to_dev (g, *p, &parent) && strcmp (parent, device) == 0;
  }
  size_t n;
  if (any && !guest_blkid (g, device, blkid, &n) && holds_own_filesystem (*blkid))
    return false;
  strings_free (*blkid);
  *blkid = NULL;
  return any;
}

/* Whether partition PART belongs to one of the disks of UNPARTITIONED. */
static bool
on_disk_of (guestfs_h *g, const char *part, char *const *unpartitioned)
{
  if (!unpartitioned[0])
    return false;
  AUTO_FREE char *parent = NULL;
  if (guest_part_to_dev (g, part, &parent))
    return false;
  for (char *const *d = unpartitioned; *d; d++)
    if (strcmp (*d, parent) == 0)
      return true;
  return false;
}

/* What list_filesystems returns, for images with no MD or LDM volumes
 * (the appliance did not scan for them, see metadata-probe.c): the
 * filesystems on whole disks without partitions, on partitions and, with
 * LVS, on LVM's logical volumes, without list_filesystems's md, ldmtool
 * and per-volume runs, seconds under TCG and UML.  blkid (one run per
 * device, as vfs_type) also yields the labels and UUIDs an fstab names:
 * *BLKIDS gets them, one entry per pair.  NULL, to ask list_filesystems,
 * when a call fails. */
static char **
list_plain_filesystems (guestfs_h *g, bool lvs, char ****blkids)
{
  AUTO_STRINGS char **devices = NULL, **parts = NULL, **volumes = NULL;
  size_t n = 0, cap = 0;
  char **out = NULL, ***ids = NULL;
  bool ok = !guest_list_devices (g, &devices) && !guest_list_partitions (g, &parts) &&
            (!lvs || !guest_lvs (g, &volumes));
  /* Disks that hold a filesystem despite the kernel's partitions. */
  AUTO_STRINGS char **unpartitioned = xcalloc (1, sizeof (char *));
  size_t n_unpartitioned = 0;
  for (char **d = devices; ok && *d; d++) {
    char **blkid = NULL;
    if (is_partitioned (g, *d, parts, &blkid))
      continue;
    if (blkid) {
      unpartitioned = xreallocarray (unpartitioned, n_unpartitioned + 2, sizeof (char *));
      unpartitioned[n_unpartitioned++] = xstrdup (*d);
      unpartitioned[n_unpartitioned] = NULL;
    }
    strings_free (blkid);
    ok = add_device (g, *d, &out, &ids, &n, &cap);
  }
  for (char **p = parts; ok && *p; p++)
    ok = on_disk_of (g, *p, unpartitioned) || add_device (g, *p, &out, &ids, &n, &cap);
  for (char **v = volumes; ok && v && *v; v++)
    ok = add_device (g, *v, &out, &ids, &n, &cap);
  if (!ok || !out) {
    blkids_free (ids, out);
    strings_free (out);
    return NULL;
  }
  *blkids = ids;
  return out;
}

/* Whether P is a partition of the whole disk D (its name and digits). */
static bool
is_partition_of (const struct reported_device *p, const struct reported_device *d)
{
  size_t len = strlen (d->name);
  return strncmp (p->name, d->name, len) == 0 && p->name[len] >= '0' && p->name[len] <= '9';
}

/* Whether D is a whole disk with real partitions among the N devices of
 * DEVS (see holds_own_filesystem). */
static bool
has_partitions (const struct reported_device *d, const struct reported_device *devs, size_t n)
{
  for (size_t k = 0; k < n; k++)
    if (is_partition_of (&devs[k], d))
      return !holds_own_filesystem (d->ids);
  return false;
}

/* Whether P is a phantom: a partition of a disk in DEVS that holds a
 * filesystem of its own. */
static bool
is_phantom (const struct reported_device *p, const struct reported_device *devs, size_t n)
{
  for (size_t k = 0; k < n; k++)
    if (is_partition_of (p, &devs[k]) && holds_own_filesystem (devs[k].ids))
      return true;
  return false;
}

static const char *
reported_type (const struct reported_device *d)
{
  for (char **p = d->ids; p[0]; p += 2)
    if (strcmp (p[0], "TYPE") == 0)
      return p[1];
  return "";
}

/* list_plain_filesystems's answer from the agent's DEVICES report (one
 * request, one blkid run in the appliance, where guestfsd's way takes
 * list_devices, list_partitions, lvs and a blkid per device: 0.4 s under
 * TCG, 0.8 s under UML for a disk with /boot and an LVM root), with
 * guestfsd's list of subvolumes for a btrfs filesystem.  1 when the agent
 * cannot tell (then guestfsd is asked); 0 with *FS NULL when the
 * subvolumes could not be listed; -1 for a report that breaks the rules. */
static int
reported_filesystems (guestfs_h *g, struct agent_conn *agent, char ***fs, char ****blkids,
                      char **err)
{
  AUTO_FREE char *text = NULL;
  size_t len, n_devs = 0;
  struct reported_device *devs = NULL;
  *fs = NULL;
  if (!agent || agent_devices (agent, &text, &len) != 0)
    return 1;
  if (device_report_parse (text, len, &devs, &n_devs) != 0)
    return error_set (err, "the appliance's list of block devices breaks the protocol's rules "
                      "(%s); the image may be hostile", strerror (EIO));
  size_t n = 0, cap = 0;
  char **out = NULL, ***ids = NULL;
  /* Decided before the loop below takes the blkid words it reads. */
  bool *skip = xcalloc (n_devs + 1, sizeof *skip);
  for (size_t k = 0; k < n_devs; k++)
    skip[k] = has_partitions (&devs[k], devs, n_devs) || is_phantom (&devs[k], devs, n_devs);
  bool ok = true;
  for (size_t k = 0; k < n_devs && ok; k++) {
    struct reported_device *d = &devs[k];
    if (skip[k])
      continue;
    if (strcmp (reported_type (d), "btrfs") == 0)
      ok = add_btrfs (g, xstrdup (d->name), d->ids, &out, &ids, &n, &cap);
    else
      append_device (xstrdup (d->name), xstrdup (reported_type (d)), d->ids, &out, &ids, &n,
                     &cap);
    d->ids = NULL;
  }
  free (skip);
  device_report_free (devs, n_devs);
  if (!ok || !out) {
    blkids_free (ids, out);
    strings_free (out);
    return 0;
  }
  *fs = out;
  *blkids = ids;
  return 0;
}

/* No root with an fstab: libguestfs's inspection (Windows and its drive
 * letters, systems without os-release), else the largest filesystem. */
static int
mount_inspected (guestfs_h *g, struct candidate *c, size_t n, const struct options *opts,
                 char **err)
{
  AUTO_STRINGS char **roots = NULL;
  if (!guest_inspect_os (g, &roots) && roots[0] && !roots[1])
    return mount_os (g, roots[0], opts->readonly, err);
  if (roots && roots[0])
    return error_set (err, "several operating systems found (%s, %s, ...); choose one with -m DEV",
                      roots[0], roots[1]);
  return mount_largest (g, c, n, opts, err);
}

static int
mount_default (guestfs_h *g, struct agent_conn *agent, const struct options *opts,
               unsigned scans, char ***fs_types, char **err)
{
  char ***blkids = NULL;
  char **fs = NULL;
  /* MD and LDM volumes: only list_filesystems knows how to list them. */
  if (!(scans & ~SCAN_LVM)) {
    int r = reported_filesystems (g, agent, &fs, &blkids, err);
    if (r == -1)
      return -1;
    if (r == 1)
      fs = list_plain_filesystems (g, scans & SCAN_LVM, &blkids);
  }
  size_t n_fs;
  if (!fs && guest_list_filesystems (g, &fs, &n_fs))
    return error_set (err, "cannot list filesystems: %s", guest_last_error (g));
  size_t n = 0;
  struct candidate *c = NULL;
  for (size_t k = 0; fs[k]; k += 2)
    if (fs_type_is_mountable (fs[k + 1])) {
      c = xreallocarray (c, n + 1, sizeof *c);
      c[n++] = (struct candidate) { fs[k], fs[k + 1], 0 };
    }

  int r;
  if (n == 0)
    r = error_set (err, "%s: no filesystem found in the image%s", opts->images[0],
              opts->n_images > 1 ? "s" : "");
  else if (n == 1) {
    r = !mount_in_appliance (g, opts->readonly, c[0].device, "/", NULL, NULL) ? 0
      : error_set (err, "cannot mount %s (%s): %s", c[0].device, c[0].type, guest_last_error (g));
  }
  else {
    r = find_root_and_mount (g, fs, blkids, opts->readonly, opts->verbose, err);
    if (r == 1)
      r = mount_inspected (g, c, n, opts, err);
  }
  free (c);
  blkids_free (blkids, fs);
  *fs_types = fs;
  return r;
}

int
select_and_mount (guestfs_h *g, struct agent_conn *agent, const struct options *opts,
                  unsigned scans, char ***fs_types, char **err)
{
  *fs_types = NULL;
  return opts->n_specs > 0 ? mount_specs (g, opts, err)
                           : mount_default (g, agent, opts, scans, fs_types, err);
}
