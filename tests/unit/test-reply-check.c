/* test-reply-check.c: the rules for values from the appliance. */
#include <sys/stat.h>
#include "common/reply-check.h"
#include "check.h"

static void
test_names (void)
{
  char longest[REPLY_NAME_MAX + 2];
  memset (longest, 'n', sizeof longest);
  longest[REPLY_NAME_MAX] = '\0';
  CHECK (reply_name_ok ("f") && reply_name_ok ("...") && reply_name_ok (".hidden"));
  CHECK (reply_name_ok ("tab\there") && reply_name_ok ("\xc3\xa9"));   /* bytes are names */
  CHECK (reply_name_ok (longest));
  longest[REPLY_NAME_MAX] = 'n';
  longest[REPLY_NAME_MAX + 1] = '\0';
  CHECK (!reply_name_ok (longest));
  CHECK (!reply_name_ok ("") && !reply_name_ok (".") && !reply_name_ok (".."));
  CHECK (!reply_name_ok ("a/b") && !reply_name_ok ("/") && !reply_name_ok ("../x"));
}

static void
test_strings (void)
{
  CHECK (reply_string_ok ("") && reply_string_ok ("ext4") && reply_string_ok ("btrfsvol:/dev/sda2/root"));
  CHECK (!reply_string_ok ("ext4\033[2J") && !reply_string_ok ("a\nb") && !reply_string_ok ("\x7f"));
  CHECK (reply_text_ok ("q\"u\\o\t\xc3\xa9"));   /* a label may hold a tab */
  CHECK (reply_path_ok ("/dev/sda1") && reply_path_ok ("/"));
  CHECK (!reply_path_ok ("dev/sda1") && !reply_path_ok ("") && !reply_path_ok ("/dev/\r"));
  char *huge = malloc (REPLY_STRING_MAX + 2);
  memset (huge, '/', REPLY_STRING_MAX + 1);
  huge[REPLY_STRING_MAX + 1] = '\0';
  CHECK (!reply_string_ok (huge) && !reply_path_ok (huge) && !reply_text_ok (huge));
  huge[REPLY_STRING_MAX] = '\0';
  CHECK (reply_path_ok (huge) && reply_text_ok (huge));
  free (huge);
}

static void
test_relative_paths (void)
{
  CHECK (reply_relative_path_ok ("@") && reply_relative_path_ok ("@/.snapshots/1/snapshot"));
  CHECK (reply_relative_path_ok ("...") && reply_relative_path_ok ("a b"));
  CHECK (!reply_relative_path_ok ("") && !reply_relative_path_ok ("/@"));
  CHECK (!reply_relative_path_ok ("@/") && !reply_relative_path_ok ("a//b"));
  CHECK (!reply_relative_path_ok ("..") && !reply_relative_path_ok ("@/../../etc"));
  CHECK (!reply_relative_path_ok ("./@") && !reply_relative_path_ok ("@\n"));
  char name[REPLY_NAME_MAX + 4];
  memset (name, 'n', sizeof name);
  name[0] = 'a', name[1] = '/';
  name[REPLY_NAME_MAX + 2] = '\0';
  CHECK (reply_relative_path_ok (name));        /* "a/" and a name of 255 bytes */
  name[REPLY_NAME_MAX + 2] = 'n';
  name[REPLY_NAME_MAX + 3] = '\0';
  CHECK (!reply_relative_path_ok (name));       /* 256 */
}

static void
test_lists (void)
{
  char *even[] = { "/dev/sda", "/", "/dev/sdb", "/boot", NULL };
  char *odd[] = { "/dev/sda", "/", "/dev/sdb", NULL };
  char *typed[] = { "/dev/sda", "ext4", "btrfsvol:/dev/sdb/root", "btrfs", NULL };
  char *empty[] = { NULL };
  CHECK (reply_pairs_ok (even, false, true) == 4);
  CHECK (reply_pairs_ok (odd, false, true) == -1);
  CHECK (reply_pairs_ok (typed, false, false) == 4);
  CHECK (reply_pairs_ok (typed, true, false) == -1);   /* btrfsvol: is no path */
  CHECK (reply_pairs_ok (empty, true, true) == 0);
  char *devices[] = { "/dev/sda", "/dev/sdb", NULL };
  char *escaped[] = { "/dev/sda", "/dev/\033]0;x\007", NULL };
  CHECK (reply_list_ok (devices, true) == 2);
  CHECK (reply_list_ok (escaped, true) == -1 && reply_list_ok (escaped, false) == -1);
}

static void
test_modes_and_times (void)
{
  CHECK (reply_mode_ok (S_IFREG | 0644) && reply_mode_ok (S_IFDIR | 01777) &&
         reply_mode_ok (S_IFLNK | 0777) && reply_mode_ok (S_IFSOCK) && reply_mode_ok (S_IFIFO) &&
         reply_mode_ok (S_IFCHR) && reply_mode_ok (S_IFBLK | 04755));
  CHECK (!reply_mode_ok (0644) && !reply_mode_ok (0170644) && !reply_mode_ok (0110644));
  CHECK (!reply_mode_ok (S_IFREG | 0200000));   /* bits above the type */
  CHECK (reply_nsec_ok (0) && reply_nsec_ok (999999999));
  CHECK (!reply_nsec_ok (-1) && !reply_nsec_ok (1000000000));
}

int
main (void)
{
  test_names ();
  test_strings ();
  test_relative_paths ();
  test_lists ();
  test_modes_and_times ();
  return CHECK_DONE ();
}
