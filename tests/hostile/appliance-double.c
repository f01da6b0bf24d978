/* appliance-double.c: the libguestfs calls of the daemon, answered by a
 * hostile stand-in (see appliance-double.h).
 *
 * Honest replies come from a small tree kept here: /, /d, /d/f, /d/l (a
 * symlink to f), /d/e (a directory), /g; files created through the double
 * join it.  Everything a reply returns is allocated the way libguestfs
 * allocates it, so that the daemon's frees (and the double's guestfs_free_*
 * below) match. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "common/cleanup.h"
#include "mount/list.h"
#include "mount/options.h"
#include "mount/select-fs.h"
#include "tests/hostile/appliance-double.h"

#define MAX_NODES 64
#define MAX_CALLS 96
#define MIB (1024 * 1024)

struct node {
  char path[256];
  int64_t ino, mode, size;
};

static const struct node initial[] = {
  { "/", 2, S_IFDIR | 0755, 4096 },
  { "/d", 10, S_IFDIR | 0755, 4096 },
  { "/d/f", 11, S_IFREG | 0644, 100 },
  { "/d/l", 12, S_IFLNK | 0777, 1 },
  { "/d/e", 13, S_IFDIR | 0755, 4096 },
  { "/g", 14, S_IFREG | 0644, 5000 },
};

static struct {
  const struct double_driver *driver;
  struct node nodes[MAX_NODES];
  size_t n_nodes;
  int64_t next_ino;
  int last_errno;
  struct { const char *call; unsigned count; } calls[MAX_CALLS];
  size_t n_calls;
  bool btrfs;                      /* double_btrfs_disk's image */
  bool phantom;                    /* double_phantom_partition's */
  char root[64];                   /* what is mounted at / ("": nothing) */
  char roots[4][64];               /* each mountable mounted at /, once */
  size_t n_roots;
} d;

/* Nothing in it is read: any address will do. */
static char handle_bytes[16];

guestfs_h *
double_handle (void)
{
  return (guestfs_h *) handle_bytes;
}

void
double_start (const struct double_driver *driver)
{
  d.driver = driver;
  memcpy (d.nodes, initial, sizeof initial);
  d.n_nodes = sizeof initial / sizeof initial[0];
  d.next_ino = 100;
  d.last_errno = 0;
  d.n_calls = 0;
  d.btrfs = false;
  d.phantom = false;
  d.root[0] = '\0';
  d.n_roots = 0;
}

static int add_node (const char *path, int64_t mode);

void
double_btrfs_disk (void)
{
  d.btrfs = true;
  add_node ("/etc", S_IFDIR | 0755);
  add_node ("/etc/os-release", S_IFREG | 0644);
}

void
double_phantom_partition (void)
{
  d.phantom = true;
}

const char *
double_root_mounted (size_t k)
{
  return k < d.n_roots ? d.roots[k] : NULL;
}

/* Notes that DEVICE is mounted at MOUNTPOINT. */
static void
mounted (const char *device, const char *mountpoint)
{
  if (strcmp (mountpoint, "/") != 0)
    return;
  snprintf (d.root, sizeof d.root, "%s", device);
  for (size_t k = 0; k < d.n_roots; k++)
    if (strcmp (d.roots[k], device) == 0)
      return;
  if (d.n_roots < sizeof d.roots / sizeof d.roots[0])
    snprintf (d.roots[d.n_roots++], sizeof d.roots[0], "%s", device);
}

unsigned
double_calls (const char *call)
{
  for (size_t k = 0; k < d.n_calls; k++)
    if (strcmp (d.calls[k].call, call) == 0)
      return d.calls[k].count;
  return 0;
}

static void
count (const char *call)
{
  for (size_t k = 0; k < d.n_calls; k++)
    if (strcmp (d.calls[k].call, call) == 0) {
      d.calls[k].count++;
      return;
    }
  if (d.n_calls < MAX_CALLS)
    d.calls[d.n_calls++] = (typeof (d.calls[0])) { call, 1 };
}

/* Every call starts here: counted, and its kind of reply chosen.  A
 * failing call sets the errno it fails with. */
