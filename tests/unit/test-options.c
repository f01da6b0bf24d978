/* test-options.c: command-line and -m spec parsing. */
#include "backend-select/hv/hv-env.h"
#include "mount/options.h"
#include "check.h"

static int
parse (struct options *o, char **err, const char *env, int argc, const char **argv)
{
  *err = NULL;
  return options_parse (argc, (char **) argv, env, o, err);
}

#define ARGS(...) (const char *[]) { "imgmount", __VA_ARGS__ }
#define NARGS(...) (int) (sizeof ((const char *[]) { "imgmount", __VA_ARGS__ }) / sizeof (char *))
#define PARSE(o, err, env, ...) parse (o, err, env, NARGS (__VA_ARGS__), ARGS (__VA_ARGS__))

static void
test_mount_forms (void)
{
  struct options o;
  char *err;
  CHECK (PARSE (&o, &err, NULL, "disk.img", "/mnt") == 0);
  CHECK (o.mode == RUN_MOUNT && o.n_images == 1);
  CHECK_STR (o.images[0], "disk.img");
  CHECK_STR (o.mountpoint, "/mnt");
  CHECK_STR (o.format, "raw");
  CHECK (!o.readonly && o.backend == BACKEND_AUTO && o.cache == CACHE_WRITEBACK);
  options_free (&o);

  CHECK (PARSE (&o, &err, NULL, "-a", "a.img", "b.img", "/mnt", "--ro", "-o", "allow_other,ro,nonempty") == 0);
  CHECK (o.n_images == 2 && o.readonly && o.allow_other && o.nonempty);
  CHECK_STR (o.images[0], "a.img");
  CHECK_STR (o.images[1], "b.img");
  CHECK (o.n_fuse_opts == 1);
  CHECK_STR (o.fuse_opts[0], "allow_other");
  options_free (&o);

  CHECK (PARSE (&o, &err, "tcg", "--format=qcow2", "-f", "--pid-file", "p", "-v", "-v", "x", "/m") == 0);
  CHECK (o.backend == BACKEND_TCG && o.foreground && o.verbose == 2);
  CHECK_STR (o.format, "qcow2");
  CHECK_STR (o.pid_file, "p");
  options_free (&o);

  CHECK (PARSE (&o, &err, "tcg", "--backend=kvm", "x", "/m") == 0);
  CHECK (o.backend == BACKEND_KVM);
  options_free (&o);

  CHECK (PARSE (&o, &err, "uml", "--cache=none", "x", "/m") == 0);
  CHECK (o.backend == BACKEND_UML && o.cache == CACHE_NONE);
  options_free (&o);
  CHECK (PARSE (&o, &err, NULL, "--cache", "unsafe", "x", "/m") == 0);
  CHECK (o.cache == CACHE_UNSAFE);
  options_free (&o);
}

static void
test_other_modes (void)
{
  struct options o;
  char *err;
  CHECK (PARSE (&o, &err, NULL, "--list", "a", "b") == 0);
  CHECK (o.mode == RUN_LIST && o.n_images == 2);
  options_free (&o);
  CHECK (PARSE (&o, &err, NULL, "-u", "--lazy", "/mnt") == 0);
  CHECK (o.mode == RUN_UNMOUNT && o.lazy);
  CHECK_STR (o.mountpoint, "/mnt");
  options_free (&o);
  CHECK (PARSE (&o, &err, NULL, "--version") == 0 && o.mode == RUN_VERSION && !o.json);
  options_free (&o);
  CHECK (PARSE (&o, &err, NULL, "--version", "--json") == 0 && o.mode == RUN_VERSION && o.json);
  options_free (&o);
  CHECK (PARSE (&o, &err, NULL, "--json", "--list", "a") == 0 && o.mode == RUN_LIST && o.json);
  options_free (&o);
  CHECK (PARSE (&o, &err, NULL, "--option", "allow_other", "a", "/m") == 0 && o.allow_other);
  options_free (&o);
  CHECK (PARSE (&o, &err, NULL, "a", "/m") == 0 && o.sandbox == SANDBOX_ON);
  options_free (&o);
  CHECK (PARSE (&o, &err, NULL, "--sandbox=strict", "a", "/m") == 0 && o.sandbox == SANDBOX_STRICT);
  options_free (&o);
  CHECK (PARSE (&o, &err, NULL, "--sandbox", "off", "a", "/m") == 0 && o.sandbox == SANDBOX_OFF);
  options_free (&o);
  /* fakeroot is imgmount's, not libfuse's */
  CHECK (PARSE (&o, &err, NULL, "-o", "ro,fakeroot", "a", "/m") == 0 && o.fakeroot &&
         o.readonly && o.n_fuse_opts == 0);
  options_free (&o);
}

static void
expect_error (int argc, const char **argv, const char *env, const char *fragment)
{
  struct options o;
  char *err = NULL;
  CHECK (parse (&o, &err, env, argc, argv) == -1);
  CHECK (err && strstr (err, fragment));
  CHECK (err && !strchr (err, '\n'));
  if (err && !strstr (err, fragment))
    fprintf (stderr, "  got: %s\n", err);
  free (err);
  options_free (&o);
}

