/* device-report.h: the appliance's word on its block devices (the agent's
 * DEVICES reply, blkid's export format), read as the attacker input it
 * may be: bounded, every name and value checked, fuzzed
 * (tests/fuzz/fuzz-device-report.c). */
#ifndef IMGMOUNT_DEVICE_REPORT_H
#define IMGMOUNT_DEVICE_REPORT_H

#include <stddef.h>

/* Limits past which a report is refused whole: a real one has a handful
 * of devices of about fifteen keys. */
#define DEVICE_REPORT_MAX_DEVICES 1024
#define DEVICE_REPORT_MAX_KEYS    64
#define DEVICE_REPORT_KEY_MAX     32
#define DEVICE_REPORT_VALUE_MAX   1024

struct reported_device {
  char *name;     /* /dev/sdX, /dev/sdXN, or an LV's /dev/VG/LV */
  char **ids;     /* key, value, ... NULL, as guestfs_blkid returns them;
                     DEVNAME first, with NAME */
};

/* Parses TEXT (LEN bytes) into *DEVS (*N of them, in the text's order),
 * for device_report_free.  Returns 0, or EIO for a report that breaks a
 * rule of agent-protocol.h's DEVICES or the limits above (nothing to
 * free then): a name of another form, an LV name LVM would refuse, a
 * device twice, a key twice, a control character, a line without its
 * newline. */
int device_report_parse (const char *text, size_t len, struct reported_device **devs, size_t *n);

void device_report_free (struct reported_device *devs, size_t n);

#endif
