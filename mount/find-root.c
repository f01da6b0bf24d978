/* find-root.c: an operating system's root found with a few appliance calls
 * per filesystem (a mount, one stat call, one read, an unmount), where
 * libguestfs's inspection also identifies the distribution, its packages
 * and applications with Augeas over many files: seconds under TCG.  Then
 * the mounts the root's fstab names, resolved against the listing and
 * blkid.  The fstab is image data: mount/fstab.c parses it with bounds. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include "common/cleanup.h"
#include "common/message.h"
#include "common/printable.h"
#include "common/xalloc.h"
#include "fsops/guest-calls.h"
#include "mount/find-root.h"
#include "mount/fstab.h"
#include "mount/select-fs.h"

#define BTRFSVOL "btrfsvol:"
#define NONE ((size_t) -1)

struct candidate {
  const char *mountable;   /* as listed: /dev/sda1, /dev/vg0/root, btrfsvol:/dev/sda2/@ */
  size_t device;           /* a btrfs subvolume's plain candidate, else itself or NONE */
  char **blkid;            /* key, value pairs, once asked */
  bool blkid_asked;
  bool accounted;          /* the chosen root, or on a device its fstab names */
};

struct search {
  guestfs_h *g;
  int verbose;
  struct candidate *c;
  size_t n;
};

static bool
is_subvolume (const char *mountable)
{
  return strncmp (mountable, BTRFSVOL, strlen (BTRFSVOL)) == 0;
}

/* The guest's own names for its disks, as libguestfs names them:
 * /dev/vda1 (virtio), /dev/xvda1 (Xen), /dev/hda1 (IDE) are /dev/sda1; so
 * is /dev/ubda1, which UML's appliance leaves in btrfs subvolume names. */
static char *
appliance_name (const char *device)
{
  static const char *const prefixes[] = { "/dev/vd", "/dev/xvd", "/dev/hd", "/dev/ubd" };
  for (size_t k = 0; k < ARRAY_SIZE (prefixes); k++) {
    size_t len = strlen (prefixes[k]);
    if (strncmp (device, prefixes[k], len) == 0 && device[len] >= 'a' && device[len] <= 'z')
      return xasprintf ("/dev/sd%s", device + len);
  }
  return xstrdup (device);
}

/* btrfsvol:DEVICE/SUBVOLUME names its device only by position: the
 * longest plain candidate followed by '/' is it. */
static size_t
device_of (const struct search *s, size_t k)
{
  if (!is_subvolume (s->c[k].mountable))
    return k;
  AUTO_FREE char *m = appliance_name (s->c[k].mountable + strlen (BTRFSVOL));
  size_t best = NONE, best_len = 0;
  for (size_t j = 0; j < s->n; j++) {
    const char *d = s->c[j].mountable;
    size_t len = strlen (d);
    if (!is_subvolume (d) && len > best_len && strncmp (m, d, len) == 0 && m[len] == '/')
      best = j, best_len = len;
  }
  return best;
}

/* What blkid already said of candidate K under KEY, without asking. */
static const char *
known (const struct candidate *c, const char *key)
{
  for (char **p = c->blkid; p && p[0]; p += 2)
    if (strcmp (p[0], key) == 0)
      return p[1];
  return NULL;
}

/* Probes go likeliest first, so that a usual image is settled by its
 * first: 2 for an LV or label called root (root, rootfs, ROOTFS) and for
 * btrfs's "@"; 0 for what /boot and EFI partitions use; 1 otherwise. */
static int
root_likeness (const struct candidate *c)
{
  const char *base = strrchr (c->mountable, '/');
  base = base ? base + 1 : c->mountable;
  const char *label = known (c, "LABEL"), *type = known (c, "TYPE");
  if (strcasestr (base, "root") || strcmp (base, "@") == 0 || (label && strcasestr (label, "root")))
    return 2;
  if ((type && (strcmp (type, "vfat") == 0 || strcmp (type, "ext2") == 0)) ||
      (label && (strcasestr (label, "boot") || strcasestr (label, "efi"))))
    return 0;
  return 1;
}

