/* options.h: the imgmount command line, parsed into one struct. */
#ifndef IMGMOUNT_OPTIONS_H
#define IMGMOUNT_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include "mount/mountspec.h"
#include "backend-select/backend-name.h"

enum run_mode {
  RUN_MOUNT,
  RUN_LIST,      /* --list: print the filesystems and exit */
  RUN_UNMOUNT,   /* -u MOUNTPOINT */
  RUN_HELP,
  RUN_VERSION,
};

struct options {
  enum run_mode mode;
  char **images;            /* in the order given */
  size_t n_images;
  char *mountpoint;
  struct mount_spec *specs; /* -m, in the order given */
  size_t n_specs;
  bool readonly;
  char *format;             /* "raw" unless --format */
  char **backings;          /* --backing: files qemu may open as backing files */
  size_t n_backings;
  bool foreground;
  char *pid_file;
  char **fuse_opts;         /* -o values to hand to libfuse, one each */
  size_t n_fuse_opts;
  bool allow_other;         /* -o allow_other: also turns on default_permissions */
  bool nonempty;            /* -o nonempty: allow a non-empty mountpoint */
  bool fakeroot;            /* -o fakeroot: the mounting user acts as root
                               inside the image (no default_permissions) */
  int verbose;
  bool quiet;               /* -q: no progress line on a terminal */
  bool trace;
  bool lazy;                /* -u --lazy */
  bool json;                /* --json, with --list or --version */
  enum backend_kind backend;
  enum cache_mode cache;
  enum sandbox_mode sandbox;  /* --sandbox */
};

/* Parses ARGV.  Returns 0, or -1 with a one-line message in *ERR
 * (malloc'd).  ENV_BACKEND is $IMGMOUNT_BACKEND or NULL; the command line
 * wins over it. */
int options_parse (int argc, char **argv, const char *env_backend,
                   struct options *opts, char **err);
void options_free (struct options *opts);
void options_print_help (void);


#endif
