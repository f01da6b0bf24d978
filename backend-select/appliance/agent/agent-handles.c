/* agent-handles.c: imgmount-agent's handle table (see agent-handles.h).
 *
 * An array indexed by handle, so that every request finds its object in
 * one step, and a hash map from (dev, ino) to handle, chained through the
 * entries, so that a second name for an object (a hard link, a LOOKUP
 * after READDIR_PLUS) finds the handle already given.  Slot 0 is never a
 * handle: the protocol keeps 0 for "no handle", and 0 ends chains here. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>
#include "backend-select/appliance/agent/agent-handles.h"
#include "common/agent-protocol.h"
#include "common/xalloc.h"

static struct agent_handle_entry *table;
static uint32_t table_size;    /* slots, slot 0 included */
static uint32_t free_list;     /* a free slot, chained by next; 0: none */
static uint32_t *buckets;      /* heads of hash chains; 0: empty */
static uint32_t bucket_mask;   /* buckets - 1, a power of two less one */
static uint32_t in_use;

static uint32_t
bucket_of (dev_t dev, ino_t ino)
{
  uint64_t x = ((uint64_t) dev * 0x9e3779b97f4a7c15u) ^ (uint64_t) ino;
  x *= 0xff51afd7ed558ccdu;    /* mixes the inode's low bits upwards */
  return (uint32_t) (x >> 32) & bucket_mask;
}

static void
chain_insert (uint32_t h)
{
  uint32_t *head = &buckets[bucket_of (table[h].dev, table[h].ino)];
  table[h].next = *head;
  *head = h;
}

static void
chain_remove (uint32_t h)
{
  uint32_t *p = &buckets[bucket_of (table[h].dev, table[h].ino)];
  while (*p != h)
    p = &table[*p].next;
  *p = table[h].next;
}

/* Twice the buckets once there are as many handles as buckets, so that
 * chains stay about one long. */
static void
buckets_grow (void)
{
  uint32_t n = (bucket_mask + 1) * 2;
  free (buckets);
  buckets = xcalloc (n, sizeof *buckets);
  bucket_mask = n - 1;
  for (uint32_t h = 1; h < table_size; h++)
    if (table[h].fd >= 0)
      chain_insert (h);
}

/* Adds free slots: the table doubles, the new slots go on the free list
 * lowest first, so that small numbers are given out first.  Slot 0 is
 * never on it. */
static void
table_grow (void)
{
  uint32_t old = table_size, n = old ? old * 2 : 64;
  table = xreallocarray (table, n, sizeof *table);
  for (uint32_t h = n; h-- > old;) {
    table[h] = (struct agent_handle_entry) { .fd = -1, .read_fd = -1, .write_fd = -1, .dir_fd = -1 };
    if (h > 0) {
      table[h].next = free_list;
      free_list = h;
    }
  }
  table_size = n;
}

static uint32_t
find (dev_t dev, ino_t ino)
{
  uint32_t h = buckets[bucket_of (dev, ino)];
  while (h && (table[h].dev != dev || table[h].ino != ino))
    h = table[h].next;
  return h;
}

/* A new handle for FD, whose attributes are ST, with one reference. */
static uint32_t
insert (int fd, const struct stat *st)
{
  if (!free_list)
    table_grow ();
  uint32_t h = free_list;
  free_list = table[h].next;
  table[h] = (struct agent_handle_entry) {
    .fd = fd, .read_fd = -1, .write_fd = -1, .dir_fd = -1, .mode = st->st_mode & S_IFMT,
    .dev = st->st_dev, .ino = st->st_ino, .refs = 1 };
  chain_insert (h);
  if (++in_use > bucket_mask)
    buckets_grow ();
  return h;
}

void
handles_init (int root_fd)
{
  struct stat st;
  if (fstat (root_fd, &st) < 0)
    st = (struct stat) { .st_mode = S_IFDIR };
  buckets = xcalloc (64, sizeof *buckets);
  bucket_mask = 63;
  insert (root_fd, &st);    /* the first slot given: AGENT_ROOT_HANDLE */
}

struct agent_handle_entry *
handle_get (uint64_t h)
{
  if (h == 0 || h >= table_size || table[h].fd < 0)
    return NULL;
  return &table[h];
}

/* The name is stat'ed first so that an object that already has a handle
 * costs no open.  Otherwise what gets opened is what counts: the name may
 * have changed in between, and the new descriptor's own fstat says which
 * object it is. */
int
handle_lookup (int parent_fd, const char *name, uint64_t *h, struct stat *st)
{
  if (fstatat (parent_fd, name, st, AT_SYMLINK_NOFOLLOW) < 0)
    return errno;
  uint32_t found = find (st->st_dev, st->st_ino);
  if (!found) {
    int fd = openat (parent_fd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
      return errno;
    if (fstat (fd, st) < 0) {
      int e = errno;
      close (fd);
      return e;
    }
    found = find (st->st_dev, st->st_ino);
    if (!found) {
      *h = insert (fd, st);
      return 0;
    }
    close (fd);    /* it got a handle under another name meanwhile */
  }
  table[found].refs++;
  *h = found;
  return 0;
}

static void
close_slot (struct agent_handle_entry *e)
{
  close (e->fd);
  if (e->read_fd >= 0)
    close (e->read_fd);
  if (e->write_fd >= 0)
    close (e->write_fd);
  if (e->dir_fd >= 0)
    close (e->dir_fd);
  e->fd = e->read_fd = e->write_fd = e->dir_fd = -1;
}

void
handles_reset (void)
{
  for (uint32_t h = 1; h < table_size; h++)
    if (table[h].fd >= 0)
      close_slot (&table[h]);
  free (table);
  free (buckets);
  table = NULL;
  buckets = NULL;
  table_size = free_list = bucket_mask = 0;
  in_use = 0;
}

int
handle_forget (uint64_t h, uint64_t count)
{
  struct agent_handle_entry *e = handle_get (h);
  if (!e)
    return EBADF;
  if (h == AGENT_ROOT_HANDLE)    /* never forgotten: nothing to count */
    return 0;
  if (count > e->refs)
    return EINVAL;
  e->refs -= count;
  if (e->refs == 0) {
    chain_remove ((uint32_t) h);
    close_slot (e);
    e->next = free_list;
    free_list = (uint32_t) h;
    in_use--;
  }
  return 0;
}