/* Reads the /etc/fstab that ST describes; NULL (said on stderr) when it is
 * larger than any fstab or cannot be read. */
static char *
read_fstab (struct search *s, size_t k, const struct stat *st, size_t *len)
{
  *len = 0;
  char *text = NULL;
  if (st->st_size > FSTAB_MAX_BYTES)
    fprintf (stderr, "imgmount: warning: %s: /etc/fstab is %lld bytes, more than any fstab; "
             "only the root is mounted\n", s->c[k].mountable, (long long) st->st_size);
  else {
    text = xmalloc ((size_t) st->st_size + 1);
    if (guest_pread (s->g, "/etc/fstab", text, (size_t) st->st_size, 0, len)) {
      fprintf (stderr, "imgmount: warning: %s: cannot read /etc/fstab: %s\n",
               s->c[k].mountable, guest_last_error (s->g));
      free (text);
      text = NULL;
    }
  }
  return text;
}

/* True when candidate K holds an os-release file (in /etc or /usr/lib);
 * then *TEXT is its /etc/fstab (NULL: none, or said why) and K stays
 * mounted read-only at /, else nothing is mounted. */
static bool
probe (struct search *s, size_t k, char **text, size_t *len)
{
  *text = NULL;
  *len = 0;
  if (mount_in_appliance (s->g, true, s->c[k].mountable, "/", NULL, NULL))
    return false;
  char *names[] = { (char *) "fstab", (char *) "os-release", NULL };
  struct stat st[2], osr;
  bool present[2] = { false, false };
  bool root = !guest_lstat_list (s->g, "/etc", names, 2, st, present) &&
              (present[1] || !guest_lstat (s->g, "/usr/lib/os-release", &osr));
  if (root && present[0] && S_ISREG (st[0].st_mode))
    *text = read_fstab (s, k, &st[0], len);
  else if (root && s->verbose)
    fprintf (stderr, "imgmount: %s: no /etc/fstab; only the root is mounted\n", s->c[k].mountable);
  if (!root)
    guest_umount_all (s->g);
  return root;
}

static const char *
blkid_value (struct search *s, size_t k, const char *key)
{
  struct candidate *c = &s->c[k];
  if (!c->blkid_asked) {
    c->blkid_asked = true;
    size_t n;
    if (guest_blkid (s->g, c->mountable, &c->blkid, &n))
      c->blkid = NULL;
  }
  return known (c, key);
}

static bool
matches (struct search *s, size_t k, const struct fstab_entry *e, const char *device)
{
  /* blkid -p's names for GPT partition fields. */
  static const char *const keys[] = {
    [FSTAB_LABEL] = "LABEL", [FSTAB_UUID] = "UUID",
    [FSTAB_PARTUUID] = "PART_ENTRY_UUID", [FSTAB_PARTLABEL] = "PART_ENTRY_NAME",
  };
  if (e->kind == FSTAB_DEVICE)
    return strcmp (s->c[k].mountable, e->key) == 0 || strcmp (s->c[k].mountable, device) == 0;
  if (e->kind == FSTAB_OTHER)
    return false;
  const char *v = blkid_value (s, k, keys[e->kind]);
  if (!v)
    return false;
  if (e->kind == FSTAB_UUID || e->kind == FSTAB_PARTUUID)
    return strcasecmp (v, e->key) == 0;
  AUTO_FREE char *decoded = fstab_blkid_decode (v);
  return strcmp (v, e->key) == 0 || strcmp (decoded, e->key) == 0;
}

/* The plain candidate (a device, not a subvolume) that entry E names. */
static size_t
resolve (struct search *s, const struct fstab_entry *e)
{
  AUTO_FREE char *device = appliance_name (e->key);
  for (size_t k = 0; k < s->n; k++)
    if (!is_subvolume (s->c[k].mountable) && matches (s, k, e, device))
      return k;
  return NONE;
}

