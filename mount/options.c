/* options.c: command-line parsing, following guestmount, sshfs and mount.
 *
 *   imgmount [OPTIONS] IMAGE... MOUNTPOINT
 *   imgmount [OPTIONS] -a IMAGE [-a IMAGE...] MOUNTPOINT
 *   imgmount --list IMAGE...
 *   imgmount -u [--lazy] MOUNTPOINT
 */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "common/message.h"
#include "common/xalloc.h"
#include "image/image-formats.h"
#include "backend-select/hv/hv-env.h"
#include "mount/options.h"

enum {
  OPT_RO = 'r', OPT_RW = 'w', OPT_FOREGROUND = 'f', OPT_HELP = 'h',
  OPT_LIST = 256, OPT_FORMAT, OPT_PID_FILE, OPT_TRACE, OPT_VERSION,
  OPT_LAZY, OPT_BACKEND, OPT_CACHE, OPT_JSON, OPT_BACKING, OPT_SANDBOX,
};

static const struct option long_options[] = {
  { "add", required_argument, NULL, 'a' },
  { "mount", required_argument, NULL, 'm' },
  { "ro", no_argument, NULL, OPT_RO },
  { "rw", no_argument, NULL, OPT_RW },
  { "format", required_argument, NULL, OPT_FORMAT },
  { "backing", required_argument, NULL, OPT_BACKING },
  { "foreground", no_argument, NULL, OPT_FOREGROUND },
  { "pid-file", required_argument, NULL, OPT_PID_FILE },
  { "option", required_argument, NULL, 'o' },
  { "verbose", no_argument, NULL, 'v' },
  { "quiet", no_argument, NULL, 'q' },
  { "trace", no_argument, NULL, OPT_TRACE },
  { "list", no_argument, NULL, OPT_LIST },
  { "unmount", no_argument, NULL, 'u' },
  { "lazy", no_argument, NULL, OPT_LAZY },
  { "backend", required_argument, NULL, OPT_BACKEND },
  { "cache", required_argument, NULL, OPT_CACHE },
  { "sandbox", required_argument, NULL, OPT_SANDBOX },
  { "json", no_argument, NULL, OPT_JSON },
  { "help", no_argument, NULL, OPT_HELP },
  { "version", no_argument, NULL, OPT_VERSION },
  { NULL, 0, NULL, 0 },
};

void
options_print_help (void)
{
  printf (
"Usage: imgmount [OPTIONS] IMAGE... MOUNTPOINT\n"
"       imgmount --list [--json] IMAGE...\n"
"       imgmount -u [--lazy] MOUNTPOINT\n"
"Mount the filesystems inside disk images through a libguestfs appliance,\n"
"so that the host kernel never parses the image.\n"
"\n"
"  -a, --add IMAGE          add a disk image (same as naming it)\n"
"  -m, --mount DEV[:PATH[:OPTIONS[:FSTYPE]]]\n"
"                           mount DEV at PATH (default /); repeatable.\n"
"                           Without -m: the single filesystem, the OS found\n"
"                           by inspection, or else the largest filesystem\n"
"      --list               print the filesystems in IMAGE... and exit\n"
"      --json               with --list or --version: print JSON\n"
"  -r, --ro                 mount read-only (the image is never written)\n"
"  -w, --rw                 mount read-write (default)\n"
"      --format=FMT         image format (default raw; never probed)\n"
"      --backing=FILE       let qemu open FILE, read-only, as the backing\n"
"                           file an image's header names; repeat for each\n"
"                           file of a chain.  Without it, an image naming a\n"
"                           backing file is refused\n"
"      --backend=NAME       auto, kvm, tcg or uml (default auto, or\n"
"                           $IMGMOUNT_BACKEND)\n"
"      --cache=MODE         how the hypervisor uses the host page cache:\n"
"                           writeback (default), none (O_DIRECT) or unsafe\n"
"                           (flushes ignored: scratch images only)\n"
"      --sandbox=MODE       confine the hypervisor and its helpers: on\n"
"                           (default: what the kernel has), strict (all of\n"
"                           it, or refuse to start) or off\n"
"  -o, --option OPT[,...]   FUSE mount options (allow_other, nonempty, ...);\n"
"                           fakeroot: you act as root inside the image, as\n"
"                           with fuse2fs (files you make are yours)\n"
"  -f, --foreground         stay in the foreground\n"
"      --pid-file FILE      write the daemon's pid to FILE\n"
"  -v, --verbose            say what is happening and how long each phase\n"
"                           took (twice: libguestfs debug)\n"
"  -q, --quiet              no progress line on a terminal\n"
"      --trace              trace libguestfs and agent calls\n"
"  -u, --unmount            unmount MOUNTPOINT, waiting until every write is\n"
"                           in the image file and the appliance has exited\n"
"      --lazy               with -u: detach a busy mount\n"
"  -h, --help               this help\n"
"      --version            print the version\n");
}

