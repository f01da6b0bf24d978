/* test-hostile-appliance.c: the daemon's mount code, linked against the
 * hostile appliance double (tests/hostile), given one hostile reply at a
 * time.
 *
 * libguestfs serves the mount alone (listing, inspection, mounting, and
 * fs_new's look at what is mounted); every file operation after it goes
 * to imgmount-agent, whose hostile double is test-agent-handles' and
 * test-agent-client's.  For each libguestfs call the mount makes and each
 * kind of reply a taken-over appliance could send it, the code must refuse
 * what breaks a rule, not walk off the end nor mount what a hostile list
 * names.  Run plain, under ASan/UBSan and under valgrind (as every unit
 * test): an overflow, a leak or a use after free fails it; an alarm fails
 * a hang. */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include "fsops/fsops-internal.h"
#include "backend-select/metadata-probe.h"
#include "tests/hostile/appliance-double.h"
#include "tests/unit/check.h"

/* ---- the script: one call gets one kind of reply ---- */

static struct {
  const char *call;
  enum reply_kind kind;
} script;

static enum reply_kind
scripted_kind (const char *call)
{
  return script.call && strcmp (call, script.call) == 0 ? script.kind : REPLY_HONEST;
}

static int
scripted_errno (void)
{
  return EIO;
}

static const struct double_driver scripted = { scripted_kind, scripted_errno };

static void
bend (const char *call, enum reply_kind kind)
{
  script.call = call;
  script.kind = kind;
}

static void
honest (void)
{
  script.call = NULL;
}

/* --list prints: not wanted in the test's output. */
static int
quiet_stdout (void)
{
  fflush (stdout);
  int saved = dup (1), null = open ("/dev/null", O_WRONLY);
  dup2 (null, 1);
  close (null);
  return saved;
}

static void
restore_stdout (int saved)
{
  fflush (stdout);
  dup2 (saved, 1);
  close (saved);
}

/* 1: lists of pairs with an odd count, escapes, over-long strings: the
 * mount code must refuse them, not walk off the end. */
static void
run_mount_cases (void)
{
  static const char *const calls[] = { "list_filesystems", "inspect_get_mountpoints",
                                       "list_devices", "list_partitions", "lvs", "blkid",
                                       "inspect_os", "mountpoints" };
  static const unsigned scans[] = { 0, SCAN_LVM, SCAN_ALL };
  static const enum reply_kind kinds[] = { REPLY_ODD, REPLY_ESCAPES, REPLY_OVERSIZE };
  int saved_stdout = quiet_stdout ();
  for (size_t c = 0; c < sizeof calls / sizeof calls[0]; c++)
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++)
      for (size_t v = 0; v < sizeof scans / sizeof scans[0]; v++) {
        double_start (&scripted);
        bend (calls[c], kinds[k]);
        double_mount_code (scans[v]);
        /* fs_new reads mountpoints for the names' case rules. */
        fs_names_are_exact (double_handle (), NULL);
      }
  restore_stdout (saved_stdout);
}

/* Is the root found on the btrfs disk @, with no other probed as one? */
static bool
root_is_at_alone (void)
{
  const char *first = double_root_mounted (0);
  return first && strcmp (first, "btrfsvol:/dev/sda1/@") == 0 && !double_root_mounted (1);
}

/* 2: the btrfs disk, its subvolumes named by list_filesystems with the
 * appliance kernel's name for the disk (tcg/51-fstab-roots saw it, one run
 * in several): the root must be @ with guestfsd's name, and its snapshot
 * no second system.  Then hostile subvolume lists: nothing they name is
 * mounted. */
static void
run_btrfs_cases (void)
{
  static const enum reply_kind kinds[] = { REPLY_FAIL, REPLY_BAD_NAME, REPLY_ESCAPES,
                                           REPLY_OVERSIZE, REPLY_UNDERSIZE, REPLY_NEGATIVE };
  int saved_stdout = quiet_stdout ();
  double_start (&scripted);
  honest ();
  double_btrfs_disk ();
  double_mount_code (0);
  CHECK (root_is_at_alone ());
  CHECK (double_calls ("list_filesystems") == 1);   /* --list's only */
  for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++)
    for (int call = 0; call < 2; call++) {
      double_start (&scripted);
      bend (call ? "btrfs_subvolume_get_default" : "btrfs_subvolume_list", kinds[k]);
      double_btrfs_disk ();
      double_mount_code (0);
      for (size_t j = 0; double_root_mounted (j); j++) {
        const char *root = double_root_mounted (j);
        CHECK (strlen (root) < 40 && !strstr (root, "..") && !strchr (root, '\033') &&
               !strstr (root, "//"));
      }
    }
  restore_stdout (saved_stdout);
}

/* 3: a whole-disk filesystem with a phantom partition, without the
 * agent's device report: the disk is mounted, not the phantom. */
static void
run_phantom_case (void)
{
  int saved_stdout = quiet_stdout ();
  double_start (&scripted);
  honest ();
  double_phantom_partition ();
  double_mount_code (0);
  const char *root = double_root_mounted (0);
  CHECK (root && strcmp (root, "/dev/sda") == 0 && !double_root_mounted (1));
  restore_stdout (saved_stdout);
}

/* Where sanitizer reports go, when built with them: they must not vanish
 * with the daemon's log below. */
extern void __sanitizer_set_report_fd (void *fd) __attribute__ ((weak));

int
main (void)
{
  alarm (60);   /* a hang fails the test */
  /* What the daemon logs of each breach (once per call) is wanted only
   * beside a failed check. */
  FILE *log = tmpfile ();
  if (!log)
    return 1;
  int saved_stderr = dup (2);
  if (__sanitizer_set_report_fd)
    __sanitizer_set_report_fd ((void *) (intptr_t) saved_stderr);
  dup2 (fileno (log), 2);
  run_mount_cases ();
  run_btrfs_cases ();
  run_phantom_case ();
  int r = CHECK_DONE ();
  fflush (stderr);
  dup2 (saved_stderr, 2);
  if (r) {
    char line[1024];
    rewind (log);
    while (fgets (line, sizeof line, log))
      fputs (line, stderr);
  }
  fclose (log);
  close (saved_stderr);
  return r;
}