static void
test_errors (void)
{
  expect_error (NARGS ("/mnt"), ARGS ("/mnt"), NULL, "missing IMAGE");
  expect_error (1, ARGS (NULL), NULL, "missing MOUNTPOINT");
  expect_error (NARGS ("--bogus", "a", "b"), ARGS ("--bogus", "a", "b"), NULL, "unknown option --bogus");
  expect_error (NARGS ("--ro=1", "a", "b"), ARGS ("--ro=1", "a", "b"), NULL, "unknown option --ro=1");
  /* an unknown letter inside a group is named, not the argument before it */
  expect_error (NARGS ("-xv", "a", "b"), ARGS ("-xv", "a", "b"), NULL, "unknown option -x;");
  expect_error (NARGS ("-vx", "a", "b"), ARGS ("-vx", "a", "b"), NULL, "unknown option -x;");
  expect_error (NARGS ("--list", "-xv", "a"), ARGS ("--list", "-xv", "a"), NULL, "unknown option -x;");
  expect_error (NARGS ("a", "-vxq", "b"), ARGS ("a", "-vxq", "b"), NULL, "unknown option -x;");
  expect_error (NARGS ("--format=exe", "a", "b"), ARGS ("--format=exe", "a", "b"), NULL, "unknown image format");
  expect_error (NARGS ("--backend=xen", "a", "b"), ARGS ("--backend=xen", "a", "b"), NULL, "unknown backend");
  expect_error (NARGS ("a", "b"), ARGS ("a", "b"), "bhyve", "IMGMOUNT_BACKEND=bhyve");
  expect_error (NARGS ("--cache=directsync", "a", "b"), ARGS ("--cache=directsync", "a", "b"), NULL, "unknown cache mode");
  expect_error (NARGS ("-u", "a", "b"), ARGS ("-u", "a", "b"), NULL, "exactly one MOUNTPOINT");
  expect_error (NARGS ("--list"), ARGS ("--list"), NULL, "at least one IMAGE");
  expect_error (NARGS ("-m"), ARGS ("-m"), NULL, "needs an argument");
  expect_error (NARGS ("--json", "a", "b"), ARGS ("--json", "a", "b"), NULL, "--json goes with --list or --version");
  expect_error (NARGS ("-u", "--json", "/m"), ARGS ("-u", "--json", "/m"), NULL, "--json goes with");
  expect_error (NARGS ("-m", "sda1", "a", "b"), ARGS ("-m", "sda1", "a", "b"), NULL, "appliance device name");
}

static void
test_mountspec (void)
{
  struct mount_spec s;
  char *err = NULL;
  CHECK (mountspec_parse ("/dev/sda1", &s, &err) == 0);
  CHECK_STR (s.device, "/dev/sda1");
  CHECK_STR (s.path, "/");
  CHECK (!s.options && !s.fstype);
  mountspec_free (&s);

  CHECK (mountspec_parse ("/dev/VG/LV:/boot:noatime,acl:ext4", &s, &err) == 0);
  CHECK_STR (s.device, "/dev/VG/LV");
  CHECK_STR (s.path, "/boot");
  CHECK_STR (s.options, "noatime,acl");
  CHECK_STR (s.fstype, "ext4");
  mountspec_free (&s);

  CHECK (mountspec_parse ("/dev/sdb::ro", &s, &err) == 0);
  CHECK_STR (s.path, "/");
  CHECK_STR (s.options, "ro");
  mountspec_free (&s);

  CHECK (mountspec_parse ("/dev/sda1:boot", &s, &err) == -1 && strstr (err, "absolute"));
  free (err);
  CHECK (mountspec_parse ("/dev/a:/b:c:d:e", &s, &err) == -1 && strstr (err, "too many"));
  free (err);
  CHECK (mountspec_parse (":/", &s, &err) == -1);
  free (err);
}

/* --backing: each file one environment variable for imgmount-hv, up to
 * HV_READ_MAX; more is refused here rather than dropped there. */
static void
test_backing_limit (void)
{
  const char *argv[HV_READ_MAX * 2 + 5];
  int argc = 0;
  argv[argc++] = "imgmount";
  for (int k = 0; k < HV_READ_MAX; k++) {
    argv[argc++] = "--backing";
    argv[argc++] = "/srv/base.img";
  }
  argv[argc++] = "a";
  argv[argc++] = "/m";
  struct options o;
  char *err = NULL;
  CHECK (parse (&o, &err, NULL, argc, argv) == 0 && o.n_backings == HV_READ_MAX);
  options_free (&o);
  free (err);
  argv[argc - 2] = "--backing";
  argv[argc - 1] = "/srv/one-more.img";
  argv[argc++] = "a";
  argv[argc++] = "/m";
  expect_error (argc, argv, NULL, "at most 64 files");
  expect_error (NARGS ("--sandbox=lax", "a", "/m"), ARGS ("--sandbox=lax", "a", "/m"), NULL,
                "--sandbox=lax: unknown mode (expected on, strict or off)");
  expect_error (NARGS ("-o", "fakeroot,allow_other", "a", "/m"),
                ARGS ("-o", "fakeroot,allow_other", "a", "/m"), NULL, "act as root");
  expect_error (NARGS ("-o", "allow_other", "-o", "fakeroot", "a", "/m"),
                ARGS ("-o", "allow_other", "-o", "fakeroot", "a", "/m"), NULL, "act as root");
}

int
main (void)
{
  test_mount_forms ();
  test_backing_limit ();
  test_other_modes ();
  test_errors ();
  test_mountspec ();
  return CHECK_DONE ();
}