static enum reply_kind
begin (const char *call)
{
  count (call);
  enum reply_kind k = d.driver ? d.driver->kind (call) : REPLY_HONEST;
  if (k == REPLY_FAIL)
    d.last_errno = d.driver->errno_value ();
  return k;
}

/* ---- the honest tree ---- */

static struct node *
find (const char *path)
{
  /* On the btrfs disk, only the subvolumes hold a system. */
  if (d.btrfs && strncmp (path, "/etc", 4) == 0 && strncmp (d.root, "btrfsvol:", 9) != 0)
    return NULL;
  for (size_t k = 0; k < d.n_nodes; k++)
    if (strcmp (d.nodes[k].path, path) == 0)
      return &d.nodes[k];
  return NULL;
}

/* The directory holding PATH ("/" for "/" itself). */
static struct node *
parent_of (const char *path)
{
  char dir[256];
  snprintf (dir, sizeof dir, "%s", path);
  char *slash = strrchr (dir, '/');
  if (!slash || slash == dir)
    return &d.nodes[0];
  *slash = '\0';
  return find (dir);
}

static int
fail_with (int e)
{
  d.last_errno = e;
  return -1;
}

/* The node at PATH, or NULL failing with ENOENT, as a missing file does. */
static const struct node *
existing (const char *path)
{
  const struct node *n = find (path);
  if (!n)
    fail_with (ENOENT);
  return n;
}

static int
add_node (const char *path, int64_t mode)
{
  if (find (path))
    return fail_with (EEXIST);
  if (d.n_nodes == MAX_NODES || strlen (path) >= sizeof d.nodes[0].path)
    return fail_with (ENOSPC);
  struct node *n = &d.nodes[d.n_nodes++];
  snprintf (n->path, sizeof n->path, "%s", path);
  n->ino = d.next_ino++;
  n->mode = mode;
  n->size = 0;
  return 0;
}

static void *
xcalloc (size_t n, size_t size)
{
  void *p = calloc (n ? n : 1, size);
  if (!p)
    abort ();
  return p;
}

static char *
xstrdup (const char *s)
{
  char *p = strdup (s);
  if (!p)
    abort ();
  return p;
}

/* A string of N copies of C. */
static char *
repeated (char c, size_t n)
{
  char *s = xcalloc (n + 1, 1);
  memset (s, c, n);
  return s;
}

static char **
strings (const char *const *list, size_t n)
{
  char **out = xcalloc (n + 1, sizeof *out);
  for (size_t k = 0; k < n; k++)
    out[k] = xstrdup (list[k]);
  return out;
}

/* ---- state and errors ---- */

int
guestfs_last_errno (guestfs_h *g)
{
  return d.last_errno;
}

const char *
guestfs_last_error (guestfs_h *g)
{
  /* What a taken-over guestfsd may put into an error message. */
  return "failed \033]0;owned\007\033[2J";
}

int
guestfs_get_verbose (guestfs_h *g)
{
  return 0;
}

int
guestfs_set_event_callback (guestfs_h *g, guestfs_event_callback cb, uint64_t events,
                            int flags, void *opaque)
{
  return 0;
}

/* ---- attributes ---- */

static void
fill_stat (struct guestfs_statns *s, const struct node *n)
{
  memset (s, 0, sizeof *s);
  s->st_dev = 7;   /* the agent double's too (AD_DEV): fs_new compares the roots */
  s->st_ino = n->ino;
  s->st_mode = n->mode;
  s->st_nlink = 1;
  s->st_size = n->size;
  s->st_blksize = 4096;
  s->st_blocks = (n->size + 511) / 512;
  s->st_mtime_sec = 1700000000;
}

/* Bends an honest stat of PATH as KIND says. */
static void
bend_stat (struct guestfs_statns *s, const char *path, enum reply_kind kind)
{
  const struct node *p = parent_of (path);
  switch (kind) {
  case REPLY_ANCESTOR: if (p) s->st_ino = p->ino; break;
  case REPLY_ROOT: s->st_ino = d.nodes[0].ino; break;
  case REPLY_BAD_MODE: s->st_mode = 0170644; break;
  case REPLY_NEGATIVE: s->st_size = -4096; break;
  case REPLY_BAD_TIME: s->st_mtime_nsec = 3000000000; break;
  default: break;
  }
}