/* Appends a copy of S to *LIST. */
static void
push_string (char ***list, size_t *n, const char *s)
{
  char **grown = xreallocarray (*list, *n + 1, sizeof **list);
  *list = grown;
  (*list)[(*n)++] = xstrdup (s);
}

/* -o takes a comma-separated list; imgmount acts on some options itself
 * and hands the rest to libfuse. */
static int
add_fuse_options (struct options *opts, const char *arg, char **err)
{
  char *copy = xstrdup (arg), *saveptr = NULL;
  for (char *o = strtok_r (copy, ",", &saveptr); o; o = strtok_r (NULL, ",", &saveptr)) {
    if (strcmp (o, "ro") == 0)
      opts->readonly = true;
    else if (strcmp (o, "rw") == 0)
      opts->readonly = false;
    else if (strcmp (o, "nonempty") == 0)
      opts->nonempty = true;
    else if (strcmp (o, "fakeroot") == 0)
      opts->fakeroot = true;
    else if (strcmp (o, "default_permissions") == 0)
      ;   /* always on */
    else {
      if (strcmp (o, "allow_other") == 0)
        opts->allow_other = true;
      push_string (&opts->fuse_opts, &opts->n_fuse_opts, o);
    }
  }
  free (copy);
  (void) err;
  return 0;
}

/* The message for getopt's '?'.  A long option is named as given; an
 * unknown short option by its letter, as it may sit inside a group
 * ("-xv"), where argv[optind - 1] is the argument before the group (or
 * the program).  BEFORE is optind before the getopt call. */
static int
unknown_option (int argc, char **argv, int before, char **err)
{
  const char *arg = optind > 0 && optind <= argc ? argv[optind - 1] : "";
  if (optind != before && strncmp (arg, "--", 2) == 0)
    return error_set (err, "unknown option %s; see imgmount --help", arg);
  return error_set (err, "unknown option -%c; see imgmount --help", optopt);
}


int
options_parse (int argc, char **argv, const char *env_backend,
               struct options *opts, char **err)
{
  memset (opts, 0, sizeof *opts);
  opts->format = xstrdup ("raw");
  opts->backend = BACKEND_AUTO;
  opts->cache = CACHE_WRITEBACK;
  if (env_backend && *env_backend &&
      backend_kind_from_name (env_backend, &opts->backend) == -1)
    return error_set (err, "IMGMOUNT_BACKEND=%s: unknown backend (expected auto, kvm, tcg or uml)", env_backend);

