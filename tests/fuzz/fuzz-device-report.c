/* fuzz-device-report.c: the agent's DEVICES text (mount/device-report.c).
 *
 * Input: the text, every byte of it.  Checks, beyond the sanitizers: a
 * report accepted holds devices under names of the two allowed forms
 * (/dev/sdX[N], /dev/VG/LV with neither part "." or ".."), each once,
 * each with DEVNAME first and equal to its name, keys and values within
 * their bounds and free of control characters, and no more devices than
 * the text has blocks. */
#include <stdlib.h>
#include <string.h>
#include "mount/device-report.h"
#include "tests/fuzz/target.h"

static bool
clean (const char *s, size_t max)
{
  size_t len = strlen (s);
  for (size_t k = 0; k < len; k++)
    if ((unsigned char) s[k] < 0x20 || s[k] == 0x7f)
      return false;
  return len <= max;
}

static bool
name_ok (const char *name)
{
  if (strncmp (name, "/dev/sd", 7) == 0 && !strchr (name + 7, '/'))
    return true;
  const char *vg = name + 5, *slash = strchr (vg, '/');
  if (strncmp (name, "/dev/", 5) != 0 || !slash || slash == vg || strchr (slash + 1, '/') ||
      !slash[1])
    return false;
  const char *lv = slash + 1;
  bool vg_dots = (slash - vg == 1 && vg[0] == '.') || (slash - vg == 2 && vg[0] == '.' && vg[1] == '.');
  return !vg_dots && strcmp (lv, ".") != 0 && strcmp (lv, "..") != 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  struct reported_device *d = NULL;
  size_t n = 0;
  if (device_report_parse ((const char *) data, size, &d, &n) != 0)
    return 0;
  size_t blocks = size > 0;
  for (size_t k = 0; k + 1 < size; k++)
    blocks += data[k] == '\n' && data[k + 1] == '\n';
  FUZZ_CHECK (n <= blocks && n <= DEVICE_REPORT_MAX_DEVICES);
  for (size_t k = 0; k < n; k++) {
    FUZZ_CHECK (name_ok (d[k].name));
    FUZZ_CHECK (d[k].ids && d[k].ids[0] && strcmp (d[k].ids[0], "DEVNAME") == 0);
    FUZZ_CHECK (d[k].ids[1] && strcmp (d[k].ids[1], d[k].name) == 0);
    size_t keys = 0;
    for (char **p = d[k].ids; p[0]; p += 2, keys++) {
      FUZZ_CHECK (p[1] != NULL);
      FUZZ_CHECK (clean (p[0], DEVICE_REPORT_KEY_MAX) && p[0][0]);
      FUZZ_CHECK (clean (p[1], DEVICE_REPORT_VALUE_MAX));
    }
    FUZZ_CHECK (keys <= DEVICE_REPORT_MAX_KEYS);
    for (size_t j = 0; j < k; j++)
      FUZZ_CHECK (strcmp (d[j].name, d[k].name) != 0);
  }
  device_report_free (d, n);
  return 0;
}