struct guestfs_statns *
guestfs_lstatns (guestfs_h *g, const char *path)
{
  enum reply_kind kind = begin ("lstatns");
  if (kind == REPLY_FAIL)
    return NULL;
  const struct node *n = existing (path);
  if (!n)
    return NULL;
  struct guestfs_statns *s = xcalloc (1, sizeof *s);
  fill_stat (s, n);
  bend_stat (s, path, kind);
  return s;
}

void
guestfs_free_statns (struct guestfs_statns *s)
{
  free (s);
}

struct guestfs_statns_list *
guestfs_lstatnslist (guestfs_h *g, const char *dir, char *const *names)
{
  enum reply_kind kind = begin ("lstatnslist");
  if (kind == REPLY_FAIL)
    return NULL;
  size_t n = 0;
  while (names[n])
    n++;
  size_t len = kind == REPLY_OVERSIZE ? n + 1 : kind == REPLY_UNDERSIZE && n ? n - 1 : n;
  struct guestfs_statns_list *list = xcalloc (1, sizeof *list);
  list->len = (uint32_t) len;
  list->val = xcalloc (len, sizeof *list->val);
  for (size_t k = 0; k < len; k++) {
    char path[600];
    snprintf (path, sizeof path, "%s/%s", strcmp (dir, "/") ? dir : "",
              k < n ? names[k] : "extra");
    if (k < n && strcmp (names[k], ".") == 0)
      snprintf (path, sizeof path, "%s", dir);
    const struct node *node = find (path);
    if (!node) {
      list->val[k].st_ino = -1;   /* as guestfsd marks a name it could not stat */
      continue;
    }
    fill_stat (&list->val[k], node);
    /* The directory's own stat ("."), bent too: its parent's identity. */
    bend_stat (&list->val[k], path, kind);
    if (kind == REPLY_ANCESTOR)
      list->val[k].st_ino = find (dir) ? find (dir)->ino : 2;
  }
  return list;
}

void
guestfs_free_statns_list (struct guestfs_statns_list *list)
{
  if (list)
    free (list->val);
  free (list);
}

/* ---- directories ---- */

/* ---- data ---- */

/* COUNT bytes for a read that asked for COUNT at OFF of SIZE, bent. */
static char *
read_reply (enum reply_kind kind, int count, int64_t off, int64_t size, size_t *size_r)
{
  int64_t left = size - off;
  size_t n = left <= 0 ? 0 : left < count ? (size_t) left : (size_t) count;
  if (kind == REPLY_OVERSIZE)
    n = (size_t) count + MIB;
  *size_r = n;
  return repeated ('x', n);
}

char *
guestfs_pread (guestfs_h *g, const char *path, int count, int64_t off, size_t *size_r)
{
  enum reply_kind kind = begin ("pread");
  if (kind == REPLY_FAIL)
    return NULL;
  const struct node *n = existing (path);
  if (!n)
    return NULL;
  return read_reply (kind, count, off, n->size, size_r);
}

char *
guestfs_pread_device (guestfs_h *g, const char *device, int count, int64_t off, size_t *size_r)
{
  enum reply_kind kind = begin ("pread_device");
  if (kind == REPLY_FAIL)
    return NULL;
  return read_reply (kind, count, off, 64 * MIB, size_r);
}

/* ---- extended attributes ---- */

/* ---- calls that answer only success or an errno ---- */

/* What every such call returns: -1 when failing, else 0, or what the
 * honest tree made of it (HONEST_RESULT). */
static int
plain (const char *call, int honest_result)
{
  return begin (call) == REPLY_FAIL ? -1 : honest_result;
}

int guestfs_lsetxattr (guestfs_h *g, const char *x, const char *v, int len, const char *p) { return plain ("lsetxattr", 0); }
int guestfs_lremovexattr (guestfs_h *g, const char *x, const char *p) { return plain ("lremovexattr", 0); }
int guestfs_acl_set_file (guestfs_h *g, const char *p, const char *t, const char *a) { return plain ("acl_set_file", 0); }
int guestfs_acl_delete_def_file (guestfs_h *g, const char *p) { return plain ("acl_delete_def_file", 0); }
int guestfs_lchown (guestfs_h *g, int uid, int gid, const char *p) { return plain ("lchown", 0); }
int guestfs_chmod (guestfs_h *g, int mode, const char *p) { return plain ("chmod", 0); }
int guestfs_truncate_size (guestfs_h *g, const char *p, int64_t size) { return plain ("truncate_size", 0); }
int guestfs_utimens (guestfs_h *g, const char *p, int64_t a, int64_t an, int64_t m, int64_t mn) { return plain ("utimens", 0); }
int guestfs_sync (guestfs_h *g) { return plain ("sync", 0); }

