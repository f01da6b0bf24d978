/* test-device-report.c: the agent's DEVICES text as mount/device-report.c
 * reads it: what the real agent sent for the benchmark's OS image, and
 * each rule a hostile appliance could break, which must refuse the report
 * whole. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "common/agent-protocol.h"
#include "mount/device-report.h"
#include "check.h"

/* Under TCG, for a GPT disk with /boot and an LVM PV, and its root LV
 * (trimmed of a few PART_ENTRY keys). */
static const char real[] =
  "DEVNAME=/dev/sda\nPTUUID=4c1d6f1e-5b43-4b7f-9c47-93b3c3d6c2a1\nPTTYPE=gpt\n"
  "\n"
  "DEVNAME=/dev/sda1\nLABEL=BOOT\nUUID=e59cb248-1615-4b78-9c89-a972ff9a3c50\nVERSION=1.0\n"
  "BLOCK_SIZE=1024\nTYPE=ext2\nUSAGE=filesystem\nPART_ENTRY_SCHEME=gpt\n"
  "PART_ENTRY_UUID=6f2c7e3a-1111-4222-8333-944455556666\nPART_ENTRY_NUMBER=1\n"
  "\n"
  "DEVNAME=/dev/sda2\nUUID=VK3uuu-fQUs-1Xfd-pYZQ-e60m-hdJQ-nHeej1\nVERSION=LVM2\\ 001\n"
  "TYPE=LVM2_member\nUSAGE=raid\nPART_ENTRY_NUMBER=2\n"
  "\n"
  "DEVNAME=/dev/mapper/vg0-root\nLABEL=ROOTFS\nUUID=78da5dfd-4621-47cf-ab75-7fbc37b283b4\n"
  "TYPE=ext4\nUSAGE=filesystem\n";

static const char *
value (const struct reported_device *d, const char *key)
{
  for (char **p = d->ids; p[0]; p += 2)
    if (strcmp (p[0], key) == 0)
      return p[1];
  return NULL;
}

static void
test_real (void)
{
  struct reported_device *d = NULL;
  size_t n = 0;
  CHECK (device_report_parse (real, strlen (real), &d, &n) == 0);
  CHECK (n == 4);
  if (n != 4)
    return;
  CHECK_STR (d[0].name, "/dev/sda");
  CHECK_STR (value (&d[0], "PTTYPE"), "gpt");
  CHECK (value (&d[0], "TYPE") == NULL);
  CHECK_STR (d[1].name, "/dev/sda1");
  CHECK_STR (d[1].ids[0], "DEVNAME");        /* first, as guestfs_blkid has it */
  CHECK_STR (d[1].ids[1], "/dev/sda1");
  CHECK_STR (value (&d[1], "LABEL"), "BOOT");
  CHECK_STR (value (&d[1], "PART_ENTRY_UUID"), "6f2c7e3a-1111-4222-8333-944455556666");
  CHECK_STR (value (&d[2], "VERSION"), "LVM2\\ 001");   /* blkid's escape kept, as guestfsd */
  CHECK_STR (d[3].name, "/dev/vg0/root");              /* the LV by LVM's name */
  CHECK_STR (value (&d[3], "DEVNAME"), "/dev/vg0/root");
  CHECK_STR (value (&d[3], "TYPE"), "ext4");
  device_report_free (d, n);
}

static void
ok (const char *text, size_t want_n, const char *first_name)
{
  struct reported_device *d = NULL;
  size_t n = 99;
  int e = device_report_parse (text, strlen (text), &d, &n);
  if (e != 0 || n != want_n) {
    fprintf (stderr, "refused or miscounted (%d, %zu): %s\n", e, n, text);
    check_failures++;
  }
  else if (first_name)
    CHECK_STR (d[0].name, first_name);
  if (e == 0)
    device_report_free (d, n);
}

static void
refused_len (const char *text, size_t len)
{
  struct reported_device *d = (void *) 1;
  size_t n = 99;
  if (device_report_parse (text, len, &d, &n) != EIO) {
    fprintf (stderr, "accepted: %.*s\n", (int) (len > 200 ? 200 : len), text);
    check_failures++;
  }
  CHECK (d == (void *) 1 && n == 99);         /* nothing handed out */
}

