/* test-drive-spec.c: reading and editing qemu -drive option strings. */
#include <stdlib.h>
#include "backend-select/hv/drive-spec.h"
#include "tests/unit/check.h"

static void
expect_get (const char *spec, const char *key, const char *want)
{
  char *got = drive_spec_get (spec, key);
  if (want)
    CHECK_STR (got, want);
  else
    CHECK (got == NULL);
  free (got);
}

static void
expect_set (const char *spec, const char *key, const char *value, const char *want)
{
  char *got = drive_spec_set (spec, key, value);
  CHECK_STR (got, want);
  free (got);
}

int
main (void)
{
  const char *drive = "file=/var/a,,b.img,cache=writeback,format=raw,id=hd0,if=none";
  expect_get (drive, "file", "/var/a,b.img");
  expect_get (drive, "cache", "writeback");
  expect_get (drive, "id", "hd0");
  expect_get (drive, "if", "none");
  expect_get (drive, "format", "raw");
  expect_get (drive, "fil", NULL);
  expect_get (drive, "snapshot", NULL);
  expect_get ("file=x,,cache=unsafe", "cache", NULL);   /* inside a value */
  expect_get ("", "file", NULL);

  expect_set (drive, "cache", "none",
              "file=/var/a,,b.img,cache=none,format=raw,id=hd0,if=none");
  expect_set ("file=x,,cache=unsafe,id=hd1", "cache", "none",
              "file=x,,cache=unsafe,id=hd1,cache=none");
  expect_set ("file=x", "cache", "none", "file=x,cache=none");
  expect_set ("", "cache", "none", "cache=none");
  expect_set ("file=x,id=hd0", "file", "json:{\"a\":1,\"b\":2}", "file=json:{\"a\":1,,\"b\":2},id=hd0");

  char *removed = drive_spec_remove ("file=a,,b,format=qcow2,id=hd0", "format");
  CHECK_STR (removed, "file=a,,b,id=hd0");
  free (removed);
  removed = drive_spec_remove ("format=qcow2,id=hd0", "format");
  CHECK_STR (removed, "id=hd0");
  free (removed);
  removed = drive_spec_remove ("id=hd0", "format");
  CHECK_STR (removed, "id=hd0");
  free (removed);
  return CHECK_DONE ();
}
