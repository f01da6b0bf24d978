/* hv-qemu.c: imgmount-hv on qemu (KVM or TCG).  On the user's disks (ids
 * hd0, hd1, ...; the appliance's own root disk is left alone):
 * - the cache mode imgmount chose (libguestfs can only ask for writeback
 *   or unsafe);
 * - for formats that name a backing file inside the image (qcow2, qcow,
 *   qed), no backing file: an untrusted image must not make qemu open a
 *   host file the user never named.  qemu's -drive cannot say "no backing
 *   file" except through a json: node description;
 * - read-only mounts of those formats as a qemu snapshot on top of that
 *   node (libguestfs's own overlay would name the image as its backing
 *   file and so follow the image's chain). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "backend-select/drive-spec.h"
#include "backend-select/hv.h"
#include "backend-select/hv-env.h"

static int
is_user_disk (const char *spec)
{
  char *id = drive_spec_get (spec, "id");
  int r = id && strncmp (id, "hd", 2) == 0;
  free (id);
  return r;
}

static int
has_backing_chain (const char *format)
{
  return format && (strcmp (format, "qcow2") == 0 || strcmp (format, "qcow") == 0 ||
                    strcmp (format, "qed") == 0);
}

/* S as a JSON string literal. */
static void
put_json_string (FILE *f, const char *s)
{
  fputc ('"', f);
  for (; *s; s++) {
    unsigned char c = (unsigned char) *s;
    if (c == '"' || c == '\\')
      fprintf (f, "\\%c", c);
    else if (c < 0x20)
      fprintf (f, "\\u%04x", c);
    else
      fputc (c, f);
  }
  fputc ('"', f);
}

/* SPEC with its file and format replaced by a json: node that has no
 * backing file. */
static char *
without_backing (const char *spec, const char *format, int readonly)
{
  char *file = drive_spec_get (spec, "file");
  char *json;
  size_t len;
  FILE *f = open_memstream (&json, &len);
  if (!f || !file)
    abort ();
  fprintf (f, "json:{\"driver\":");
  put_json_string (f, format);
  fprintf (f, ",\"file\":{\"driver\":\"file\",\"filename\":");
  put_json_string (f, file);
  fprintf (f, "},\"backing\":null}");
  fclose (f);
  char *no_format = drive_spec_remove (spec, "format");
  char *out = drive_spec_set (no_format, "file", json);
  if (readonly) {
    char *snap = drive_spec_set (out, "snapshot", "on");
    free (out);
    out = snap;
  }
  free (no_format);
  free (json);
  free (file);
  return out;
}

int
hv_run_qemu (int argc, char **argv)
{
  const char *qemu = getenv (HV_ENV_QEMU);
  const char *cache = getenv (HV_ENV_CACHE);
  if (!qemu || !*qemu)
    qemu = HV_DEFAULT_QEMU;

  const char *readonly = getenv (HV_ENV_READONLY);
  if (hv_is_launch (argc, argv))
    for (int i = 1; i + 1 < argc; i++) {
      if (strcmp (argv[i], "-drive") != 0 || !is_user_disk (argv[i + 1]))
        continue;
      if (cache && *cache)
        argv[i + 1] = drive_spec_set (argv[i + 1], "cache", cache);
      char *format = drive_spec_get (argv[i + 1], "format");
      if (has_backing_chain (format))
        argv[i + 1] = without_backing (argv[i + 1], format, readonly && strcmp (readonly, "1") == 0);
      free (format);
    }

  argv[0] = (char *) qemu;
  execv (qemu, argv);
  fprintf (stderr, "imgmount-hv: %s: %s\n", qemu, strerror (errno));
  return 127;
}