/* Marks device K and every subvolume on it: a snapshot of the root is no
 * second operating system. */
static void
account_device (struct search *s, size_t k)
{
  for (size_t j = 0; j < s->n; j++)
    if (j == k || (s->c[j].device == k && k != NONE))
      s->c[j].accounted = true;
}

static void
account (struct search *s, size_t root, const struct fstab *fstab)
{
  s->c[root].accounted = true;
  account_device (s, s->c[root].device);
  for (size_t k = 0; k < fstab->n; k++)
    if (!fstab->entries[k].skip && strcmp (fstab->entries[k].file, "/") != 0) {
      size_t d = resolve (s, &fstab->entries[k]);
      if (d != NONE)
        account_device (s, d);
    }
}

static void
say_skipped (const struct search *s, const struct fstab_entry *e, const char *why)
{
  if (!s->verbose)
    return;
  AUTO_FREE char *file = printable (e->file), *spec = printable (e->spec);
  fprintf (stderr, "imgmount: fstab line %u: %s (%s) not mounted: %s\n", e->line, file, spec, why);
}

static size_t
depth (const char *path)
{
  size_t n = 0;
  for (const char *p = path; *p; p++)
    n += *p == '/';
  return strcmp (path, "/") == 0 ? 0 : n;
}

/* The fstab's order, parents before children (a stable sort by depth):
 * a child listed first would be hidden by its parent. */
static size_t *
mount_order (const struct fstab *fstab)
{
  size_t *order = xreallocarray (NULL, fstab->n + 1, sizeof *order);
  for (size_t k = 0; k < fstab->n; k++) {
    size_t j = k;
    for (; j > 0 && depth (fstab->entries[order[j - 1]].file) > depth (fstab->entries[k].file); j--)
      order[j] = order[j - 1];
    order[j] = k;
  }
  return order;
}

static bool
mounted_before (const struct fstab *fstab, const size_t *order, size_t upto, const char *file)
{
  for (size_t k = 0; k < upto; k++)
    if (!fstab->entries[order[k]].skip && strcmp (fstab->entries[order[k]].file, file) == 0)
      return true;
  return false;
}

static void
mount_entry (struct search *s, const struct fstab_entry *e, bool readonly)
{
  size_t d = resolve (s, e);
  if (d == NONE) {
    say_skipped (s, e, "the image holds no such filesystem");
    return;
  }
  AUTO_FREE char *opts = e->subvol ? xasprintf ("subvol=%s", e->subvol) : NULL;
  if (mount_in_appliance (s->g, readonly, s->c[d].mountable, e->file, opts, NULL) == 0)
    return;
  AUTO_FREE char *file = printable (e->file);
  fprintf (stderr, "imgmount: warning: %s (%s) from the guest's fstab not mounted: %s\n",
           file, s->c[d].mountable, guest_last_error (s->g));
}

/* Mounts ROOT at / (KEPT: it is there already, read-only) as asked. */
static int
mount_root (struct search *s, size_t root, bool kept, bool readonly)
{
  if (kept && readonly)
    return 0;
  if (kept)
    return mount_in_appliance (s->g, false, s->c[root].mountable, "/", "remount,rw", NULL);
  return mount_in_appliance (s->g, readonly, s->c[root].mountable, "/", NULL, NULL);
}

static int
mount_root_and_fstab (struct search *s, size_t root, bool kept, const struct fstab *fstab,
                      bool readonly, char **err)
{
  if (mount_root (s, root, kept, readonly))
    return error_set (err, "cannot mount the root filesystem %s: %s", s->c[root].mountable,
                      guest_last_error (s->g));
  if (s->verbose)
    fprintf (stderr, "imgmount: root: %s (it holds an os-release file)\n",
             s->c[root].mountable);
  AUTO_FREE size_t *order = mount_order (fstab);
  for (size_t k = 0; k < fstab->n; k++) {
    const struct fstab_entry *e = &fstab->entries[order[k]];
    if (e->skip)
      say_skipped (s, e, e->skip);
    else if (strcmp (e->file, "/") == 0)
      continue;
    else if (mounted_before (fstab, order, k, e->file))
      say_skipped (s, e, "an earlier line mounts there");
    else
      mount_entry (s, e, readonly);
  }
  return 0;
}