  optind = 0;   /* full reset, so that tests can parse repeatedly */
  opterr = 0;
  int c, before = optind;
  while ((c = getopt_long (argc, argv, ":a:m:rwfo:vquh", long_options, NULL)) != -1) {
    switch (c) {
    case 'a': push_string (&opts->images, &opts->n_images, optarg); break;
    case 'm': {
      struct mount_spec spec;
      if (mountspec_parse (optarg, &spec, err) == -1)
        return -1;
      opts->specs = xreallocarray (opts->specs, opts->n_specs + 1, sizeof *opts->specs);
      opts->specs[opts->n_specs++] = spec;
      break;
    }
    case OPT_RO: opts->readonly = true; break;
    case OPT_RW: opts->readonly = false; break;
    case OPT_FORMAT:
      if (!image_format_is_known (optarg))
        return error_set (err, "--format=%s: unknown image format (try raw, qcow2, vmdk, vdi, vhdx or vpc)", optarg);
      free (opts->format);
      opts->format = xstrdup (optarg);
      break;
    case OPT_BACKING: push_string (&opts->backings, &opts->n_backings, optarg); break;
    case OPT_FOREGROUND: opts->foreground = true; break;
    case OPT_PID_FILE: free (opts->pid_file); opts->pid_file = xstrdup (optarg); break;
    case 'o':
      if (add_fuse_options (opts, optarg, err) == -1)
        return -1;
      break;
    case 'v': opts->verbose++; break;
    case 'q': opts->quiet = true; break;
    case OPT_TRACE: opts->trace = true; break;
    case OPT_LIST: opts->mode = RUN_LIST; break;
    case 'u': opts->mode = RUN_UNMOUNT; break;
    case OPT_LAZY: opts->lazy = true; break;
    case OPT_JSON: opts->json = true; break;
    case OPT_BACKEND:
      if (backend_kind_from_name (optarg, &opts->backend) == -1)
        return error_set (err, "--backend=%s: unknown backend (expected auto, kvm, tcg or uml)", optarg);
      break;
    case OPT_CACHE:
      if (cache_mode_from_name (optarg, &opts->cache) == -1)
        return error_set (err, "--cache=%s: unknown cache mode (expected writeback, none or unsafe)", optarg);
      break;
    case OPT_SANDBOX:
      if (sandbox_mode_from_name (optarg, &opts->sandbox) == -1)
        return error_set (err, "--sandbox=%s: unknown mode (expected on, strict or off)", optarg);
      break;
    case 'h': opts->mode = RUN_HELP; return 0;
    /* Not returning at once, unlike --help, so that --json may follow. */
    case OPT_VERSION: opts->mode = RUN_VERSION; break;
    case ':':
      return error_set (err, "option %s needs an argument; see imgmount --help", argv[optind - 1]);
    default:
      return unknown_option (argc, argv, before, err);
    }
    before = optind;
  }

  if (opts->json && opts->mode != RUN_LIST && opts->mode != RUN_VERSION)
    return error_set (err, "--json goes with --list or --version; see imgmount --help");
  /* Anyone let in by allow_other would act as root too. */
  if (opts->fakeroot && opts->allow_other)
    return error_set (err, "-o fakeroot and -o allow_other together would let every user "
                      "act as root in the image; give one of them");
  if (opts->n_backings > HV_READ_MAX)
    return error_set (err, "--backing given %zu times; at most %d files may be named",
                      opts->n_backings, HV_READ_MAX);

  /* Positional arguments: images, then the mountpoint last. */
  int npos = argc - optind;
  switch (opts->mode) {
  case RUN_VERSION:
    return 0;
  case RUN_UNMOUNT:
    if (npos != 1)
      return error_set (err, "-u takes exactly one MOUNTPOINT; see imgmount --help");
    opts->mountpoint = xstrdup (argv[optind]);
    return 0;
  case RUN_LIST:
    for (int i = optind; i < argc; i++)
      push_string (&opts->images, &opts->n_images, argv[i]);
    if (opts->n_images == 0)
      return error_set (err, "--list needs at least one IMAGE; see imgmount --help");
    return 0;
  default:
    if (npos < 1)
      return error_set (err, "missing MOUNTPOINT; usage: imgmount [OPTIONS] IMAGE... MOUNTPOINT");
    for (int i = optind; i < argc - 1; i++)
      push_string (&opts->images, &opts->n_images, argv[i]);
    opts->mountpoint = xstrdup (argv[argc - 1]);
    if (opts->n_images == 0)
      return error_set (err, "missing IMAGE; usage: imgmount [OPTIONS] IMAGE... MOUNTPOINT");
    return 0;
  }
}

void
options_free (struct options *opts)
{
  for (size_t i = 0; i < opts->n_images; i++)
    free (opts->images[i]);
  free (opts->images);
  for (size_t i = 0; i < opts->n_specs; i++)
    mountspec_free (&opts->specs[i]);
  free (opts->specs);
  for (size_t i = 0; i < opts->n_fuse_opts; i++)
    free (opts->fuse_opts[i]);
  free (opts->fuse_opts);
  for (size_t i = 0; i < opts->n_backings; i++)
    free (opts->backings[i]);
  free (opts->backings);
  free (opts->mountpoint);
  free (opts->format);
  free (opts->pid_file);
  memset (opts, 0, sizeof *opts);
}
