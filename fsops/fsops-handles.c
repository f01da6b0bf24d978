/* fsops-handles.c: each inode's handle at imgmount-agent (fsops-internal.h).
 *
 * The agent names objects by handles; the inode table knows them by name
 * (parent, name) and by identity (st_dev, st_ino).  An inode gets its
 * handle from the agent's LOOKUP that found it or, when something else
 * made it known (a creation, a listing), from a LOOKUP of its name the
 * first time a call needs it.  Either way the identity in the reply must
 * be the inode's: an appliance that answers with another object's fails
 * that call, and cannot make one inode serve another's data.  The inode
 * holds one reference to its handle, given back when the inode goes. */
#include <errno.h>
#include <stdio.h>
#include "fsops/fsops-internal.h"
#include "common/printable.h"
#include "common/agent-protocol.h"

/* Parents resolved one under the other before a handle is found: beyond
 * this the table has a loop, which itable_lookup refuses to make. */
#define MAX_DEPTH 4096

static int handle_at_depth (struct fs *fs, struct inode *i, uint64_t *handle, int depth);

/* With --trace, the agent call CALL about PARENT/NAME (I itself when NAME
 * is NULL), as libguestfs traces its calls, so that the tests that count
 * a mount's calls see these too. */
static void
trace (struct fs *fs, const char *call, struct inode *parent, const char *name)
{
  if (!fs->trace)
    return;
  AUTO_FREE char *path = name ? itable_child_path (&fs->itable, parent, name)
                              : itable_path (&fs->itable, parent);
  AUTO_FREE char *shown = printable (path ? path : "?");
  fprintf (stderr, "imgmount: trace: %s \"%s\"\n", call, shown);
}

/* Takes HANDLE, a new reference from the agent for I's identity, as I's;
 * an inode holds one reference at most. */
int
fs_agent_keep_handle (struct fs *fs, struct inode *i, uint64_t handle, const struct stat *st,
                      const char *call)
{
  struct file_state *s = fs_state_of (i);
  int r = (int64_t) st->st_dev != i->dev || (int64_t) st->st_ino != i->ino ||
          (s->handle && s->handle != handle)
    ? guest_reject (call, "another object's identity or handle")
    : fs_check_type (fs, i, st->st_mode, call);
  if (r) {
    agent_forget (fs->agent, handle, 1);
    return r;
  }
  if (s->handle)
    agent_forget (fs->agent, handle, 1);   /* the one held is enough */
  else
    s->handle = handle;
  return 0;
}

static int
handle_at_depth (struct fs *fs, struct inode *i, uint64_t *handle, int depth)
{
  if (i == &fs->itable.root) {
    *handle = AGENT_ROOT_HANDLE;
    return 0;
  }
  struct file_state *s = fs_state_of (i);
  if (s->handle) {
    *handle = s->handle;
    return 0;
  }
  if (!i->aliases)
    return ESTALE;
  if (depth >= MAX_DEPTH)
    return ELOOP;
  uint64_t parent, h;
  struct stat st;
  int e = handle_at_depth (fs, i->aliases->parent, &parent, depth + 1);
  trace (fs, "agent_lookup", i->aliases->parent, i->aliases->name);
  if (!e)
    e = agent_lookup (fs->agent, parent, i->aliases->name, &h, &st);
  if (!e)
    e = fs_agent_keep_handle (fs, i, h, &st, "agent lookup");
  if (!e)
    *handle = s->handle;
  return e;
}

int
fs_handle_of (struct fs *fs, struct inode *i, uint64_t *handle)
{
  return handle_at_depth (fs, i, handle, 0);
}

/* An agent reply's attributes of I: its identity and type, or the call
 * fails. */
static int
is_inode (struct fs *fs, struct inode *i, const struct stat *st, const char *call)
{
  if ((int64_t) st->st_dev != i->dev || (int64_t) st->st_ino != i->ino)
    return guest_reject (call, "another object's identity");
  return fs_check_type (fs, i, st->st_mode, call);
}

