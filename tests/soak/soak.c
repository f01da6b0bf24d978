/* soak.c: a seeded, reproducible random-operations soak of a directory,
 * meant for one inside an imgmount mount.
 *
 *   soak --dir DIR [--seed N] [--seconds N] [--threads N]
 *        [--stall-seconds N] [--manifest FILE]
 *   soak --scan DIR
 *
 * Several workers each run random operations (see ops.c) in a subtree of
 * DIR of their own and on one shared file, checking every result against
 * a model of the expected contents; at the end every file is read back.
 * The run fails (exit 1) on any mismatch or unexpected error, and on a
 * stall: an operation running longer than --stall-seconds (exit 3).  It
 * prints the seed first and a one-line summary last.  --manifest writes
 * the model's final state as a manifest (manifest.h); --scan prints the
 * same for a real tree, so a later mount can be compared with diff(1). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "manifest.h"
#include "ops.h"
#include "rng.h"

#define SHARED_NAME "shared.bin"

struct options {
  uint64_t seed;
  double seconds, stall_seconds;
  int threads;
  const char *dir, *manifest, *scan;
};

static _Atomic int stop;   /* set when the time is up or a worker failed */

static void *
work (void *arg)
{
  struct worker *w = arg;
  int r = 0;
  while (r == 0 && !atomic_load (&stop))
    r = worker_step (w);
  if (r == 0)
    r = worker_final_check (w);
  else
    atomic_store (&stop, 1);   /* the others stop too */
  atomic_store (&w->finished, 1);
  return r == 0 ? NULL : w;
}

static void
usage (void)
{
  fprintf (stderr, "usage: soak --dir DIR [--seed N] [--seconds N] [--threads N] "
                   "[--stall-seconds N] [--manifest FILE]\n"
                   "       soak --scan DIR\n");
  exit (2);
}

static void
parse (int argc, char **argv, struct options *o)
{
  static const struct option longopts[] = {
    { "seed", required_argument, NULL, 's' },
    { "seconds", required_argument, NULL, 't' },
    { "threads", required_argument, NULL, 'j' },
    { "dir", required_argument, NULL, 'd' },
    { "stall-seconds", required_argument, NULL, 'S' },
    { "manifest", required_argument, NULL, 'm' },
    { "scan", required_argument, NULL, 'c' },
    { NULL, 0, NULL, 0 },
  };
  int c;
  while ((c = getopt_long (argc, argv, "", longopts, NULL)) != -1)
    switch (c) {
    case 's': o->seed = strtoull (optarg, NULL, 0); break;
    case 't': o->seconds = atof (optarg); break;
    case 'j': o->threads = atoi (optarg); break;
    case 'd': o->dir = optarg; break;
    case 'S': o->stall_seconds = atof (optarg); break;
    case 'm': o->manifest = optarg; break;
    case 'c': o->scan = optarg; break;
    default: usage ();
    }
  if (optind != argc || (!o->dir && !o->scan) || o->threads < 1 || o->threads > 64 ||
      o->seconds < 0 || o->stall_seconds <= 0)
    usage ();
}

static int
scan (const char *dir)
{
  struct manifest mf = { 0 };
  if (manifest_add_tree (&mf, dir) == -1) {
    fprintf (stderr, "soak: scanning %s: %s\n", dir, strerror (errno));
    return 1;
  }
  manifest_write (&mf, stdout);
  return 0;
}