/* Candidate indexes, likeliest roots first. */
static size_t *
probe_order (const struct search *s)
{
  size_t *order = xreallocarray (NULL, s->n + 1, sizeof *order), n = 0;
  for (int likeness = 2; likeness >= 0; likeness--)
    for (size_t k = 0; k < s->n; k++)
      if (root_likeness (&s->c[k]) == likeness)
        order[n++] = k;
  return order;
}

static struct fstab
parse_fstab (const char *root, const char *text, size_t len)
{
  struct fstab fstab = { NULL, 0 };
  AUTO_FREE char *err = NULL;
  if (text && fstab_parse (text, len, &fstab, &err))
    fprintf (stderr, "imgmount: warning: %s: /etc/fstab not used (%s); only the root is mounted\n",
             root, err);
  return fstab;
}

/* Probes the candidates; *CHOSEN is the first root found, its fstab in
 * *FSTAB, and *CHOSEN stays mounted read-only at / when no other needed a
 * probe after it.  Returns how many roots there were. */
static size_t
find_roots (struct search *s, size_t *chosen, struct fstab *fstab, bool *kept)
{
  AUTO_FREE size_t *order = probe_order (s);
  size_t n_roots = 0, other = NONE, mounted = NONE;
  for (size_t j = 0; j < s->n; j++) {
    size_t k = order[j];
    char *text;
    size_t len;
    if (s->c[k].accounted)
      continue;
    if (mounted != NONE)
      guest_umount_all (s->g);
    mounted = NONE;
    if (!probe (s, k, &text, &len))
      continue;
    mounted = k;
    if (n_roots++ == 0) {
      *chosen = k;
      *fstab = parse_fstab (s->c[k].mountable, text, len);
      account (s, k, fstab);
    }
    else {
      other = k;
      account (s, k, &(struct fstab) { NULL, 0 });
    }
    free (text);
  }
  *kept = n_roots > 0 && mounted == *chosen;
  if (mounted != NONE && !*kept)
    guest_umount_all (s->g);
  if (n_roots > 1)
    fprintf (stderr, "imgmount: %zu operating systems found (%s, %s%s); mounted %s and its fstab; "
             "choose another with -m DEV\n", n_roots, s->c[*chosen].mountable,
             s->c[other].mountable, n_roots > 2 ? ", ..." : "", s->c[*chosen].mountable);
  return n_roots;
}

void
blkids_free (char ***blkids, char *const *fs)
{
  for (size_t k = 0; blkids && fs && fs[k]; k += 2)
    strings_free (blkids[k / 2]);
  free (blkids);
}

int
find_root_and_mount (guestfs_h *g, char *const *fs, char **const *blkids, bool readonly,
                     int verbose, char **err)
{
  struct search s = { .g = g, .verbose = verbose };
  for (size_t k = 0; fs[k]; k += 2)
    if (fs_type_is_mountable (fs[k + 1])) {
      s.c = xreallocarray (s.c, s.n + 1, sizeof *s.c);
      s.c[s.n++] = (struct candidate) { .mountable = fs[k],
                                        .blkid = blkids ? blkids[k / 2] : NULL,
                                        .blkid_asked = blkids != NULL };
    }
  for (size_t k = 0; k < s.n; k++)
    s.c[k].device = device_of (&s, k);

  size_t root = NONE;
  struct fstab fstab = { NULL, 0 };
  bool kept = false;
  int r = find_roots (&s, &root, &fstab, &kept) == 0 ? 1
        : mount_root_and_fstab (&s, root, kept, &fstab, readonly, err);
  fstab_free (&fstab);
  for (size_t k = 0; k < s.n && !blkids; k++)
    strings_free (s.c[k].blkid);
  free (s.c);
  return r;
}
