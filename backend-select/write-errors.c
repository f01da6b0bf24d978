/* write-errors.c: spots refused writes in the appliance's console output
 * (see write-errors.h). */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "backend-select/write-errors.h"
#include "common/xalloc.h"

/* Console lines are short; a longer one is judged by its beginning. */
#define KEPT_LINE_MAX 512

static struct {
  char line[KEPT_LINE_MAX];
  size_t len;
  int err;   /* ENOSPC or EIO once a write was refused, else 0 */
} seen;

/* The errno for a refused write that LINE reports, or 0.  Only writes:
 * a failed read fails the read itself, which the caller sees. */
static int
refused_write (const char *line)
{
  /* The block layer, for every failed request (rate-limited): "<status>
   * error, dev <disk>, sector <n> op 0x<n>:(<OP>) ...". */
  if (strstr (line, " error, dev ") && (strstr (line, ":(WRITE") || strstr (line, ":(FLUSH)")))
    return strstr (line, "critical space allocation error") ? ENOSPC : EIO;
  /* Rate limits may drop those: what the page cache and the filesystems
   * say of the same failures (lines holding both strings). */
  static const char *const others[][2] = {
    { "lost async page write", "" },                        /* buffer heads */
    { "Detected IO errors while flushing file data", "" },  /* jbd2 */
    { "I/O error", "writing to inode" },                    /* ext4 */
  };
  for (size_t k = 0; k < ARRAY_SIZE (others); k++)
    if (strstr (line, others[k][0]) && strstr (line, others[k][1]))
      return EIO;
  return 0;
}

static void
end_line (void)
{
  seen.line[seen.len] = '\0';
  /* Want of space says most: a write cut short by it shows as EIO first. */
  int e = refused_write (seen.line), now = __atomic_load_n (&seen.err, __ATOMIC_RELAXED);
  if (e && (now == 0 || e == ENOSPC))
    __atomic_store_n (&seen.err, e, __ATOMIC_RELAXED);
  seen.len = 0;
}

void
write_errors_feed (const char *buf, size_t len)
{
  for (size_t k = 0; k < len; k++) {
    if (buf[k] == '\n')
      end_line ();
    else if (buf[k] != '\r' && seen.len < KEPT_LINE_MAX - 1)
      seen.line[seen.len++] = buf[k];
  }
}

int
write_errors_seen (void)
{
  return __atomic_load_n (&seen.err, __ATOMIC_RELAXED);
}

/* With -vv: what libguestfs prints of the console when no callback takes
 * it, bytes other than printable ones and line ends shown as \xNN. */
static void
echo_console (const char *buf, size_t len)
{
  for (size_t k = 0; k < len; k++) {
    unsigned char c = (unsigned char) buf[k];
    if (isprint (c) || c == '\n' || c == '\r')
      putc (c, stderr);
    else
      fprintf (stderr, "\\x%02x", c);
  }
}

/* libguestfs calls this from within the call that reads the console, so
 * never two at once for one handle. */
static void
on_console (guestfs_h *g, void *opaque, uint64_t event, int handle, int flags,
            const char *buf, size_t len, const uint64_t *array, size_t alen)
{
  write_errors_feed (buf, len);
  if (guestfs_get_verbose (g))
    echo_console (buf, len);
}

int
write_errors_watch (guestfs_h *g)
{
  return guestfs_set_event_callback (g, on_console, GUESTFS_EVENT_APPLIANCE, 0, NULL) == -1 ? -1 : 0;
}
