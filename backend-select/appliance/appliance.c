/* appliance.c: building and caching imgmount's appliance.
 *
 * supermin builds libguestfs's appliance (its supermin.d: packages, guestfsd,
 * base files) with imgmount-appliance-init as /init in place of
 * libguestfs's, around the host kernel (for qemu) or the UML kernel and its
 * modules (which libguestfs's own appliance cannot be).  libguestfs takes
 * it as a fixed appliance (guestfs_set_path), so no launch runs supermin.
 * The build takes seconds, so it is cached, keyed on everything it is made
 * from. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include "backend-select/cache-dir.h"
#include "backend-select/appliance/appliance.h"
#include "backend-select/appliance/initrd-trim.h"
#include "backend-select/appliance/kernel-unpack.h"
#include "common/cleanup.h"
#include "common/fnv1a.h"
#include "common/message.h"
#include "common/remove-tree.h"
#include "common/programs.h"
#include "common/xalloc.h"

/* Changes whenever the way an appliance is built changes. */
#define APPLIANCE_LAYOUT "imgmount-appliance-5"

static const char *const appliance_files[] = { "kernel", "initrd", "root", "README.fixed", "key" };

/* imgmount's own programs in the appliance, from helper_program: the init
 * (in place of libguestfs's init.tar.gz), the udevadm guestfsd runs, and
 * imgmount-agent, the file server. */
static const struct own_file {
  const char *program;
  const char *in_appliance;
} own_files[] = {
  { "imgmount-appliance-init", "./init" },
  { "imgmount-appliance-udevadm", "./usr/sbin/udevadm" },
  { "imgmount-agent", "./usr/sbin/imgmount-agent" },
};
#define N_OWN_FILES ARRAY_SIZE (own_files)

/* udev rules of the appliance's packages that match no device guestfsd
 * uses (its disks, their partitions, LVM and MD devices, its channel), and
 * cost udevd time to read at every boot: masked by a link to /dev/null of
 * the same name in /etc/udev/rules.d. */
static const char *const udev_rules_not_needed[] = {
  "50-firmware.rules", "60-autosuspend.rules", "60-cdrom_id.rules", "60-drm.rules",
  "60-evdev.rules", "60-fido-id.rules", "60-infiniband.rules", "60-input-id.rules",
  "60-persistent-alsa.rules", "60-persistent-input.rules",
  "60-persistent-storage-tape.rules", "60-persistent-v4l.rules", "60-sensor.rules",
  "60-serial.rules", "70-camera.rules", "70-joystick.rules", "70-memory.rules",
  "70-mouse.rules", "70-power-switch.rules", "70-touchpad.rules", "70-uaccess.rules",
  "71-seat.rules", "73-seat-late.rules", "73-special-net-names.rules",
  "75-net-description.rules", "75-probe_mtd.rules", "78-sound-card.rules",
  "80-net-setup-link.rules", "81-net-dhcp.rules", "85-hwclock.rules",
  "96-e2scrub.rules", "99-systemd.rules",
};
#define UDEV_RULES_DIR "./etc/udev/rules.d"

/* The version directory of the UML kernel's modules (the newest one). */
static char *
uml_modules_version (void)
{
  DIR *dir = opendir (UML_MODULES);
  if (!dir)
    return NULL;
  char *best = NULL;
  struct dirent *d;
  while ((d = readdir (dir)) != NULL)
    if (d->d_name[0] != '.' && (!best || strverscmp (d->d_name, best) > 0)) {
      free (best);
      best = xstrdup (d->d_name);
    }
  closedir (dir);
  return best;
}

int
uml_installed (char **why)
{
  *why = NULL;
  if (access (UML_KERNEL, X_OK) == -1) {
    *why = xasprintf ("%s: %s (install the user-mode-linux package)", UML_KERNEL, strerror (errno));
    return 0;
  }
  AUTO_FREE char *version = uml_modules_version ();
  if (!version) {
    *why = xasprintf ("%s: no UML kernel modules (reinstall user-mode-linux)", UML_MODULES);
    return 0;
  }
  return 1;
}

/* Appends " PATH=SIZE:MTIME" (or "=missing") to *KEY. */
static void
key_add_file (char **key, const char *path)
{
  struct stat st;
  char *more = stat (path, &st) == 0
    ? xasprintf ("%s %s=%lld:%lld", *key, path, (long long) st.st_size, (long long) st.st_mtime)
    : xasprintf ("%s %s=missing", *key, path);
  free (*key);
  *key = more;
}

/* key_add_file for each entry of DIR whose name starts with PREFIX, in
 * name order. */
