/* guest-calls.c: the daemon's libguestfs calls, their replies checked
 * (see the header). */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/limits.h>
#include "common/cleanup.h"
#include "common/printable.h"
#include "common/reply-check.h"
#include "common/xalloc.h"
#include "fsops/errno-map.h"
#include "fsops/guest-calls.h"

int
guest_errno (guestfs_h *g)
{
  return errno_map (guestfs_last_errno (g));
}

const char *
guest_last_error (guestfs_h *g)
{
  static __thread char line[512];
  const char *msg = guestfs_last_error (g);
  if (!msg)
    return "unknown error";
  return printable_n (line, sizeof line, msg, strcspn (msg, "\n"));
}

int
guest_reject (const char *call, const char *why)
{
  static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
  static const char *logged[64];   /* CALLs are string literals */
  static size_t n_logged;
  bool seen = false;
  pthread_mutex_lock (&lock);
  for (size_t k = 0; k < n_logged && !seen; k++)
    seen = strcmp (logged[k], call) == 0;
  if (!seen && n_logged < ARRAY_SIZE (logged))
    logged[n_logged++] = call;
  pthread_mutex_unlock (&lock);
  if (!seen)
    fprintf (stderr, "imgmount: the appliance answered %s with %s; that call fails with EIO "
             "(the image may be hostile; later breaches of %s are not logged)\n", call, why, call);
  return EIO;
}

/* 0 if the last call (its result R, -1 on failure) succeeded, else its
 * errno: the form every call that returns no data ends in. */
static int
done (guestfs_h *g, int r)
{
  return r == -1 ? guest_errno (g) : 0;
}

/* ---- attributes ---- */

static bool
id_ok (int64_t id)
{
  return id >= 0 && id < (int64_t) UINT32_MAX;   /* (uid_t) -1 means "none" */
}

/* Converts an appliance stat to a host one, or returns EIO. */
static int
stat_from_guest (const char *call, const struct guestfs_statns *gs, struct stat *st)
{
  if (gs->st_mode < 0 || gs->st_mode > 0177777 || !reply_mode_ok ((uint32_t) gs->st_mode))
    return guest_reject (call, "a mode that no file has");
  if (gs->st_size < 0 || gs->st_blocks < 0 || gs->st_nlink < 0 || gs->st_blksize < 0)
    return guest_reject (call, "a negative size or count");
  if (!id_ok (gs->st_uid) || !id_ok (gs->st_gid))
    return guest_reject (call, "an owner out of range");
  if (!reply_nsec_ok (gs->st_atime_nsec) || !reply_nsec_ok (gs->st_mtime_nsec) ||
      !reply_nsec_ok (gs->st_ctime_nsec))
    return guest_reject (call, "a time with nanoseconds out of range");
  memset (st, 0, sizeof *st);
  st->st_dev = (dev_t) gs->st_dev;
  st->st_ino = (ino_t) gs->st_ino;
  st->st_mode = (mode_t) gs->st_mode;
  st->st_nlink = (nlink_t) gs->st_nlink;
  st->st_uid = (uid_t) gs->st_uid;
  st->st_gid = (gid_t) gs->st_gid;
  st->st_rdev = (dev_t) gs->st_rdev;
  st->st_size = (off_t) gs->st_size;
  st->st_blksize = (blksize_t) gs->st_blksize;
  st->st_blocks = (blkcnt_t) gs->st_blocks;
  st->st_atim.tv_sec = gs->st_atime_sec;
  st->st_atim.tv_nsec = gs->st_atime_nsec;
  st->st_mtim.tv_sec = gs->st_mtime_sec;
  st->st_mtim.tv_nsec = gs->st_mtime_nsec;
  st->st_ctim.tv_sec = gs->st_ctime_sec;
  st->st_ctim.tv_nsec = gs->st_ctime_nsec;
  return 0;
}

int
guest_lstat (guestfs_h *g, const char *path, struct stat *st)
{
  struct guestfs_statns *gs = guestfs_lstatns (g, path);
  if (!gs)
    return guest_errno (g);
  int e = stat_from_guest ("lstatns", gs, st);
  guestfs_free_statns (gs);
  return e;
}