static void
refused (const char *text)
{
  refused_len (text, strlen (text));
}

static void
test_forms (void)
{
  ok ("", 0, NULL);                           /* an appliance with no disk of ours */
  ok ("DEVNAME=/dev/sdb\nTYPE=ext4\n", 1, "/dev/sdb");
  ok ("DEVNAME=/dev/sdzz12\nTYPE=ext4\n", 1, "/dev/sdzz12");
  ok ("DEVNAME=/dev/sdaaa999\n", 1, "/dev/sdaaa999");
  ok ("DEVNAME=/dev/sda1\nLABEL=\n", 1, NULL);             /* an empty value */
  ok ("DEVNAME=/dev/mapper/my--vg-my--lv\nTYPE=xfs\n", 1, "/dev/my-vg/my-lv");
  ok ("DEVNAME=/dev/mapper/vg.0-_root+1\n", 1, "/dev/vg.0/_root+1");
  ok ("DEVNAME=/dev/sda1\nLABEL=caf\xc3\xa9 \\\"x\\\"\n", 1, NULL);   /* UTF-8, escapes */
}

static void
test_names (void)
{
  refused ("DEVNAME=/dev/vda1\n");            /* the appliance's own name */
  refused ("DEVNAME=/dev/ubda\n");
  refused ("DEVNAME=/dev/sd\n");
  refused ("DEVNAME=/dev/sda0\n");
  refused ("DEVNAME=/dev/sda01\n");
  refused ("DEVNAME=/dev/sdaaaa1\n");         /* four letters */
  refused ("DEVNAME=/dev/sda1000\n");
  refused ("DEVNAME=/dev/sdA\n");
  refused ("DEVNAME=/dev/sda/../../etc\n");
  refused ("DEVNAME=/dev/sda1 \n");
  refused ("DEVNAME=sda\n");
  refused ("DEVNAME=\n");
  refused ("DEVNAME=/dev/mapper/control\n");  /* no VG-LV pair */
  refused ("DEVNAME=/dev/mapper/vg0-root-real\n");
  refused ("DEVNAME=/dev/mapper/-root\n");
  refused ("DEVNAME=/dev/mapper/vg0-\n");
  refused ("DEVNAME=/dev/mapper/..-root\n");
  refused ("DEVNAME=/dev/mapper/vg0-..\n");
  refused ("DEVNAME=/dev/mapper/.-root\n");
  refused ("DEVNAME=/dev/mapper/vg0-.\n");
  refused ("DEVNAME=/dev/mapper/vg/0-root\n");
  refused ("DEVNAME=/dev/mapper/vg0-ro ot\n");
  char longname[200] = "DEVNAME=/dev/mapper/vg-";
  memset (longname + strlen (longname), 'a', 125);
  strcat (longname, "\n");
  refused (longname);                         /* past device-mapper's 127 */
  refused ("DEVNAME=/dev/sda\n\nDEVNAME=/dev/sda\n");       /* twice */
  refused ("DEVNAME=/dev/mapper/vg0-root\n\nDEVNAME=/dev/mapper/vg0-root\n");
}

static void
test_shapes (void)
{
  refused ("DEVNAME=/dev/sda");               /* no final newline */
  refused ("DEVNAME=/dev/sda\nTYPE=ext4");
  refused ("\nDEVNAME=/dev/sda\n");           /* empty line first */
  refused ("DEVNAME=/dev/sda\n\n");           /* ... last */
  refused ("DEVNAME=/dev/sda\n\n\nDEVNAME=/dev/sdb\n");   /* ... two */
  refused ("TYPE=ext4\nDEVNAME=/dev/sda\n");  /* a block not led by DEVNAME */
  refused ("DEVNAME=/dev/sda\nDEVNAME=/dev/sdb\n");       /* DEVNAME inside */
  refused ("DEVNAME=/dev/sda\nTYPE=ext4\nTYPE=xfs\n");    /* a key twice */
  refused ("DEVNAME=/dev/sda\nTYPE\n");       /* no '=' */
  refused ("DEVNAME=/dev/sda\n=ext4\n");      /* no key */
  refused ("DEVNAME=/dev/sda\ntype=ext4\n");  /* not blkid's keys */
  refused ("DEVNAME=/dev/sda\nTY PE=ext4\n");
  refused ("DEVNAME=/dev/sda\nLABEL=a\tb\n"); /* a control character */
  refused ("DEVNAME=/dev/sda\nLABEL=a\rb\n");
  refused ("DEVNAME=/dev/sda\nLABEL=a\x7f\n");
  refused_len ("DEVNAME=/dev/sda\nLABEL=a\0b\n", 24);     /* NUL */
  refused_len ("DEVNAME=/dev/sda\0\n", 18);
}