static void
key_add_dir (char **key, const char *dir, const char *prefix)
{
  struct dirent **names;
  int n = scandir (dir, &names, NULL, alphasort);
  for (int k = 0; k < n; k++) {
    if (names[k]->d_name[0] != '.' && strncmp (names[k]->d_name, prefix, strlen (prefix)) == 0) {
      AUTO_FREE char *path = xasprintf ("%s/%s", dir, names[k]->d_name);
      key_add_file (key, path);
    }
    free (names[k]);
  }
  if (n >= 0)
    free (names);
}

/* One line naming every input of the build with its size and mtime: the
 * kernel(s) supermin may pick, libguestfs's supermin.d, and our own files
 * (OWN, paths in the order of own_files). */
static char *
appliance_key (enum appliance_kernel kernel, const char *supermin_d, char *const *own)
{
  char *key;
  if (kernel == APPLIANCE_UML_KERNEL) {
    AUTO_FREE char *version = uml_modules_version ();
    key = xasprintf ("%s uml-modules=%s", APPLIANCE_LAYOUT, version ? version : "none");
    key_add_file (&key, UML_KERNEL);
  } else {
    key = xasprintf ("%s host-kernel", APPLIANCE_LAYOUT);
    key_add_dir (&key, "/boot", "vmlinuz-");
  }
  key_add_dir (&key, supermin_d, "");
  for (size_t k = 0; k < N_OWN_FILES; k++)
    key_add_file (&key, own[k]);
  return key;
}

static int
key_matches (const char *dir, const char *key)
{
  AUTO_FREE char *file = xasprintf ("%s/key", dir);
  FILE *fp = fopen (file, "re");
  if (!fp)
    return 0;
  char *line = NULL;
  size_t cap = 0;
  int match = getline (&line, &cap, fp) > 0 && strcmp (strtok (line, "\n"), key) == 0;
  free (line);
  fclose (fp);
  return match;
}

static void
remove_appliance (const char *dir)
{
  for (size_t k = 0; k < ARRAY_SIZE (appliance_files); k++) {
    AUTO_FREE char *f = xasprintf ("%s/%s", dir, appliance_files[k]);
    unlink (f);
  }
  rmdir (dir);
}

static int
write_file (const char *dir, const char *name, const char *text)
{
  AUTO_FREE char *path = xasprintf ("%s/%s", dir, name);
  FILE *fp = fopen (path, "we");
  if (!fp)
    return -1;
  fprintf (fp, "%s\n", text);
  return fclose (fp);
}

/* Removes the appliances named PREFIX-* other than KEEP that no running
 * mount holds: those built from a kernel, libguestfs or init that has
 * since changed; and PREFIX itself, where imgmount's first development
 * versions kept their single appliance (they held its lock only while
 * building: one of them still mounting at that moment would lose it). */
static void
remove_unused (const char *prefix, const char *keep)
{
  AUTO_FREE char *cache = cache_dir_path ("");
  DIR *dir = cache ? opendir (cache) : NULL;
  struct dirent *d;
  size_t plen = strlen (prefix);
  while (dir && (d = readdir (dir)) != NULL) {
    const char *n = d->d_name;
    if (strncmp (n, prefix, plen) != 0 || (n[plen] != '-' && n[plen] != '\0') ||
        strcmp (n, keep) == 0 || strchr (n, '.'))
      continue;
    AUTO_FREE char *path = xasprintf ("%s%s", cache, n);
    AUTO_FREE char *lock = xasprintf ("%s.lock", path);
    int fd = open (lock, O_RDWR | O_CLOEXEC);
    if (fd >= 0 && flock (fd, LOCK_EX | LOCK_NB) == 0) {
      remove_appliance (path);
      unlink (lock);
    }
    if (fd >= 0)
      close (fd);
  }
  if (dir)
    closedir (dir);
}

/* PREFIX.latest, a symbolic link to NAME: the appliance for scripts that
 * run libguestfs tools on imgmount's appliance (contrib/bench). */
static void
point_latest_at (const char *prefix, const char *name)
{
  AUTO_FREE char *link_name = xasprintf ("%s.latest", prefix);
  AUTO_FREE char *link = cache_dir_path (link_name);
  AUTO_FREE char *tmp = link ? xasprintf ("%s.%d", link, (int) getpid ()) : NULL;
  if (tmp && (symlink (name, tmp) == -1 || rename (tmp, link) == -1))
    unlink (tmp);
}

/* Links every file supermin's package set needs from SUPERMIN_D into
 * INPUT, except libguestfs's init.tar.gz, which make_init_tarball
 * replaces. */