int
fs_agent_take_entry (struct fs *fs, struct inode *parent, const char *name, uint64_t h,
                     const struct stat *st, struct fuse_entry_param *e, const char *call)
{
  int r = fs_make_entry (fs, parent, name, st, e, call);
  if (r) {
    agent_forget (fs->agent, h, 1);
    return r;
  }
  /* The entry counted a kernel lookup, which an error reply must undo. */
  struct inode *i = itable_from_nodeid (&fs->itable, e->ino);
  r = fs_agent_keep_handle (fs, i, h, st, call);
  if (r)
    itable_forget (&fs->itable, i, 1);
  return r;
}

int
fs_agent_lookup (struct fs *fs, struct inode *parent, const char *name,
                 struct fuse_entry_param *e)
{
  uint64_t ph, h;
  struct stat st;
  int r = fs_handle_of (fs, parent, &ph);
  trace (fs, "agent_lookup", parent, name);
  if (r)
    return r;
  fs_call_start (fs);
  r = agent_lookup (fs->agent, ph, name, &h, &st);
  fs_lock (fs);
  return r ? r : fs_agent_take_entry (fs, parent, name, h, &st, e, "agent lookup");
}

int
fs_agent_create (struct fs *fs, struct inode *parent, const char *name,
                 const struct agent_new *what, struct stat *parent_st,
                 struct fuse_entry_param *e, bool *current)
{
  uint64_t ph, h;
  struct stat st;
  int r = fs_handle_of (fs, parent, &ph);
  trace (fs, "agent_create", parent, name);
  *current = false;
  if (r)
    return r;
  uint64_t start = fs_call_start (fs);
  r = agent_create (fs->agent, ph, name, what, &h, &st, parent_st);
  *current = fs_change_done (fs, start);
  if (r)
    return r;
  if ((r = is_inode (fs, parent, parent_st, "agent create"))) {
    agent_forget (fs->agent, h, 1);
    return r;
  }
  return fs_agent_take_entry (fs, parent, name, h, &st, e, "agent create");
}

int
fs_agent_getattr (struct fs *fs, struct inode *i, struct stat *st)
{
  uint64_t h;
  int e = fs_handle_of (fs, i, &h);
  trace (fs, "agent_getattr", i, NULL);
  if (e)
    return e;
  fs_call_start (fs);
  e = agent_getattr (fs->agent, h, st);
  fs_lock (fs);
  return e ? e : is_inode (fs, i, st, "agent getattr");
}

int
fs_agent_setattr (struct fs *fs, struct inode *i, struct agent_setattr set, struct stat *st)
{
  int e = fs_handle_of (fs, i, &set.handle);
  trace (fs, "agent_setattr", i, NULL);
  if (e)
    return e;
  fs_call_start (fs);
  e = agent_setattr (fs->agent, set, st);
  fs_lock (fs);
  return e ? e : is_inode (fs, i, st, "agent setattr");
}

int
fs_agent_fallocate (struct fs *fs, struct inode *i, int mode, int64_t offset, int64_t length,
                    struct stat *st)
{
  uint64_t h;
  int e = fs_handle_of (fs, i, &h);
  trace (fs, "agent_fallocate", i, NULL);
  if (!e)
    e = agent_fallocate (fs->agent, h, (uint32_t) mode, (uint64_t) offset, (uint64_t) length, st);
  return e ? e : is_inode (fs, i, st, "agent fallocate");
}

int
fs_agent_copy_range (struct fs *fs, struct inode *in, int64_t in_off, struct inode *out,
                     int64_t out_off, uint64_t size, uint64_t *copied, struct stat *st)
{
  uint64_t hin, hout;
  int e = fs_handle_of (fs, in, &hin);
  if (!e)
    e = fs_handle_of (fs, out, &hout);
  trace (fs, "agent_copy_range", out, NULL);
  if (!e)
    e = agent_copy_range (fs->agent, hin, (uint64_t) in_off, hout, (uint64_t) out_off, size,
                          copied, st);
  return e ? e : is_inode (fs, out, st, "agent copy_range");
}

int
fs_agent_lseek (struct fs *fs, struct inode *i, int64_t offset, int whence, int64_t *at)
{
  uint64_t h, got;
  int e = fs_handle_of (fs, i, &h);
  trace (fs, "agent_lseek", i, NULL);
  if (!e)
    e = agent_lseek (fs->agent, h, (uint64_t) offset, whence, &got);
  if (!e)
    *at = (int64_t) got;
  return e;
}