int
guest_lstat_list (guestfs_h *g, const char *dir, char *const *names, size_t n,
                  struct stat *st, bool *present)
{
  struct guestfs_statns_list *list = guestfs_lstatnslist (g, dir, (char **) names);
  if (!list)
    return guest_errno (g);
  int e = list->len == n ? 0 : guest_reject ("lstatnslist", "a count other than the names asked");
  for (size_t k = 0; k < n && !e; k++) {
    /* guestfsd marks a name it could not stat with st_ino -1. */
    present[k] = list->val[k].st_ino != -1;
    if (present[k])
      e = stat_from_guest ("lstatnslist", &list->val[k], &st[k]);
  }
  guestfs_free_statns_list (list);
  return e;
}

/* ---- data ---- */

/* Copies what a pread-like call returned (DATA, LEN, for COUNT asked) into
 * BUF, or returns EIO for more than was asked. */
static int
take_read (guestfs_h *g, const char *call, char *data, size_t len, char *buf, size_t count,
           size_t *got)
{
  if (!data)
    return guest_errno (g);
  int e = len <= count ? 0 : guest_reject (call, "more bytes than were asked for");
  if (!e) {
    memcpy (buf, data, len);
    *got = len;
  }
  free (data);
  return e;
}

int
guest_pread (guestfs_h *g, const char *path, char *buf, size_t count, int64_t off, size_t *got)
{
  size_t len = 0;
  char *data = guestfs_pread (g, path, (int) count, off, &len);
  return take_read (g, "pread", data, len, buf, count, got);
}

int
guest_pread_device (guestfs_h *g, const char *device, char *buf, size_t count, int64_t off,
                    size_t *got)
{
  size_t len = 0;
  char *data = guestfs_pread_device (g, device, (int) count, off, &len);
  return take_read (g, "pread_device", data, len, buf, count, got);
}

/* ---- devices and filesystems ---- */

/* Keeps LIST (*N strings) if COUNT, what a reply_*_ok check made of it,
 * says it passed; else frees it and returns EIO. */
static int
take_list (guestfs_h *g, const char *call, char **list, ssize_t count, char ***out, size_t *n)
{
  if (!list)
    return guest_errno (g);
  if (count < 0) {
    strings_free (list);
    return guest_reject (call, "a list of the wrong shape or with unprintable strings");
  }
  *out = list;
  if (n)
    *n = (size_t) count;
  return 0;
}

int
guest_list_filesystems (guestfs_h *g, char ***pairs, size_t *n)
{
  char **list = guestfs_list_filesystems (g);
  return take_list (g, "list_filesystems", list, list ? reply_pairs_ok (list, false, false) : 0,
                    pairs, n);
}

int
guest_mountpoints (guestfs_h *g, char ***pairs, size_t *n)
{
  char **list = guestfs_mountpoints (g);
  return take_list (g, "mountpoints", list, list ? reply_pairs_ok (list, false, true) : 0,
                    pairs, n);
}

int
guest_inspect_mountpoints (guestfs_h *g, const char *root, char ***pairs, size_t *n)
{
  char **list = guestfs_inspect_get_mountpoints (g, root);
  return take_list (g, "inspect_get_mountpoints", list,
                    list ? reply_pairs_ok (list, true, false) : 0, pairs, n);
}

int
guest_list_devices (guestfs_h *g, char ***out)
{
  char **list = guestfs_list_devices (g);
  return take_list (g, "list_devices", list, list ? reply_list_ok (list, true) : 0, out, NULL);
}

int
guest_list_partitions (guestfs_h *g, char ***out)
{
  char **list = guestfs_list_partitions (g);
  return take_list (g, "list_partitions", list, list ? reply_list_ok (list, true) : 0, out,
                    NULL);
}

int
guest_lvs (guestfs_h *g, char ***out)
{
  char **list = guestfs_lvs (g);
  return take_list (g, "lvs", list, list ? reply_list_ok (list, true) : 0, out, NULL);
}