static int
link_supermin_inputs (const char *input, const char *supermin_d, char **err)
{
  DIR *dir = opendir (supermin_d);
  if (!dir)
    return error_set (err, "%s: %s (is libguestfs installed?)", supermin_d, strerror (errno));
  struct dirent *d;
  int r = 0;
  while (r == 0 && (d = readdir (dir)) != NULL) {
    if (d->d_name[0] == '.' || strcmp (d->d_name, "init.tar.gz") == 0)
      continue;
    AUTO_FREE char *from = xasprintf ("%s/%s", supermin_d, d->d_name);
    AUTO_FREE char *to = xasprintf ("%s/%s", input, d->d_name);
    if (symlink (from, to) == -1)
      r = error_set (err, "%s: %s", to, strerror (errno));
  }
  closedir (dir);
  return r;
}

/* Masks, under STAGE, the udev rules the appliance does not need. */
static int
stage_udev_masks (const char *stage, char **err)
{
  AUTO_FREE char *rules = xasprintf ("%s/%s", stage, UDEV_RULES_DIR);
  char *mkdir_rules[] = { "mkdir", "-p", rules, NULL };
  int r = 0;
  if (run_program (mkdir_rules, -1, -1, true) != 0)
    r = error_set (err, "%s: cannot create it", rules);
  for (size_t k = 0; r == 0 && k < ARRAY_SIZE (udev_rules_not_needed); k++) {
    AUTO_FREE char *mask = xasprintf ("%s/%s", rules, udev_rules_not_needed[k]);
    if (symlink ("/dev/null", mask) == -1)
      r = error_set (err, "%s: %s", mask, strerror (errno));
  }
  return r;
}

/* Copies our programs (OWN[k]), executable, to their places under STAGE. */
static int
stage_own_files (const char *stage, char *const *own, char **err)
{
  int r = 0;
  for (size_t k = 0; r == 0 && k < N_OWN_FILES; k++) {
    AUTO_FREE char *staged = xasprintf ("%s/%s", stage, own_files[k].in_appliance);
    char *copy[] = { "install", "-D", "-m", "0755", own[k], staged, NULL };
    if (run_program (copy, -1, -1, true) != 0)
      r = error_set (err, "cannot package %s for the appliance", own[k]);
  }
  return r;
}

/* Writes INPUT/init.tar.gz, which supermin unpacks over the appliance's
 * root: the udev masks and our programs, owned by root. */
static int
make_init_tarball (const char *input, char *const *own, char **err)
{
  AUTO_FREE char *stage = xasprintf ("%s/stage", input);
  AUTO_FREE char *tarball = xasprintf ("%s/init.tar.gz", input);
  char *tar[8 + N_OWN_FILES + 1] = { "tar", "-C", stage, "-czf", tarball,
                                     "--owner=root", "--group=root", UDEV_RULES_DIR };
  size_t n = 8;
  for (size_t k = 0; k < N_OWN_FILES; k++)
    tar[n++] = (char *) own_files[k].in_appliance;
  tar[n] = NULL;
  int r = stage_udev_masks (stage, err);
  if (r == 0)
    r = stage_own_files (stage, own, err);
  if (r == 0 && run_program (tar, -1, -1, true) != 0)
    r = error_set (err, "cannot package imgmount's files for the appliance");
  remove_tree (stage);
  return r;
}

/* The supermin input: libguestfs's supermin.d (linked) with our own
 * files (OWN) in place of its init.tar.gz, in the new directory INPUT. */
static int
make_input (const char *input, const char *supermin_d, char *const *own, char **err)
{
  if (mkdir (input, 0755) == -1)
    return error_set (err, "%s: %s", input, strerror (errno));
  if (link_supermin_inputs (input, supermin_d, err) == -1)
    return -1;
  return make_init_tarball (input, own, err);
}

/* Runs supermin from INPUT into OUT, for KERNEL. */
static int
run_supermin (enum appliance_kernel kernel, const char *input, const char *out,
              int verbose, char **err)
{
  if (kernel == APPLIANCE_UML_KERNEL) {
    AUTO_FREE char *version = uml_modules_version ();
    AUTO_FREE char *modules = xasprintf ("%s/%s", UML_MODULES, version ? version : "none");
    setenv ("SUPERMIN_KERNEL", UML_KERNEL, 1);
    setenv ("SUPERMIN_MODULES", modules, 1);
    setenv ("SUPERMIN_KERNEL_VERSION", version ? version : "none", 1);
  }
  char *argv[] = { "supermin", "--build", "--copy-kernel", "-f", "ext2",
                   "--host-cpu", "x86_64", "-o", (char *) out, (char *) input, NULL };
  int status = run_program (argv, -1, -1, !verbose);
  unsetenv ("SUPERMIN_KERNEL");
  unsetenv ("SUPERMIN_MODULES");
  unsetenv ("SUPERMIN_KERNEL_VERSION");
  if (status == 127)
    return error_set (err, "cannot run supermin (install the supermin package)");
  if (status != 0)
    return error_set (err, "supermin failed to build the appliance (run with -v -v to see why)");
  return 0;
}

