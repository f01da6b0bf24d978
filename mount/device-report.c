/* device-report.c: see device-report.h.  One pass over the lines; a
 * report is accepted whole or not at all. */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include "common/agent-protocol.h"
#include "common/cleanup.h"
#include "common/reply-check.h"
#include "common/xalloc.h"
#include "mount/device-report.h"
#include "mount/fstab.h"

/* LVM's characters for VG and LV names (lvm(8): VALID NAMES). */
static bool
lvm_chars_ok (const char *s, size_t len)
{
  return len > 0 && strspn (s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                               "0123456789+_.-") >= len;
}

/* "/dev/sd", one to three letters, then nothing or a partition number
 * (1 to 3 digits, no leading 0). */
static bool
disk_name_ok (const char *s)
{
  if (strncmp (s, "/dev/sd", 7) != 0)
    return false;
  s += 7;
  size_t letters = strspn (s, "abcdefghijklmnopqrstuvwxyz");
  size_t digits = strspn (s + letters, "0123456789");
  return letters >= 1 && letters <= 3 && digits <= 3 && s[letters + digits] == '\0' &&
         (digits == 0 || s[letters] != '0');
}

/* The host's name for DEVNAME's value, or NULL if it is none the
 * protocol allows. */
static char *
host_name (const char *devname)
{
  if (disk_name_ok (devname))
    return xstrdup (devname);
  const char *dm = devname + 12;
  if (strncmp (devname, "/dev/mapper/", 12) != 0 || strlen (dm) > 127 ||
      !lvm_chars_ok (dm, strlen (dm)))
    return NULL;
  char *lv = fstab_lvm_name (dm);
  if (!lv)
    return NULL;
  /* "/dev/VG/LV": neither part "." or ".." (LVM refuses them too). */
  const char *vg = lv + 5, *slash = strchr (vg, '/');
  size_t vlen = (size_t) (slash - vg);
  if ((vlen <= 2 && strncmp (vg, "..", vlen) == 0) || strcmp (slash + 1, ".") == 0 ||
      strcmp (slash + 1, "..") == 0) {
    free (lv);
    return NULL;
  }
  return lv;
}

static bool
key_ok (const char *s, size_t len)
{
  return len >= 1 && len <= DEVICE_REPORT_KEY_MAX &&
         strspn (s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") >= len;
}

struct parse {
  struct reported_device *devs;
  size_t n;
  size_t keys;            /* pairs in the last device's ids */
};

static bool
add_pair (struct reported_device *d, size_t *keys, const char *key, size_t klen,
          const char *value, size_t vlen)
{
  for (size_t k = 0; k < *keys; k++)
    if (strlen (d->ids[2 * k]) == klen && memcmp (d->ids[2 * k], key, klen) == 0)
      return false;
  if (*keys == DEVICE_REPORT_MAX_KEYS)
    return false;
  d->ids = xreallocarray (d->ids, 2 * *keys + 3, sizeof *d->ids);
  d->ids[2 * *keys] = xstrndup (key, klen);
  d->ids[2 * *keys + 1] = xstrndup (value, vlen);
  d->ids[2 * ++*keys] = NULL;
  return true;
}

/* A block's first line: a device not seen before, under a name allowed. */
static bool
start_device (struct parse *p, const char *devname)
{
  char *name = host_name (devname);
  if (!name || p->n == DEVICE_REPORT_MAX_DEVICES) {
    free (name);
    return false;
  }
  for (size_t k = 0; k < p->n; k++)
    if (strcmp (p->devs[k].name, name) == 0) {
      free (name);
      return false;
    }
  p->devs = xreallocarray (p->devs, p->n + 1, sizeof *p->devs);
  p->devs[p->n++] = (struct reported_device) { .name = name };
  p->keys = 0;
  return add_pair (&p->devs[p->n - 1], &p->keys, "DEVNAME", 7, name, strlen (name));
}

/* One line (without its newline); AT_START: the first of a block. */
static bool
parse_line (struct parse *p, const char *line, size_t len, bool at_start)
{
  const char *eq = memchr (line, '=', len);
  if (!eq || memchr (line, '\0', len))
    return false;
  size_t klen = (size_t) (eq - line), vlen = len - klen - 1;
  AUTO_FREE char *value = xstrndup (eq + 1, vlen);
  /* (the line holds no NUL, so VALUE is all of it) */
  if (!key_ok (line, klen) || vlen > DEVICE_REPORT_VALUE_MAX || !reply_string_ok (value))
    return false;
  bool devname = klen == 7 && memcmp (line, "DEVNAME", 7) == 0;
  if (devname != at_start)
    return false;
  return devname ? start_device (p, value)
                 : add_pair (&p->devs[p->n - 1], &p->keys, line, klen, value, vlen);
}

int
device_report_parse (const char *text, size_t len, struct reported_device **devs, size_t *n)
{
  struct parse p = { 0 };
  bool ok = len <= AGENT_IO_MAX && (len == 0 || text[len - 1] == '\n');
  bool at_start = true;
  for (size_t at = 0; ok && at < len;) {
    const char *nl = memchr (text + at, '\n', len - at);
    size_t llen = (size_t) (nl - (text + at));
    if (llen == 0) {
      /* One empty line between blocks: not first, not last, not two. */
      ok = !at_start && at + 1 < len;
      at_start = true;
    }
    else {
      ok = parse_line (&p, text + at, llen, at_start);
      at_start = false;
    }
    at += llen + 1;
  }
  if (!ok) {
    device_report_free (p.devs, p.n);
    return EIO;
  }
  *devs = p.devs;
  *n = p.n;
  return 0;
}

void
device_report_free (struct reported_device *devs, size_t n)
{
  for (size_t k = 0; k < n; k++) {
    free (devs[k].name);
    for (char **s = devs[k].ids; s && *s; s++)
      free (*s);
    free (devs[k].ids);
  }
  free (devs);
}