int
guestfs_umount_all (guestfs_h *g)
{
  if (plain ("umount_all", 0))
    return -1;
  d.root[0] = '\0';
  return 0;
}

int
guestfs_mount_vfs (guestfs_h *g, const char *o, const char *t, const char *dev, const char *mp)
{
  if (plain ("mount_vfs", 0))
    return -1;
  mounted (dev, mp);
  return 0;
}

int
guestfs_mount_options (guestfs_h *g, const char *o, const char *dev, const char *mp)
{
  if (plain ("mount_options", 0))
    return -1;
  mounted (dev, mp);
  return 0;
}

/* ---- devices and filesystems ---- */

/* CALL's list of strings: HONEST (N of them), or bent. */
static char **
string_list (const char *call, const char *const *honest, size_t n)
{
  static const char *const odd[] = { "/dev/sda", "ext4", "/dev/sdb" };
  static const char *const escapes[] = { "/dev/sda\033[2J", "ext4\033]0;owned\007" };
  switch (begin (call)) {
  case REPLY_FAIL: return NULL;
  case REPLY_ODD: return strings (odd, 3);
  case REPLY_ESCAPES: return strings (escapes, 2);
  case REPLY_OVERSIZE: {
    char **out = xcalloc (3, sizeof *out);
    out[0] = repeated ('/', 5000);
    out[1] = repeated ('e', 5000);
    return out;
  }
  default: return strings (honest, n);
  }
}

#define LIST(call, ...) \
  string_list (call, (const char *const[]) { __VA_ARGS__ }, \
               sizeof ((const char *const[]) { __VA_ARGS__ }) / sizeof (const char *))

/* Two filesystems, so that the mount code looks for a root among them.
 * The btrfs disk's subvolumes carry the appliance kernel's name for the
 * disk, as guestfsd's list_filesystems leaves it when the kernel probed
 * the appliance's own disk first (it took sda): only the plain device's
 * name is guestfsd's. */
char **
guestfs_list_filesystems (guestfs_h *g)
{
  if (d.btrfs)
    return LIST ("list_filesystems", "/dev/sda1", "btrfs", "btrfsvol:/dev/sdb1/@", "btrfs",
                 "btrfsvol:/dev/sdb1/@snap", "btrfs");
  return LIST ("list_filesystems", "/dev/sda", "ext4", "/dev/sdb", "xfs");
}
char **guestfs_mountpoints (guestfs_h *g) { return LIST ("mountpoints", "/dev/sda", "/"); }

char **
guestfs_list_devices (guestfs_h *g)
{
  if (d.btrfs || d.phantom)
    return LIST ("list_devices", "/dev/sda");
  return LIST ("list_devices", "/dev/sda", "/dev/sdb");
}

char **
guestfs_list_partitions (guestfs_h *g)
{
  if (d.btrfs || d.phantom)
    return LIST ("list_partitions", "/dev/sda1");
  return string_list ("list_partitions", NULL, 0);
}

char **guestfs_inspect_os (guestfs_h *g) { return LIST ("inspect_os", "/dev/sda"); }
char **guestfs_lvs (guestfs_h *g) { return LIST ("lvs", "/dev/vg/lv"); }

char **
guestfs_blkid (guestfs_h *g, const char *dev)
{
  if (d.btrfs && strcmp (dev, "/dev/sda") == 0)
    return LIST ("blkid", "PTTYPE", "gpt");      /* the disk its partition is on */
  if (d.btrfs)
    return LIST ("blkid", "LABEL", "BTR", "TYPE", "btrfs");
  return LIST ("blkid", "LABEL", "ROOT", "TYPE", "ext4");
}