static int
build (enum appliance_kernel kernel, const char *dir, const char *supermin_d,
       char *const *own, const char *key, int verbose, char **err)
{
  AUTO_FREE char *tmp = xasprintf ("%s.new.%d", dir, (int) getpid ());
  AUTO_FREE char *input = xasprintf ("%s.input.%d", dir, (int) getpid ());
  remove_appliance (tmp);
  remove_tree (input);
  int r = -1;
  if (verbose)
    fprintf (stderr, "imgmount: building the appliance in %s\n", dir);
  if (mkdir (tmp, 0755) == -1)
    error_set (err, "%s: %s", tmp, strerror (errno));
  else if (make_input (input, supermin_d, own, err) == 0 &&
           run_supermin (kernel, input, tmp, verbose, err) == 0) {
    if (kernel == APPLIANCE_HOST_KERNEL) {
      AUTO_FREE char *path = xasprintf ("%s/kernel", tmp);
      kernel_unpack (path, verbose);
    }
    AUTO_FREE char *initrd = xasprintf ("%s/initrd", tmp);
    initrd_trim (initrd, verbose);
    /* A fixed appliance is one libguestfs uses as it is (no supermin run). */
    if (write_file (tmp, "README.fixed", "appliance built by imgmount") == -1 ||
        write_file (tmp, "key", key) == -1)
      error_set (err, "writing to %s: %s", tmp, strerror (errno));
    else {
      remove_appliance (dir);
      if (rename (tmp, dir) == -1)
        error_set (err, "%s: %s", dir, strerror (errno));
      else
        r = 0;
    }
  }
  if (r == -1)
    remove_appliance (tmp);
  remove_tree (input);
  return r;
}

char *
appliance_dir (enum appliance_kernel kernel, const char *libguestfs_path, int verbose,
               char **err)
{
  AUTO_FREE char *supermin_d = xasprintf ("%s/supermin.d", libguestfs_path);
  char *own[N_OWN_FILES];
  const char *missing = NULL;
  for (size_t k = 0; k < N_OWN_FILES; k++) {
    own[k] = helper_program (own_files[k].program);
    if (!missing && access (own[k], R_OK) == -1)
      missing = own[k];
  }
  AUTO_FREE char *key = appliance_key (kernel, supermin_d, own);
  /* Named after its key: an appliance in use is never rebuilt under a
   * running mount, and two imgmount versions never take turns rebuilding
   * one directory. */
  AUTO_FREE char *name = xasprintf ("%s-%016llx", kernel == APPLIANCE_UML_KERNEL ? "uml-appliance"
                          : "appliance", (unsigned long long) fnv1a_string (key));
  char *dir = cache_dir_path (name);
  AUTO_FREE char *lock_name = xasprintf ("%s.lock", name);
  AUTO_FREE char *lock = cache_dir_path (lock_name);
  int fd = lock ? open (lock, O_RDWR | O_CREAT | O_CLOEXEC, 0644) : -1;
  if (!dir || fd == -1) {
    error_set (err, "no cache directory for the appliance (set HOME or IMGMOUNT_CACHE_DIR)");
    free (dir);
    dir = NULL;
  } else if (missing) {
    error_set (err, "%s is missing (reinstall imgmount)", missing);
    free (dir);
    dir = NULL;
  } else {
    /* In use for as long as this process (the mount's daemon) lives: a
     * shared lock, which keeps remove_unused from removing it and lets any
     * number of mounts use it.  Only a build takes the lock for itself:
     * one build at a time, the others wait and then use it (an appliance
     * that is not built yet has no users to wait for). */
    flock (fd, LOCK_SH);
    if (!key_matches (dir, key)) {
      flock (fd, LOCK_EX);
      if (!key_matches (dir, key) &&
          build (kernel, dir, supermin_d, own, key, verbose, err) == -1) {
        free (dir);
        dir = NULL;
      }
      flock (fd, LOCK_SH);
    }
    if (dir) {
      fd = -1;
      const char *prefix = kernel == APPLIANCE_UML_KERNEL ? "uml-appliance" : "appliance";
      remove_unused (prefix, name);
      point_latest_at (prefix, name);
    }
  }
  if (fd >= 0)
    close (fd);
  for (size_t k = 0; k < N_OWN_FILES; k++)
    free (own[k]);
  return dir;
}