int
guest_inspect_os (guestfs_h *g, char ***roots)
{
  char **list = guestfs_inspect_os (g);
  return take_list (g, "inspect_os", list, list ? reply_list_ok (list, false) : 0, roots, NULL);
}

/* Keeps S if it passes CHECK. */
static int
take_string (guestfs_h *g, const char *call, char *s, bool (*check) (const char *),
             char **out)
{
  if (!s)
    return guest_errno (g);
  if (!check (s)) {
    free (s);
    return guest_reject (call, "an over-long or unprintable string");
  }
  *out = s;
  return 0;
}

int
guest_vfs_type (guestfs_h *g, const char *device, char **type)
{
  return take_string (g, "vfs_type", guestfs_vfs_type (g, device), reply_string_ok, type);
}

int
guest_vfs_label (guestfs_h *g, const char *device, char **label)
{
  return take_string (g, "vfs_label", guestfs_vfs_label (g, device), reply_text_ok, label);
}

int
guest_blkid (guestfs_h *g, const char *device, char ***pairs, size_t *n)
{
  char **list = guestfs_blkid (g, device);
  return take_list (g, "blkid", list, list ? reply_pairs_ok (list, false, false) : 0, pairs, n);
}

int
guest_part_to_dev (guestfs_h *g, const char *partition, char **device)
{
  return take_string (g, "part_to_dev", guestfs_part_to_dev (g, partition), reply_path_ok,
                      device);
}

int
guest_blockdev_size (guestfs_h *g, const char *device, int64_t *size)
{
  int64_t r = guestfs_blockdev_getsize64 (g, device);
  if (r == -1)
    return guest_errno (g);
  if (r < 0)
    return guest_reject ("blockdev_getsize64", "a negative size");
  *size = r;
  return 0;
}

static int
take_bool (guestfs_h *g, const char *call, int r, int *answer)
{
  if (r == -1)
    return guest_errno (g);
  if (r != 0 && r != 1)
    return guest_reject (call, "neither true nor false");
  *answer = r;
  return 0;
}

int
guest_is_blockdev (guestfs_h *g, const char *device, int *answer)
{
  return take_bool (g, "is_blockdev", guestfs_is_blockdev (g, device), answer);
}

int
guest_is_lv (guestfs_h *g, const char *device, int *answer)
{
  return take_bool (g, "is_lv", guestfs_is_lv (g, device), answer);
}

int
guest_btrfs_subvolumes (guestfs_h *g, const char *device, char ***paths)
{
  int64_t dflt = guestfs_btrfs_subvolume_get_default (g, device);
  if (dflt == -1)
    return guest_errno (g);
  struct guestfs_btrfssubvolume_list *list = guestfs_btrfs_subvolume_list (g, device);
  if (!list)
    return guest_errno (g);
  char **out = xcalloc ((size_t) list->len + 1, sizeof *out);
  size_t n = 0;
  bool ok = true;
  for (uint32_t k = 0; k < list->len && ok; k++) {
    const struct guestfs_btrfssubvolume *v = &list->val[k];
    ok = reply_relative_path_ok (v->btrfssubvolume_path);
    if (ok && (int64_t) v->btrfssubvolume_id != dflt)
      out[n++] = xstrdup (v->btrfssubvolume_path);
  }
  guestfs_free_btrfssubvolume_list (list);
  if (!ok) {
    strings_free (out);
    return guest_reject ("btrfs_subvolume_list", "a subvolume path that is not a relative path "
                         "of names");
  }
  *paths = out;
  return 0;
}

int
guest_mount (guestfs_h *g, const char *options, const char *fstype, const char *device,
             const char *mountpoint)
{
  return done (g, fstype ? guestfs_mount_vfs (g, options, fstype, device, mountpoint)
                         : guestfs_mount_options (g, options, device, mountpoint));
}

int
guest_umount_all (guestfs_h *g)
{
  return done (g, guestfs_umount_all (g));
}