int64_t
guestfs_btrfs_subvolume_get_default (guestfs_h *g, const char *fs)
{
  enum reply_kind kind = begin ("btrfs_subvolume_get_default");
  return kind == REPLY_FAIL ? -1 : kind == REPLY_NEGATIVE ? -4096 : 5;
}

/* @ and its snapshot @snap, under the top level (5, the default). */
struct guestfs_btrfssubvolume_list *
guestfs_btrfs_subvolume_list (guestfs_h *g, const char *fs)
{
  static const char *const honest[] = { "@", "@snap" };
  static const char *const bad[] = { "../../etc", "/@", "@/./x", "", "@\033[2J" };
  enum reply_kind kind = begin ("btrfs_subvolume_list");
  if (kind == REPLY_FAIL)
    return NULL;
  size_t n = kind == REPLY_OVERSIZE || kind == REPLY_BAD_NAME ? 5 : kind == REPLY_UNDERSIZE ? 0 : 2;
  struct guestfs_btrfssubvolume_list *list = xcalloc (1, sizeof *list);
  list->len = (uint32_t) n;
  list->val = xcalloc (n, sizeof *list->val);
  for (size_t k = 0; k < n; k++) {
    list->val[k].btrfssubvolume_id = 256 + k;
    list->val[k].btrfssubvolume_top_level_id = 5;
    list->val[k].btrfssubvolume_path =
      kind == REPLY_OVERSIZE ? repeated ('v', 5000)
      : kind == REPLY_BAD_NAME ? xstrdup (bad[k])
      : kind == REPLY_ESCAPES ? xstrdup ("@\033]0;owned\007") : xstrdup (honest[k]);
  }
  return list;
}

void
guestfs_free_btrfssubvolume_list (struct guestfs_btrfssubvolume_list *list)
{
  for (uint32_t k = 0; list && k < list->len; k++)
    free (list->val[k].btrfssubvolume_path);
  if (list)
    free (list->val);
  free (list);
}

char **
guestfs_inspect_get_mountpoints (guestfs_h *g, const char *root)
{
  return LIST ("inspect_get_mountpoints", "/", "/dev/sda", "/boot", "/dev/sdb");
}

/* One string: HONEST, or bent. */
static char *
one_string (const char *call, const char *honest)
{
  enum reply_kind kind = begin (call);
  switch (kind) {
  case REPLY_FAIL: return NULL;
  case REPLY_ESCAPES: return xstrdup ("\033[31mred\033[0m\r");
  case REPLY_OVERSIZE: return repeated ('s', 5000);
  case REPLY_UNDERSIZE: return xstrdup ("");
  default: return xstrdup (honest);
  }
}

char *guestfs_vfs_type (guestfs_h *g, const char *dev) { return one_string ("vfs_type", d.btrfs ? "btrfs" : "ext4"); }
char *guestfs_vfs_label (guestfs_h *g, const char *dev) { return one_string ("vfs_label", "ROOT"); }
char *guestfs_part_to_dev (guestfs_h *g, const char *part) { return one_string ("part_to_dev", "/dev/sda"); }

int64_t
guestfs_blockdev_getsize64 (guestfs_h *g, const char *dev)
{
  enum reply_kind kind = begin ("blockdev_getsize64");
  return kind == REPLY_FAIL ? -1 : kind == REPLY_NEGATIVE ? -4096 : 64 * MIB;
}

static int
bool_reply (const char *call, int honest)
{
  enum reply_kind kind = begin (call);
  return kind == REPLY_FAIL ? -1 : kind == REPLY_OVERSIZE ? 7 : honest;
}

int guestfs_is_blockdev (guestfs_h *g, const char *dev) { return bool_reply ("is_blockdev", 0); }
int guestfs_is_lv (guestfs_h *g, const char *dev) { return bool_reply ("is_lv", 0); }

void
double_mount_code (unsigned scans)
{
  struct options opts = { .mode = RUN_MOUNT };
  char *images[] = { (char *) "hostile.img", NULL };
  opts.images = images;
  opts.n_images = 1;
  char **fs_types = NULL, *err = NULL;
  select_and_mount (double_handle (), NULL, &opts, scans, &fs_types, &err);
  strings_free (fs_types);
  free (err);
  err = NULL;
  list_filesystems (double_handle (), scans != 0, &err);
  free (err);
}