int
fs_agent_write (struct fs *fs, struct inode *i, const char *buf, size_t size, int64_t off,
                struct stat *st)
{
  uint64_t h;
  int e = fs_handle_of (fs, i, &h);
  trace (fs, "agent_write", i, NULL);
  if (e)
    return e;
  fs_call_start (fs);
  /* An inode's identity never changes: it can be compared unlocked. */
  while (!e && size > 0) {
    size_t n = size > AGENT_WRITE_SPAN_MAX ? AGENT_WRITE_SPAN_MAX : size;
    e = agent_write_span (fs->agent, h, (uint64_t) off, buf, n, st);
    if (!e && ((int64_t) st->st_dev != i->dev || (int64_t) st->st_ino != i->ino))
      e = guest_reject ("agent write", "another object's identity");
    buf += n;
    size -= n;
    off += (int64_t) n;
  }
  fs_lock (fs);
  return e ? e : fs_check_type (fs, i, st->st_mode, "agent write");
}

/* I, about to lose a name while open, keeps a handle: through it the
 * agent keeps the object, and the host its data, once no name is left. */
static int
hold_if_open (struct fs *fs, struct inode *i)
{
  uint64_t h;
  bool open = i && i->data && ((struct file_state *) i->data)->open_count > 0;
  return open ? fs_handle_of (fs, i, &h) : 0;
}

int
fs_agent_remove (struct fs *fs, struct inode *parent, const char *name, bool dir,
                 struct stat *parent_st, bool *current)
{
  uint64_t ph;
  int e = fs_handle_of (fs, parent, &ph);
  if (!e)
    e = hold_if_open (fs, itable_find_child (&fs->itable, parent, name));
  trace (fs, dir ? "agent_rmdir" : "agent_unlink", parent, name);
  *current = false;
  if (e)
    return e;
  uint64_t start = fs_call_start (fs);
  e = agent_remove (fs->agent, ph, name, dir, parent_st);
  *current = fs_change_done (fs, start);
  return e ? e : is_inode (fs, parent, parent_st, "agent remove");
}

int
fs_agent_rename (struct fs *fs, struct inode *parent, const char *name, struct inode *newparent,
                 const char *newname, uint32_t flags, struct stat *parent_st,
                 struct stat *newparent_st, bool *current)
{
  uint64_t ph, nph;
  int e = fs_handle_of (fs, parent, &ph);
  if (!e)
    e = fs_handle_of (fs, newparent, &nph);
  if (!e)
    e = hold_if_open (fs, itable_find_child (&fs->itable, newparent, newname));
  trace (fs, "agent_rename", parent, name);
  *current = false;
  if (e)
    return e;
  uint64_t start = fs_call_start (fs);
  e = agent_rename (fs->agent, ph, name, nph, newname, flags, parent_st, newparent_st);
  *current = fs_change_done (fs, start);
  if (!e)
    e = is_inode (fs, parent, parent_st, "agent rename");
  return e ? e : is_inode (fs, newparent, newparent_st, "agent rename");
}

int
fs_agent_link (struct fs *fs, struct inode *i, struct inode *newparent, const char *name,
               struct stat *parent_st, struct fuse_entry_param *e, bool *current)
{
  uint64_t h, ph;
  struct stat st;
  int r = fs_handle_of (fs, i, &h);
  if (!r)
    r = fs_handle_of (fs, newparent, &ph);
  trace (fs, "agent_link", newparent, name);
  *current = false;
  if (r)
    return r;
  uint64_t start = fs_call_start (fs);
  r = agent_link (fs->agent, h, ph, name, &st, parent_st);
  *current = fs_change_done (fs, start);
  if (r)
    return r;
  /* The reference is to I's own handle: fs_agent_take_entry keeps one. */
  if ((r = is_inode (fs, i, &st, "agent link")) ||
      (r = is_inode (fs, newparent, parent_st, "agent link"))) {
    agent_forget (fs->agent, h, 1);
    return r;
  }
  return fs_agent_take_entry (fs, newparent, name, h, &st, e, "agent link");
}

void
fs_forget_handle (struct fs *fs, struct inode *i)
{
  struct file_state *s = i->data;
  /* fs_free lets the table go without the agent: its end closes anyway. */
  if (s && s->handle && fs->agent)
    agent_forget (fs->agent, s->handle, 1);
  if (s)
    s->handle = 0;
}
