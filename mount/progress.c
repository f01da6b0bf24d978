/* progress.c: the status line and phase timings. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "common/clock.h"
#include "common/xalloc.h"
#include "mount/progress.h"

static struct {
  bool on_terminal;
  int verbose;
  char *phase;
  double started;
} p;

void
progress_init (bool quiet, int verbose)
{
  p.on_terminal = !quiet && isatty (STDERR_FILENO);
  p.verbose = verbose;
}

static void
end_phase (void)
{
  if (!p.phase)
    return;
  if (p.on_terminal)
    fputs ("\r\033[K", stderr);
  if (p.verbose)
    fprintf (stderr, "imgmount: %s: %.1f s\n", p.phase, monotonic_seconds () - p.started);
  free (p.phase);
  p.phase = NULL;
}

void
progress_phase (const char *what)
{
  end_phase ();
  p.phase = xstrdup (what);
  p.started = monotonic_seconds ();
  if (p.on_terminal) {
    fprintf (stderr, "imgmount: %s...", what);
    fflush (stderr);
  }
}

void
progress_done (void)
{
  end_phase ();
}