/* Opens DIR, made if missing; it must be empty, as the model starts so. */
static int
open_empty_dir (const char *dir)
{
  if (mkdir (dir, 0755) == -1 && errno != EEXIST)
    return -1;
  DIR *d = opendir (dir);
  if (!d)
    return -1;
  struct dirent *de;
  while ((de = readdir (d)))
    if (strcmp (de->d_name, ".") != 0 && strcmp (de->d_name, "..") != 0) {
      closedir (d);
      errno = ENOTEMPTY;
      return -1;
    }
  closedir (d);
  return open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

static bool
all_finished (struct worker *w, int n)
{
  for (int k = 0; k < n; k++)
    if (!atomic_load (&w[k].finished))
      return false;
  return true;
}

/* Ends the run when its time is up, and watches for a stalled operation
 * until the workers are done.  Returns 0, or 3 after reporting a stall. */
static int
watch (struct worker *w, int n, const struct options *o)
{
  double started = (double) now_ns () / 1e9;
  while (!all_finished (w, n)) {
    usleep (200 * 1000);
    if ((double) now_ns () / 1e9 - started >= o->seconds)
      atomic_store (&stop, 1);
    for (int k = 0; k < n; k++) {
      /* the start first, then the time: an operation that starts between
       * the two readings must not look as if it had started in the future
       * (the difference would wrap round to 584 years) */
      uint64_t since = atomic_load (&w[k].op_started_ns);
      uint64_t now = now_ns ();
      if (since && now > since && (double) (now - since) / 1e9 > o->stall_seconds) {
        fprintf (stderr, "soak: STALL: thread %d: %s running for %.1f s (bound %g s)\n",
                 k, op_name (atomic_load (&w[k].op_running)), (double) (now - since) / 1e9,
                 o->stall_seconds);
        return 3;
      }
    }
  }
  return 0;
}

static void
summarize (struct worker *w, int n, const struct options *o, double elapsed, int failed)
{
  unsigned long counts[OP_COUNT] = { 0 }, total = 0;
  double max = 0;
  enum op max_op = 0;
  int max_thread = 0;
  for (int k = 0; k < n; k++) {
    for (int op = 0; op < OP_COUNT; op++)
      counts[op] += w[k].counts[op];
    if (w[k].max_latency > max) {
      max = w[k].max_latency;
      max_op = w[k].max_latency_op;
      max_thread = k;
    }
  }
  printf ("soak: %s seed=%" PRIu64 " threads=%d seconds=%.0f", failed ? "FAILED" : "ok",
          o->seed, n, elapsed);
  for (int op = 0; op < OP_FINAL_CHECK; op++)
    total += counts[op];
  printf (" ops=%lu", total);
  for (int op = 0; op < OP_FINAL_CHECK; op++)
    printf (" %s=%lu", op_name (op), counts[op]);
  printf (" max_latency=%.3fs(%s,thread %d)\n", max, op_name (max_op), max_thread);
  fflush (stdout);
}

static int
write_manifest (const char *file, struct worker *w, int n, const struct shared_file *s)
{
  FILE *out = fopen (file, "we");
  if (!out)
    return -1;
  struct manifest mf = { 0 };
  manifest_add_model (&mf, &s->model);
  for (int k = 0; k < n; k++) {
    char root[32];
    sprintf (root, "t%d", k);
    model_add (&w[k].model, root, true);   /* the subtree's root, listed too */
    manifest_add_model (&mf, &w[k].model);
  }
  manifest_write (&mf, out);
  return fclose (out);
}

int
main (int argc, char **argv)
{
  struct options o = { .seconds = 60, .stall_seconds = 60, .threads = 4 };
  o.seed = (uint64_t) now_ns () ^ ((uint64_t) getpid () << 32);
  parse (argc, argv, &o);
  if (o.scan)
    return scan (o.scan);

  printf ("soak: seed=%" PRIu64 " (rerun with --seed %" PRIu64 ") threads=%d seconds=%.0f dir=%s\n",
          o.seed, o.seed, o.threads, o.seconds, o.dir);
  fflush (stdout);
  int base = open_empty_dir (o.dir);
  if (base == -1) {
    fprintf (stderr, "soak: %s: %s (it must be an empty directory)\n", o.dir, strerror (errno));
    return 1;
  }
  struct shared_file shared = { .lock = PTHREAD_MUTEX_INITIALIZER };
  model_add (&shared.model, SHARED_NAME, false);
  int fd = openat (base, SHARED_NAME, O_CREAT | O_EXCL | O_RDWR | O_CLOEXEC, 0644);
  if (fd == -1) {
    fprintf (stderr, "soak: create %s: %s\n", SHARED_NAME, strerror (errno));
    return 1;
  }
  close (fd);

  struct worker *w = calloc ((size_t) o.threads, sizeof *w);
  pthread_t *tid = calloc ((size_t) o.threads, sizeof *tid);
  if (!w || !tid)
    return 1;
  int failed = 0;
  for (int k = 0; k < o.threads; k++) {
    w[k] = (struct worker) { .id = k, .base = base, .base_path = o.dir, .shared = &shared,
                             .shared_fd = -1, .rng = rng_seed (o.seed, (uint64_t) k) };
    if (worker_init (&w[k]) == -1)
      return 1;
  }
  double start = (double) now_ns () / 1e9;
  for (int k = 0; k < o.threads; k++)
    if (pthread_create (&tid[k], NULL, work, &w[k]) != 0) {
      fprintf (stderr, "soak: cannot start a thread\n");
      return 1;
    }
  if (watch (w, o.threads, &o)) {
    summarize (w, o.threads, &o, (double) now_ns () / 1e9 - start, 1);
    _exit (3);   /* the stalled thread may never come back */
  }
  for (int k = 0; k < o.threads; k++) {
    void *res;
    pthread_join (tid[k], &res);
    failed |= res != NULL;
  }
  if (!failed && shared_final_check (&w[0]) == -1)
    failed = 1;
  summarize (w, o.threads, &o, (double) now_ns () / 1e9 - start, failed);
  if (!failed && o.manifest && write_manifest (o.manifest, w, o.threads, &shared) == -1) {
    fprintf (stderr, "soak: writing %s: %s\n", o.manifest, strerror (errno));
    failed = 1;
  }
  for (int k = 0; k < o.threads; k++)
    worker_free (&w[k]);
  model_free (&shared.model);
  free (w);
  free (tid);
  close (base);
  return failed ? 1 : 0;
}