/* Each bound, at its limit and one past. */
static void
test_limits (void)
{
  size_t cap = 64 * 1024 + AGENT_IO_MAX;
  char *t = malloc (cap);
  if (!t)
    abort ();
  char key[DEVICE_REPORT_KEY_MAX + 2];

  memset (key, 'K', sizeof key);
  key[DEVICE_REPORT_KEY_MAX] = '\0';
  snprintf (t, cap, "DEVNAME=/dev/sda\n%s=v\n", key);
  ok (t, 1, NULL);
  key[DEVICE_REPORT_KEY_MAX] = 'K';
  key[DEVICE_REPORT_KEY_MAX + 1] = '\0';
  snprintf (t, cap, "DEVNAME=/dev/sda\n%s=v\n", key);
  refused (t);

  int at = sprintf (t, "DEVNAME=/dev/sda\nLABEL=");
  memset (t + at, 'v', DEVICE_REPORT_VALUE_MAX);
  strcpy (t + at + DEVICE_REPORT_VALUE_MAX, "\n");
  ok (t, 1, NULL);
  memset (t + at, 'v', DEVICE_REPORT_VALUE_MAX + 1);
  strcpy (t + at + DEVICE_REPORT_VALUE_MAX + 1, "\n");
  refused (t);

  /* keys: DEVNAME and 63 more; then 64 more */
  for (int extra = DEVICE_REPORT_MAX_KEYS - 1; extra <= DEVICE_REPORT_MAX_KEYS; extra++) {
    at = sprintf (t, "DEVNAME=/dev/sda\n");
    for (int k = 0; k < extra; k++)
      at += sprintf (t + at, "K%d=v\n", k);
    if (extra < DEVICE_REPORT_MAX_KEYS)
      ok (t, 1, NULL);
    else
      refused (t);
  }

  /* devices: sda1 ... up to the limit, then one more */
  for (int count = DEVICE_REPORT_MAX_DEVICES; count <= DEVICE_REPORT_MAX_DEVICES + 1; count++) {
    at = 0;
    for (int k = 0; k < count; k++)
      at += sprintf (t + at, "%sDEVNAME=/dev/sd%c%c%d\n", k ? "\n" : "", 'a' + k / 26 % 26,
                     'a' + k % 26, k / 676 + 1);
    if (count == DEVICE_REPORT_MAX_DEVICES)
      ok (t, (size_t) count, "/dev/sdaa1");
    else
      refused (t);
  }

  /* past AGENT_IO_MAX: refused whole, however well formed (devices of
   * 60 keys of 1000 bytes: 15 fit, 18 do not) */
  for (int count = 15; count <= 18; count += 3) {
    at = 0;
    for (int k = 0; k < count; k++) {
      at += sprintf (t + at, "%sDEVNAME=/dev/sd%c\n", k ? "\n" : "", 'a' + k);
      for (int j = 0; j < 60; j++) {
        at += sprintf (t + at, "K%d=", j);
        memset (t + at, 'v', 1000);
        at += 1000;
        t[at++] = '\n';
      }
    }
    t[at] = '\0';
    if (count == 15)
      ok (t, 15, "/dev/sda");
    else {
      CHECK ((size_t) at > AGENT_IO_MAX);
      refused_len (t, (size_t) at);
    }
  }
  free (t);
}

int
main (void)
{
  test_real ();
  test_forms ();
  test_names ();
  test_shapes ();
  test_limits ();
  return CHECK_DONE ();
}
