/* test-appliance-udevadm.c: which command lines the appliance's udevadm
 * (appliance-udevadm.c) answers itself. */
#define main appliance_udevadm_main
int appliance_udevadm_main (int argc, char **argv);
#include "backend-select/appliance/appliance-udevadm.c"
#undef main
#include "check.h"

static const char *
file_of (const char *line)
{
  static char buf[256];
  static char *argv[16];
  int argc = 0;
  snprintf (buf, sizeof buf, "%s", line);
  for (char *save, *w = strtok_r (buf, " ", &save); w && argc < 15; w = strtok_r (NULL, " ", &save))
    argv[argc++] = w;
  argv[argc] = NULL;
  return settle_exit_file (argc, argv);
}

int
main (void)
{
  CHECK_STR (file_of ("udevadm --debug settle -E /dev/sda"), "/dev/sda");
  CHECK_STR (file_of ("udevadm settle -E/dev/sdb"), "/dev/sdb");
  CHECK_STR (file_of ("udevadm settle --timeout=5 --exit-if-exists /dev/sdc"), "/dev/sdc");
  CHECK_STR (file_of ("udevadm settle --exit-if-exists=/dev/sdd -t 3"), "/dev/sdd");
  CHECK (file_of ("udevadm --debug settle") == NULL);
  CHECK (file_of ("udevadm settle -E") == NULL);
  CHECK (file_of ("udevadm settle --exit-if-exists=") == NULL);
  CHECK (file_of ("udevadm trigger -E /dev/sda") == NULL);
  CHECK (file_of ("udevadm info settle -E /dev/sda") == NULL);
  CHECK (file_of ("udevadm") == NULL);
  return CHECK_DONE ();
}
