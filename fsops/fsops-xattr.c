/* fsops-xattr.c: extended attributes, passed through to imgmount-agent as
 * raw bytes (user., trusted., security. and the POSIX ACLs in
 * system.posix_acl_*): values of any bytes, and the create/replace flags
 * as they are. */
#include <attr/attributes.h>
#include <errno.h>
#include <string.h>
#include <sys/xattr.h>
#include "fsops/fsops-internal.h"

/* After a change of INO's xattrs: its ctime moved, so a directory's
 * attributes kept from a change in it no longer tell. */
static void
attrs_changed (struct fs *fs, fuse_ino_t ino)
{
  fs_forget_dir_stat (fs, itable_from_nodeid (&fs->itable, ino));
}

/* INO's handle at the agent: 0, or an errno. */
static int
target_of (struct fs *fs, fuse_ino_t ino, uint64_t *h)
{
  return fs_handle_of (fs, itable_from_nodeid (&fs->itable, ino), h);
}

/* Replies with a value or list of LEN bytes as getxattr(2) wants it: its
 * size when the caller asks with SIZE 0, ERANGE when it does not fit. */
static void
reply_sized (fuse_req_t req, const char *data, size_t len, size_t size)
{
  if (size == 0)
    fuse_reply_xattr (req, len);
  else if (len > size)
    fuse_reply_err (req, ERANGE);
  else
    fuse_reply_buf (req, data, len);
}

static bool
is_capability (const char *name)
{
  return strcmp (name, "security.capability") == 0;
}

/* INO's value of NAME, with FS's lock let go meanwhile (fs_call_start),
 * *CURRENT then saying whether nothing changed. */
static int
get_value (struct fs *fs, fuse_ino_t ino, const char *name, char **value, size_t *len,
           bool *current)
{
  uint64_t h;
  int e = target_of (fs, ino, &h);
  *current = true;
  if (e)
    return e;
  uint64_t start = fs_call_start (fs);
  e = agent_getxattr (fs->agent, h, name, value, len);
  *current = fs_call_done (fs, start);
  return e;
}

void
op_getxattr (fuse_req_t req, fuse_ino_t ino, const char *name, size_t size)
{
  struct fs *fs = fs_of (req);
  fs_lock (fs);
  /* State only for the one name it is kept for: ls -l alone asks every
   * file for its ACLs. */
  struct file_state *s = is_capability (name)
    ? fs_state_of (itable_from_nodeid (&fs->itable, ino)) : NULL;
  size_t len;
  AUTO_FREE char *value = NULL;
  bool current = true;
  int e = s && s->no_capability ? ENOATTR : get_value (fs, ino, name, &value, &len, &current);
  if (s && e == ENOATTR && current)
    s->no_capability = true;
  fs_unlock (fs);
  if (e)
    fuse_reply_err (req, e);
  else
    reply_sized (req, value, len, size);
}

void
op_setxattr (fuse_req_t req, fuse_ino_t ino, const char *name,
             const char *value, size_t size, int flags)
{
  struct fs *fs = fs_of (req);
  fs_lock (fs);
  uint64_t h;
  if (is_capability (name))
    fs_state_of (itable_from_nodeid (&fs->itable, ino))->no_capability = false;
  int e = target_of (fs, ino, &h);
  if (!e) {
    uint64_t start = fs_call_start (fs);
    e = agent_setxattr (fs->agent, h, name, value, size,
                        (uint32_t) (flags & (XATTR_CREATE | XATTR_REPLACE)));
    fs_change_done (fs, start);
  }
  attrs_changed (fs, ino);
  fuse_reply_err (req, e);
  fs_unlock (fs);
}

void
op_listxattr (fuse_req_t req, fuse_ino_t ino, size_t size)
{
  struct fs *fs = fs_of (req);
  fs_lock (fs);
  uint64_t h;
  AUTO_FREE char *names = NULL;
  size_t len;
  int e = target_of (fs, ino, &h);
  if (!e) {
    fs_call_start (fs);
    e = agent_listxattr (fs->agent, h, &names, &len);
    fs_lock (fs);
  }
  fs_unlock (fs);
  if (e)
    fuse_reply_err (req, e);
  else
    reply_sized (req, names, len, size);
}

void
op_removexattr (fuse_req_t req, fuse_ino_t ino, const char *name)
{
  struct fs *fs = fs_of (req);
  fs_lock (fs);
  uint64_t h;
  int e = target_of (fs, ino, &h);
  if (!e) {
    uint64_t start = fs_call_start (fs);
    e = agent_removexattr (fs->agent, h, name);
    fs_change_done (fs, start);
  }
  if (is_capability (name) && (!e || e == ENOATTR))
    fs_state_of (itable_from_nodeid (&fs->itable, ino))->no_capability = true;
  attrs_changed (fs, ino);
  fuse_reply_err (req, e);
  fs_unlock (fs);
}
