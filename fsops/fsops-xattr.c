/* fsops-xattr.c: extended attributes, passed through to the appliance as
 * raw bytes (user., trusted., security. and the POSIX ACLs in
 * system.posix_acl_*): through imgmount-agent, values of any bytes and
 * the create/replace flags as they are; through guestfsd (a mount without
 * the agent), values as C strings and ACLs as text. */
#include <attr/attributes.h>
#include <errno.h>
#include <string.h>
#include <sys/xattr.h>
#include "fsops/acl-xattr.h"
#include "fsops/fsops-internal.h"

/* After a change of INO's xattrs: its ctime moved, which no libguestfs
 * call counted when the agent made it (fsops-known-attrs.c). */
static void
attrs_changed (struct fs *fs, fuse_ino_t ino)
{
  struct inode *i = itable_from_nodeid (&fs->itable, ino);
  fs_forget_stat (fs, i);
  fs_forget_dir_stat (fs, i);
}

/* INO's handle at the agent (*H), or else its path (*PATH, the caller's
 * to free): 0, or ESTALE when it has no name left. */
static int
target_of (struct fs *fs, fuse_ino_t ino, uint64_t *h, char **path)
{
  struct inode *i = itable_from_nodeid (&fs->itable, ino);
  *path = NULL;
  if (fs->agent)
    return fs_handle_of (fs, i, h);
  *path = itable_path (&fs->itable, i);
  return *path ? 0 : ESTALE;
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

/* INO's value of NAME; through the agent with FS's lock let go meanwhile
 * (fs_call_start), *CURRENT then saying whether nothing changed. */
static int
get_value (struct fs *fs, fuse_ino_t ino, const char *name, char **value, size_t *len,
           bool *current)
{
  uint64_t h;
  AUTO_FREE char *path = NULL;
  int e = target_of (fs, ino, &h, &path);
  *current = true;
  if (e)
    return e;
  if (!fs->agent)
    return guest_getxattr (fs->g, path, name, value, len);
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

/* XATTR_CREATE and XATTR_REPLACE have no appliance equivalent: check
 * first, which is exact because every change goes through this lock. */
static int
check_xattr_flags (struct fs *fs, const char *path, const char *name, int flags)
{
  if (!(flags & (XATTR_CREATE | XATTR_REPLACE)))
    return 0;
  size_t len;
  AUTO_FREE char *value = NULL;
  int e = guest_getxattr (fs->g, path, name, &value, &len);
  if (!e)
    return flags & XATTR_CREATE ? EEXIST : 0;
  if (e == ENOATTR)
    return flags & XATTR_REPLACE ? ENOATTR : 0;
  return e;
}

/* The ACL xattrs, which lsetxattr cannot carry (see acl-xattr.h). */
static const char *
acl_type_of (const char *name)
{
  if (strcmp (name, "system.posix_acl_access") == 0)
    return "access";
  if (strcmp (name, "system.posix_acl_default") == 0)
    return "default";
  return NULL;
}

static int
set_value (struct fs *fs, const char *path, const char *name, const char *value,
           size_t size)
{
  const char *acl_type = acl_type_of (name);
  if (!acl_type) {
    /* Carried as a C string: a NUL inside would silently cut the value. */
    if (memchr (value, '\0', size))
      return EOPNOTSUPP;
    return guest_setxattr (fs->g, path, name, value, size);
  }
  int e = 0;
  AUTO_FREE char *text = acl_xattr_to_text (value, size, &e);
  if (!text)
    return e;
  return *text || strcmp (acl_type, "access") == 0
    ? guest_acl_set (fs->g, path, acl_type, text)
    : guest_acl_delete_default (fs->g, path);
}

static int
guestfsd_setxattr (struct fs *fs, const char *path, const char *name, const char *value,
                   size_t size, int flags)
{
  int e = check_xattr_flags (fs, path, name, flags);
  return e ? e : set_value (fs, path, name, value, size);
}

void
op_setxattr (fuse_req_t req, fuse_ino_t ino, const char *name,
             const char *value, size_t size, int flags)
{
  struct fs *fs = fs_of (req);
  fs_lock (fs);
  uint64_t h;
  AUTO_FREE char *path = NULL;
  if (is_capability (name))
    fs_state_of (itable_from_nodeid (&fs->itable, ino))->no_capability = false;
  int e = target_of (fs, ino, &h, &path);
  if (!e && fs->agent) {
    uint64_t start = fs_call_start (fs);
    e = agent_setxattr (fs->agent, h, name, value, size,
                        (uint32_t) (flags & (XATTR_CREATE | XATTR_REPLACE)));
    fs_change_done (fs, start);
  }
  else if (!e)
    e = guestfsd_setxattr (fs, path, name, value, size, flags);
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
  AUTO_FREE char *path = NULL, *names = NULL;
  size_t len;
  int e = target_of (fs, ino, &h, &path);
  if (!e && fs->agent) {
    uint64_t start = fs_call_start (fs);
    e = agent_listxattr (fs->agent, h, &names, &len);
    fs_call_done (fs, start);
  }
  else if (!e)
    e = guest_listxattr (fs->g, path, &names, &len);
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
  AUTO_FREE char *path = NULL;
  int e = target_of (fs, ino, &h, &path);
  if (!e && fs->agent) {
    uint64_t start = fs_call_start (fs);
    e = agent_removexattr (fs->agent, h, name);
    fs_change_done (fs, start);
  }
  else if (!e)
    e = guest_removexattr (fs->g, path, name);
  if (is_capability (name) && (!e || e == ENOATTR))
    fs_state_of (itable_from_nodeid (&fs->itable, ino))->no_capability = true;
  attrs_changed (fs, ino);
  fuse_reply_err (req, e);
  fs_unlock (fs);
}
