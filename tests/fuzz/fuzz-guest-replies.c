/* fuzz-guest-replies.c: the daemon's mount code with every appliance
 * reply chosen by the input (the hostile double of tests/hostile in place
 * of libguestfs).  libguestfs serves only the mount; the file operations
 * after it go to imgmount-agent (fuzz-agent-replies.c, fuzz-agent-ops.c).
 *
 * Input: a stream read as the run goes.  First u8 flags: bits 1-3 tell the
 * mount code (select_and_mount, list_filesystems) which volume scans the
 * appliance ran (SCAN_*), bit 4 makes the image the double's btrfs disk,
 * bit 0 adds fs_new's look at what is mounted (whether names compare byte
 * for byte).  Then each appliance call takes a u8: below 128 an honest
 * reply, else the kind of reply (modulo the kinds in appliance-double.h), a
 * failing one taking a u16 as its errno.  Reads past the end are zeros:
 * honest replies.
 *
 * Checks: the sanitizers' (no overflow, leak or use after free whatever
 * the replies) and libFuzzer's hang and memory limits. */
#include <fcntl.h>
#include <unistd.h>
#include "fsops/fsops-internal.h"
#include "tests/fuzz/target.h"
#include "backend-select/metadata-probe.h"
#include "tests/hostile/appliance-double.h"

static struct fuzz_input in;

static enum reply_kind
fuzzed_kind (const char *call)
{
  uint8_t b = fuzz_u8 (&in);
  return b < 128 ? REPLY_HONEST : (enum reply_kind) (b % N_REPLY_KINDS);
}

static int
fuzzed_errno (void)
{
  return (int16_t) fuzz_u16 (&in);
}

static const struct double_driver fuzzed = { fuzzed_kind, fuzzed_errno };

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  static int quiet = -1;
  if (quiet == -1) {
    /* --list prints, and guest-calls.c logs breaches: not wanted here. */
    quiet = open ("/dev/null", O_WRONLY);
    dup2 (quiet, 1);
  }
  in = fuzz_input (data, size);
  double_start (&fuzzed);
  uint8_t flags = fuzz_u8 (&in);
  if (flags & 16)
    double_btrfs_disk ();
  double_mount_code (flags >> 1 & SCAN_ALL);
  if (flags & 1)
    fs_names_are_exact (double_handle (), NULL);
  return 0;
}
