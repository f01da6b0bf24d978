/* test-agent.c: the real imgmount-agent (agent-main.c), run over a
 * socketpair on a small tree made here, spoken to in raw protocol
 * messages (common/agent-protocol.h): every op's reply against what the
 * kernel says of the same files, malformed requests answered with the
 * right error, READDIR paging over a large directory, pipelining, and the
 * exit on a header that cannot be right.  Last, the cost of a round trip,
 * printed and not checked: one at a time against 32 in flight.
 *
 * The agent run is the build's (static, no sanitizers), or
 * $IMGMOUNT_AGENT: say, one built with -fsanitize=address,undefined. */
#include <errno.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "common/agent-protocol.h"
#include "common/clock.h"
#include "common/cleanup.h"
#include "common/remove-tree.h"
#include "common/xalloc.h"
#include "check.h"

#define DIR_ENTRIES 3000
#define BIG_SIZE (3u << 20)

static char *top;           /* the temporary directory: ROOT is top/root */
static pid_t agent_pid = -1;
static int sock = -1;

/* What a failed or hung test leaves: nothing, even from alarm's handler
 * (the tree goes, the agent is reaped). */
static void
cleanup (void)
{
  if (sock >= 0)
    close (sock);
  if (agent_pid > 0) {
    kill (agent_pid, SIGKILL);
    waitpid (agent_pid, NULL, 0);
  }
  if (top)
    remove_tree (top);
}

static void
on_alarm (int sig)
{
  fprintf (stderr, "test-agent: timed out\n");
  cleanup ();
  _exit (1);
}

/* Starts the agent on ROOT; sock is our end.  Its stderr goes to
 * /dev/null when QUIET (a test that makes it complain on purpose). */
static pid_t
start_agent (const char *root, bool quiet)
{
  int sv[2];
  if (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
    abort ();
  pid_t pid = fork ();
  if (pid == 0) {
    dup2 (sv[1], 0);
    dup2 (sv[1], 1);
    if (quiet)
      dup2 (open ("/dev/null", O_WRONLY), 2);
    const char *agent = getenv ("IMGMOUNT_AGENT");
    execl (agent && *agent ? agent : IMGMOUNT_AGENT_PATH, "imgmount-agent", root, (char *) NULL);
    _exit (127);
  }
  close (sv[1]);
  sock = sv[0];
  return pid;
}

static void
write_all (const void *buf, size_t len)
{
  for (size_t done = 0; done < len;) {
    ssize_t n = write (sock, (const char *) buf + done, len - done);
    if (n <= 0)
      abort ();
    done += (size_t) n;
  }
}

static bool
read_all (void *buf, size_t len)
{
  for (size_t done = 0; done < len;) {
    ssize_t n = read (sock, (char *) buf + done, len - done);
    if (n <= 0)
      return false;
    done += (size_t) n;
  }
  return true;
}

/* A request: the header, BODY and then NAME or data (may be NULL). */
static void
send_req (uint16_t op, uint64_t id, const void *body, size_t len, const void *name, size_t namelen)
{
  struct agent_header h = { .len = (uint32_t) (sizeof h + len + namelen), .op = op, .id = id };
  AUTO_FREE unsigned char *buf = xmalloc (h.len);
  memcpy (buf, &h, sizeof h);
  if (len)    /* memcpy from NULL, even of 0 bytes, is undefined */
    memcpy (buf + sizeof h, body, len);
  if (namelen)
    memcpy (buf + sizeof h + len, name, namelen);
  write_all (buf, h.len);
}

struct reply {
  struct agent_header h;
  unsigned char *body;      /* h.len - sizeof h bytes */
  size_t len;
};

/* The next reply; its body in a buffer of AGENT_MSG_MAX reused each time. */
static bool
recv_reply (struct reply *r)
{
  static unsigned char *buf;
  if (!buf)
    buf = xmalloc (AGENT_MSG_MAX);
  r->body = buf;
  r->len = 0;
  if (!read_all (&r->h, sizeof r->h) || r->h.len < sizeof r->h || r->h.len > AGENT_MSG_MAX)
    return false;
  r->len = r->h.len - sizeof r->h;
  return read_all (buf, r->len);
}

/* One round trip; the reply's error, its id and op checked. */
static uint32_t
call (uint16_t op, const void *body, size_t len, const void *name, size_t namelen, struct reply *r)
{
  static uint64_t next_id = 1;
  uint64_t id = next_id++;
  send_req (op, id, body, len, name, namelen);
  if (!recv_reply (r)) {
    fprintf (stderr, "test-agent: no reply to op %u\n", op);
    cleanup ();
    exit (1);
  }
  CHECK (r->h.id == id && r->h.op == op);
  CHECK (r->h.error != 0 || r->h.reserved == 0);
  return r->h.error;
}

static char *
path_of (const char *name)
{
  return xasprintf ("%s/root/%s", top, name);
}

static void
write_file (const char *name, const void *data, size_t len)
{
  AUTO_FREE char *p = path_of (name);
  int fd = open (p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  CHECK (fd >= 0 && write (fd, data, len) == (ssize_t) len);
  close (fd);
}

/* The entry names of dir/: lengths from 1 to 200, so that every padding
 * to 8 bytes is met. */
static char *
entry_name (int k)
{
  char *name = xasprintf ("%d-%0*d", k, k % 200, 0);
  return name;
}

/* root/: file, hard (file's hard link), lone, sym, big (3 MiB), dir/ with
 * DIR_ENTRIES files. */
static unsigned char *
make_tree (void)
{
  AUTO_FREE char *root = xasprintf ("%s/root", top), *dir = path_of ("dir");
  AUTO_FREE char *file = path_of ("file"), *hard = path_of ("hard"), *sym = path_of ("sym");
  CHECK (mkdir (root, 0755) == 0 && mkdir (dir, 0755) == 0);
  write_file ("file", "hello\n", 6);
  write_file ("lone", "", 0);
  CHECK (link (file, hard) == 0 && symlink ("some/target/../of/a link", sym) == 0);
  unsigned char *big = xmalloc (BIG_SIZE);
  for (size_t k = 0; k < BIG_SIZE; k++)
    big[k] = (unsigned char) ((k * 2654435761u) >> 13);
  write_file ("big", big, BIG_SIZE);
  for (int k = 0; k < DIR_ENTRIES; k++) {
    AUTO_FREE char *name = entry_name (k);
    AUTO_FREE char *p = xasprintf ("dir/%s", name);
    write_file (p, "", 0);
  }
  return big;
}

static bool
attr_matches (const struct agent_attr *a, const struct stat *st)
{
  return a->dev == st->st_dev && a->ino == st->st_ino
    && a->size == (uint64_t) st->st_size && a->mode == st->st_mode
    && a->nlink == st->st_nlink && a->uid == st->st_uid && a->gid == st->st_gid
    && a->blocks == (uint64_t) st->st_blocks && a->rdev == st->st_rdev
    && a->mtime == st->st_mtim.tv_sec && a->mtime_nsec == st->st_mtim.tv_nsec
    && a->ctime == st->st_ctim.tv_sec && a->reserved == 0;
}

static bool
attr_is_of (const struct agent_attr *a, const char *name)
{
  AUTO_FREE char *p = name ? path_of (name) : xasprintf ("%s/root", top);
  struct stat st;
  return lstat (p, &st) == 0 && attr_matches (a, &st);
}

static void
test_hello (void)
{
  struct agent_hello rq = { .magic = AGENT_MAGIC, .version = AGENT_VERSION, .credits = 64 };
  struct reply r;
  CHECK (call (AGENT_OP_HELLO, &rq, sizeof rq, NULL, 0, &r) == 0);
  struct agent_hello h;
  struct agent_attr a;
  CHECK (r.len == sizeof h + sizeof a);
  memcpy (&h, r.body, sizeof h);
  memcpy (&a, r.body + sizeof h, sizeof a);
  CHECK (h.magic == AGENT_MAGIC && h.version == AGENT_VERSION && h.reserved == 0);
  CHECK (h.credits >= 1 && h.credits <= AGENT_CREDITS_MAX);
  CHECK (attr_is_of (&a, NULL));
  CHECK (call (AGENT_OP_NOP, NULL, 0, NULL, 0, &r) == 0 && r.len == 0);
}

/* LOOKUP of NAME in PARENT: its error; *E the entry. */
static uint32_t
lookup_in (uint64_t parent, const char *name, size_t namelen, struct agent_entry *e)
{
  struct agent_lookup rq = { .parent = parent, .namelen = (uint32_t) namelen };
  struct reply r;
  uint32_t err = call (AGENT_OP_LOOKUP, &rq, sizeof rq, name, namelen, &r);
  CHECK (err ? r.len == 0 : r.len == sizeof *e);
  if (!err)
    memcpy (e, r.body, sizeof *e);
  return err;
}

static uint64_t
lookup (const char *name)
{
  struct agent_entry e = { 0 };
  CHECK (lookup_in (AGENT_ROOT_HANDLE, name, strlen (name), &e) == 0);
  CHECK (e.handle != 0 && e.handle != AGENT_ROOT_HANDLE && attr_is_of (&e.attr, name));
  return e.handle;
}

static uint32_t
handle_call (uint16_t op, uint64_t handle, struct reply *r)
{
  struct agent_handle rq = { .handle = handle };
  return call (op, &rq, sizeof rq, NULL, 0, r);
}

static void
test_lookup (void)
{
  struct agent_entry e;
  struct reply r;
  uint64_t file = lookup ("file");
  CHECK (lookup ("file") == file);
  CHECK (lookup ("hard") == file);
  CHECK (lookup ("sym") != file);
  CHECK (lookup_in (AGENT_ROOT_HANDLE, "missing", 7, &e) == ENOENT);
  static const char *const bad[] = { "a/b", ".", "..", "", "/", "a\0b" };
  for (size_t k = 0; k < ARRAY_SIZE (bad); k++)
    CHECK (lookup_in (AGENT_ROOT_HANDLE, bad[k], k == 5 ? 3 : strlen (bad[k]), &e) == EINVAL);
  char longname[AGENT_NAME_MAX + 1];
  memset (longname, 'x', sizeof longname);
  CHECK (lookup_in (AGENT_ROOT_HANDLE, longname, sizeof longname, &e) == EINVAL);
  CHECK (lookup_in (AGENT_ROOT_HANDLE, longname, AGENT_NAME_MAX, &e) == ENOENT);
  CHECK (lookup_in (12345, "file", 4, &e) == EBADF);
  CHECK (lookup_in (0, "file", 4, &e) == EBADF);
  CHECK (lookup_in (file, "x", 1, &e) == ENOTDIR);
  struct agent_lookup rq = { .parent = AGENT_ROOT_HANDLE, .namelen = 5 };
  CHECK (call (AGENT_OP_LOOKUP, &rq, sizeof rq, "file", 4, &r) == EINVAL);
  CHECK (handle_call (AGENT_OP_GETATTR, file, &r) == 0 && r.len == sizeof (struct agent_attr));
  CHECK (attr_is_of ((const struct agent_attr *) r.body, "file"));
  CHECK (handle_call (AGENT_OP_GETATTR, AGENT_ROOT_HANDLE, &r) == 0);
  CHECK (attr_is_of ((const struct agent_attr *) r.body, NULL));
  CHECK (handle_call (AGENT_OP_GETATTR, 999999, &r) == EBADF && r.len == 0);
}

static uint32_t
read_at (uint64_t handle, uint64_t offset, uint32_t size, struct reply *r)
{
  struct agent_read rq = { .handle = handle, .offset = offset, .size = size };
  return call (AGENT_OP_READ, &rq, sizeof rq, NULL, 0, r);
}

static void
test_read (const unsigned char *big)
{
  uint64_t h = lookup ("big");
  struct reply r;
  for (uint64_t off = 0; off < BIG_SIZE; off += AGENT_IO_MAX) {
    CHECK (read_at (h, off, AGENT_IO_MAX, &r) == 0 && r.len == AGENT_IO_MAX);
    CHECK (memcmp (r.body, big + off, AGENT_IO_MAX) == 0);
  }
  CHECK (read_at (h, BIG_SIZE - 10, 100, &r) == 0 && r.len == 10);
  CHECK (memcmp (r.body, big + BIG_SIZE - 10, 10) == 0);
  CHECK (read_at (h, BIG_SIZE, 100, &r) == 0 && r.len == 0);
  CHECK (read_at (h, 1ull << 40, 100, &r) == 0 && r.len == 0);
  CHECK (read_at (h, 0, 0, &r) == EINVAL);
  CHECK (read_at (h, 0, AGENT_IO_MAX + 1, &r) == EINVAL);
  CHECK (read_at (AGENT_ROOT_HANDLE, 0, 10, &r) == EISDIR);
  CHECK (read_at (lookup ("sym"), 0, 10, &r) == EINVAL);
  CHECK (read_at (4242, 0, 10, &r) == EBADF);
}

static void
test_readlink_statfs (void)
{
  struct reply r;
  const char *target = "some/target/../of/a link";
  CHECK (handle_call (AGENT_OP_READLINK, lookup ("sym"), &r) == 0);
  CHECK (r.len == strlen (target) && memcmp (r.body, target, r.len) == 0);
  CHECK (handle_call (AGENT_OP_READLINK, lookup ("file"), &r) == EINVAL);
  CHECK (handle_call (AGENT_OP_READLINK, 777, &r) == EBADF);
  struct statfs s;
  struct agent_statfs a;
  AUTO_FREE char *root = xasprintf ("%s/root", top);
  CHECK (handle_call (AGENT_OP_STATFS, AGENT_ROOT_HANDLE, &r) == 0 && r.len == sizeof a);
  memcpy (&a, r.body, sizeof a);
  CHECK (statfs (root, &s) == 0);
  CHECK (a.blocks == s.f_blocks && a.bsize == s.f_bsize && a.namemax == s.f_namelen);
  CHECK (a.files == s.f_files && a.reserved == 0);
}

static int
fsync_call (uint64_t handle, uint32_t datasync, uint32_t reserved)
{
  struct agent_fsync rq = { .handle = handle, .datasync = datasync, .reserved = reserved };
  struct reply r;
  int e = call (AGENT_OP_FSYNC, &rq, sizeof rq, NULL, 0, &r);
  CHECK (r.len == 0);
  return e;
}

static void
test_fsync (void)
{
  CHECK (fsync_call (lookup ("file"), 0, 0) == 0);
  CHECK (fsync_call (lookup ("file"), 1, 0) == 0);
  CHECK (fsync_call (lookup ("dir"), 0, 0) == 0);
  CHECK (fsync_call (AGENT_ROOT_HANDLE, 1, 0) == 0);
  CHECK (fsync_call (lookup ("sym"), 0, 0) == EINVAL);
  CHECK (fsync_call (777, 0, 0) == EBADF);
  CHECK (fsync_call (lookup ("file"), 2, 0) == EINVAL);
  CHECK (fsync_call (lookup ("file"), 0, 1) == EINVAL);
}

static void forget (uint64_t handle, uint64_t count, uint32_t want);

static uint32_t
write_at (uint64_t handle, uint64_t offset, const void *data, uint32_t size, size_t sent,
          struct reply *r)
{
  struct agent_write rq = { .handle = handle, .offset = offset, .size = size };
  return call (AGENT_OP_WRITE, &rq, sizeof rq, data, sent, r);
}

/* WRITEs to a file whose name changes under them: every byte lands in
 * the same inode, and each reply is the file's attributes just after. */
static void
test_write (const unsigned char *big)
{
  struct reply r;
  uint64_t h = lookup ("lone");
  AUTO_FREE char *old = path_of ("lone"), *renamed = path_of ("written");
  CHECK (rename (old, renamed) == 0);
  CHECK (write_at (h, 3, "abc", 3, 3, &r) == 0 && r.len == sizeof (struct agent_attr));
  CHECK (attr_is_of ((const struct agent_attr *) r.body, "written"));
  CHECK (((const struct agent_attr *) r.body)->size == 6);
  CHECK (write_at (h, AGENT_IO_MAX, big, AGENT_IO_MAX, AGENT_IO_MAX, &r) == 0);
  CHECK (((const struct agent_attr *) r.body)->size == 2 * AGENT_IO_MAX);
  int fd = open (renamed, O_RDONLY);
  AUTO_FREE unsigned char *back = xmalloc (2 * AGENT_IO_MAX);
  CHECK (fd >= 0 && pread (fd, back, 2 * AGENT_IO_MAX, 0) == 2 * AGENT_IO_MAX);
  close (fd);
  CHECK (memcmp (back, "\0\0\0abc", 6) == 0 && memcmp (back + AGENT_IO_MAX, big, AGENT_IO_MAX) == 0);
  /* The body must hold exactly SIZE bytes, and SIZE be 1 to AGENT_IO_MAX. */
  CHECK (write_at (h, 0, "abcdef", 5, 6, &r) == EINVAL && r.len == 0);
  CHECK (write_at (h, 0, "abcdef", 6, 5, &r) == EINVAL);
  CHECK (write_at (h, 0, "", 0, 0, &r) == EINVAL);
  CHECK (write_at (h, INT64_MAX, "x", 1, 1, &r) == EINVAL);
  struct agent_write rq = { .handle = h, .size = 1, .reserved = 1 };
  CHECK (call (AGENT_OP_WRITE, &rq, sizeof rq, "x", 1, &r) == EINVAL);
  CHECK (write_at (AGENT_ROOT_HANDLE, 0, "x", 1, 1, &r) == EISDIR);
  CHECK (write_at (lookup ("sym"), 0, "x", 1, 1, &r) == EINVAL);
  CHECK (write_at (4242, 0, "x", 1, 1, &r) == EBADF);
  CHECK (rename (renamed, old) == 0);
  forget (h, 1, 0);
}

/* CREATE of NAME (and TARGET, for a link) in PARENT; *C gets the reply. */
static uint32_t
create (uint64_t parent, const char *name, uint32_t mode, uint32_t uid, uint32_t gid,
        const char *target, struct agent_created *c)
{
  size_t nl = strlen (name), tl = target ? strlen (target) : 0;
  struct agent_create rq = { .parent = parent, .mode = mode, .uid = uid, .gid = gid,
                             .namelen = (uint32_t) nl, .targetlen = (uint32_t) tl };
  AUTO_FREE char *tail = xasprintf ("%s%s", name, target ? target : "");
  struct reply r;
  uint32_t e = call (AGENT_OP_CREATE, &rq, sizeof rq, tail, nl + tl, &r);
  CHECK (e ? r.len == 0 : r.len == sizeof *c);
  if (!e)
    memcpy (c, r.body, sizeof *c);
  return e;
}

/* Every type CREATE makes, in a directory it made: the attributes in its
 * reply are the kernel's, the owners the ones asked for (as root; an
 * ordinary user's agent cannot give them away, and leaves nothing). */
static void
test_create (void)
{
  struct agent_created c, d;
  bool root = geteuid () == 0;
  CHECK (create (AGENT_ROOT_HANDLE, "made", S_IFDIR | 0750, 0, 0, NULL, &d) == 0);
  CHECK (attr_is_of (&d.entry.attr, "made") && attr_is_of (&d.parent, NULL));
  uint64_t made = d.entry.handle;
  CHECK (made != 0 && made != AGENT_ROOT_HANDLE && (d.entry.attr.mode & 07777) == 0750);
  uint32_t uid = root ? 1234 : getuid (), gid = root ? 5678 : getgid ();
  static const struct { const char *name; uint32_t mode; const char *target; } kinds[] = {
    { "f", S_IFREG | 04751, NULL }, { "d", S_IFDIR | 0700, NULL }, { "l", S_IFLNK | 0777, "t/x" },
    { "p", S_IFIFO | 0600, NULL }, { "s", S_IFSOCK | 0644, NULL },
  };
  for (size_t k = 0; k < ARRAY_SIZE (kinds); k++) {
    AUTO_FREE char *rel = xasprintf ("made/%s", kinds[k].name);
    CHECK (create (made, kinds[k].name, kinds[k].mode, uid, gid, kinds[k].target, &c) == 0);
    CHECK (attr_is_of (&c.entry.attr, rel) && attr_is_of (&c.parent, "made"));
    CHECK ((c.entry.attr.mode & S_IFMT) == (kinds[k].mode & S_IFMT));
    CHECK (c.entry.attr.uid == uid && c.entry.attr.gid == gid);
    forget (c.entry.handle, 1, 0);
  }
  struct stat st;
  AUTO_FREE char *f = path_of ("made/f");
  CHECK (lstat (f, &st) == 0 && (st.st_mode & 0777) == 0751);
  if (root) {
    /* A set-group-ID directory's group, whatever GID says. */
    AUTO_FREE char *made_path = path_of ("made");
    CHECK (chown (made_path, 0, 4242) == 0 && chmod (made_path, 02770) == 0);
    CHECK (create (made, "g", S_IFREG | 0600, 77, 88, NULL, &c) == 0);
    CHECK (c.entry.attr.uid == 77 && c.entry.attr.gid == 4242);
    forget (c.entry.handle, 1, 0);
  }
  /* Enough objects kept at once that the agent's table of handles grows
   * within a CREATE: the directory's attributes are still its own. */
  uint64_t kept[300];
  for (size_t k = 0; k < ARRAY_SIZE (kept); k++) {
    AUTO_FREE char *name = xasprintf ("many-%zu", k);
    CHECK (create (made, name, S_IFREG | 0600, uid, gid, NULL, &c) == 0);
    CHECK (c.parent.ino == d.entry.attr.ino && S_ISDIR (c.parent.mode));
    kept[k] = c.entry.handle;
  }
  for (size_t k = 0; k < ARRAY_SIZE (kept); k++)
    forget (kept[k], 1, 0);
  CHECK (create (made, "f", S_IFREG | 0600, uid, gid, NULL, &c) == EEXIST);
  CHECK (create (made, "a/b", S_IFREG | 0600, 0, 0, NULL, &c) == EINVAL);
  CHECK (create (made, "..", S_IFDIR | 0700, 0, 0, NULL, &c) == EINVAL);
  CHECK (create (made, "x", S_IFREG | 0600, 0, 0, "t", &c) == EINVAL);
  CHECK (create (made, "x", S_IFLNK | 0777, 0, 0, NULL, &c) == EINVAL);
  CHECK (create (made, "x", 0600, 0, 0, NULL, &c) == EINVAL);
  CHECK (create (lookup ("file"), "x", S_IFREG | 0600, 0, 0, NULL, &c) == ENOTDIR);
  CHECK (create (4242, "x", S_IFREG | 0600, 0, 0, NULL, &c) == EBADF);
  AUTO_FREE char *x = path_of ("made/x");
  CHECK (lstat (x, &st) == -1 && errno == ENOENT);
  forget (made, 1, 0);
  AUTO_FREE char *top_made = path_of ("made");
  remove_tree (top_made);
}

static uint32_t
setattr (struct agent_setattr rq, struct agent_attr *a)
{
  struct reply r;
  uint32_t e = call (AGENT_OP_SETATTR, &rq, sizeof rq, NULL, 0, &r);
  CHECK (e ? r.len == 0 : r.len == sizeof *a);
  if (!e)
    memcpy (a, r.body, sizeof *a);
  return e;
}

/* Each attribute SETATTR changes, on a file whose name changes under the
 * handle; each reply is the file as lstat sees it after. */
static void
test_setattr (void)
{
  struct agent_attr a;
  struct stat st;
  bool root = geteuid () == 0;
  uint64_t h = lookup ("lone");
  AUTO_FREE char *old = path_of ("lone"), *renamed = path_of ("set");
  CHECK (lstat (old, &st) == 0 && rename (old, renamed) == 0);
  CHECK (setattr ((struct agent_setattr) { .handle = h }, &a) == 0 && attr_is_of (&a, "set"));
  CHECK (setattr ((struct agent_setattr) { .handle = h, .valid = AGENT_SET_SIZE, .size = 10 },
                  &a) == 0 && a.size == 10 && attr_is_of (&a, "set"));
  /* The owner first, then the mode: set-user-ID survives a chown. */
  uint32_t uid = root ? 1234 : getuid (), gid = root ? 5678 : getgid ();
  CHECK (setattr ((struct agent_setattr) { .handle = h, .mode = 04751, .uid = uid, .gid = gid,
                  .valid = AGENT_SET_MODE | AGENT_SET_UID | AGENT_SET_GID }, &a) == 0);
  CHECK ((a.mode & 07777) == 04751 && a.uid == uid && a.gid == gid && attr_is_of (&a, "set"));
  CHECK (setattr ((struct agent_setattr) { .handle = h, .atime = 1000, .atime_nsec = 5,
                  .mtime = 2000, .mtime_nsec = 7, .valid = AGENT_SET_ATIME | AGENT_SET_MTIME },
                  &a) == 0);
  CHECK (a.atime == 1000 && a.atime_nsec == 5 && a.mtime == 2000 && a.mtime_nsec == 7);
  CHECK (setattr ((struct agent_setattr) { .handle = h, .valid = AGENT_SET_MTIME_NOW }, &a) == 0);
  CHECK (a.atime == 1000 && a.mtime >= time (NULL) - 60 && attr_is_of (&a, "set"));
  /* A symbolic link's own times, not its target's; no mode. */
  uint64_t sym = lookup ("sym");
  CHECK (setattr ((struct agent_setattr) { .handle = sym, .mtime = 3000,
                  .valid = AGENT_SET_MTIME }, &a) == 0 && a.mtime == 3000 && S_ISLNK (a.mode));
  CHECK (setattr ((struct agent_setattr) { .handle = sym, .mode = 0600,
                  .valid = AGENT_SET_MODE }, &a) == EOPNOTSUPP);
  CHECK (setattr ((struct agent_setattr) { .handle = sym, .valid = AGENT_SET_SIZE }, &a) == EINVAL);
  CHECK (setattr ((struct agent_setattr) { .handle = AGENT_ROOT_HANDLE,
                  .valid = AGENT_SET_SIZE }, &a) == EISDIR);
  forget (sym, 1, 0);
  /* Malformed: nothing changes. */
  struct agent_setattr bad[] = {
    { .handle = h, .valid = 0x100 }, { .handle = h, .valid = AGENT_SET_ATIME, .atime_nsec = 1000000000 },
    { .handle = h, .valid = AGENT_SET_MODE, .mode = 010644 },
    { .handle = h, .valid = AGENT_SET_SIZE, .size = (uint64_t) INT64_MAX + 1 },
    { .handle = h, .valid = AGENT_SET_UID, .uid = UINT32_MAX },
  };
  for (size_t k = 0; k < ARRAY_SIZE (bad); k++)
    CHECK (setattr (bad[k], &a) == EINVAL);
  CHECK (setattr ((struct agent_setattr) { .handle = 4242 }, &a) == EBADF);
  struct stat now;
  CHECK (lstat (renamed, &now) == 0 && now.st_size == 10 && (now.st_mode & 07777) == 04751);
  CHECK (chmod (renamed, st.st_mode & 07777) == 0 && rename (renamed, old) == 0);
  forget (h, 1, 0);
}

static uint32_t
remove_name (uint64_t parent, const char *name, uint32_t dir, struct agent_attr *a)
{
  struct agent_remove rq = { .parent = parent, .namelen = (uint32_t) strlen (name), .dir = dir };
  struct reply r;
  uint32_t e = call (AGENT_OP_REMOVE, &rq, sizeof rq, name, strlen (name), &r);
  CHECK (e ? r.len == 0 : r.len == sizeof *a);
  if (!e)
    memcpy (a, r.body, sizeof *a);
  return e;
}

static uint32_t
rename_name (uint64_t parent, const char *name, uint64_t newparent, const char *newname,
             uint32_t flags, struct agent_renamed *rr)
{
  struct agent_rename rq = { .parent = parent, .newparent = newparent, .flags = flags,
                             .namelen = (uint32_t) strlen (name),
                             .newnamelen = (uint32_t) strlen (newname) };
  AUTO_FREE char *names = xasprintf ("%s%s", name, newname);
  struct reply r;
  uint32_t e = call (AGENT_OP_RENAME, &rq, sizeof rq, names, strlen (names), &r);
  CHECK (e ? r.len == 0 : r.len == sizeof *rr);
  if (!e)
    memcpy (rr, r.body, sizeof *rr);
  return e;
}

/* REMOVE and RENAME in a directory made for them: each reply holds the
 * directories' attributes after it; a file still held keeps its data, to
 * read and write, once its last name is gone. */
static void
test_remove_rename (void)
{
  struct agent_created c, d;
  struct agent_attr a;
  struct agent_renamed rr;
  struct reply r;
  uint32_t uid = getuid (), gid = getgid ();
  CHECK (create (AGENT_ROOT_HANDLE, "rr", S_IFDIR | 0755, uid, gid, NULL, &d) == 0);
  uint64_t dir = d.entry.handle;
  CHECK (create (dir, "sub", S_IFDIR | 0755, uid, gid, NULL, &c) == 0);
  uint64_t sub = c.entry.handle;
  CHECK (create (dir, "f", S_IFREG | 0644, uid, gid, NULL, &c) == 0);
  uint64_t f = c.entry.handle;
  CHECK (write_at (f, 0, "kept", 4, 4, &r) == 0);
  CHECK (create (dir, "h", S_IFREG | 0644, uid, gid, NULL, &c) == 0);
  forget (c.entry.handle, 1, 0);
  CHECK (rename_name (dir, "f", sub, "g", 0, &rr) == 0);
  CHECK (attr_is_of (&rr.parent, "rr") && attr_is_of (&rr.newparent, "rr/sub"));
  CHECK (rename_name (sub, "g", dir, "h", AGENT_RENAME_NOREPLACE, &rr) == EEXIST);
  CHECK (rename_name (sub, "g", dir, "h", 0, &rr) == 0);          /* over "h" */
  CHECK (attr_is_of (&rr.parent, "rr/sub") && attr_is_of (&rr.newparent, "rr"));
  CHECK (rename_name (dir, "h", dir, "f", AGENT_RENAME_NOREPLACE, &rr) == 0);
  CHECK (attr_is_of (&rr.parent, "rr") && rr.parent.ino == rr.newparent.ino);
  CHECK (remove_name (dir, "f", 0, &a) == 0 && attr_is_of (&a, "rr"));
  CHECK (read_at (f, 0, 16, &r) == 0 && r.len == 4 && memcmp (r.body, "kept", 4) == 0);
  CHECK (write_at (f, 4, "!", 1, 1, &r) == 0);
  CHECK (((const struct agent_attr *) r.body)->size == 5 && ((const struct agent_attr *) r.body)->nlink == 0);
  forget (f, 1, 0);
  CHECK (remove_name (dir, "sub", 0, &a) == EISDIR);
  CHECK (remove_name (dir, "sub", 1, &a) == 0 && a.nlink == 2);
  CHECK (remove_name (dir, "gone", 0, &a) == ENOENT);
  CHECK (create (dir, "x", S_IFREG | 0644, uid, gid, NULL, &c) == 0);
  forget (c.entry.handle, 1, 0);
  CHECK (remove_name (dir, "x", 1, &a) == ENOTDIR);
  /* Malformed, or not a directory's handle: nothing changes. */
  CHECK (remove_name (dir, "a/b", 0, &a) == EINVAL && remove_name (dir, "..", 1, &a) == EINVAL);
  CHECK (remove_name (dir, "x", 2, &a) == EINVAL);
  CHECK (rename_name (dir, "x", dir, "y", 8, &rr) == EINVAL);     /* no such flag */
  /* RENAME_EXCHANGE: both must exist, and swap. */
  CHECK (rename_name (dir, "x", dir, "y", AGENT_RENAME_EXCHANGE, &rr) == ENOENT);
  CHECK (create (dir, "y", S_IFDIR | 0700, uid, gid, NULL, &c) == 0);
  forget (c.entry.handle, 1, 0);
  CHECK (rename_name (dir, "x", dir, "y", AGENT_RENAME_EXCHANGE, &rr) == 0);
  AUTO_FREE char *y = path_of ("rr/y");
  struct stat yst;
  CHECK (lstat (y, &yst) == 0 && S_ISREG (yst.st_mode) && attr_is_of (&rr.parent, "rr"));
  CHECK (rename_name (dir, "x", dir, "y", AGENT_RENAME_EXCHANGE, &rr) == 0);
  CHECK (remove_name (dir, "y", 1, &a) == 0);
  CHECK (rename_name (dir, "x", dir, ".", 0, &rr) == EINVAL);
  CHECK (remove_name (lookup ("file"), "x", 0, &a) == ENOTDIR);
  CHECK (rename_name (dir, "x", 4242, "y", 0, &rr) == EBADF);
  AUTO_FREE char *x = path_of ("rr/x");
  struct stat st;
  CHECK (lstat (x, &st) == 0);
  CHECK (remove_name (dir, "x", 0, &a) == 0 && lstat (x, &st) == -1 && errno == ENOENT);
  forget (sub, 1, 0);
  forget (dir, 1, 0);
  CHECK (remove_name (AGENT_ROOT_HANDLE, "rr", 1, &a) == 0 && attr_is_of (&a, NULL));
}

static uint32_t
link_name (uint64_t handle, uint64_t newparent, const char *name, struct agent_created *c)
{
  struct agent_link rq = { .handle = handle, .newparent = newparent,
                           .namelen = (uint32_t) strlen (name) };
  struct reply r;
  uint32_t e = call (AGENT_OP_LINK, &rq, sizeof rq, name, strlen (name), &r);
  CHECK (e ? r.len == 0 : r.len == sizeof *c);
  if (!e)
    memcpy (c, r.body, sizeof *c);
  return e;
}

/* LINK: a file and a symbolic link get a second name (the link itself,
 * not its target), the reply their own handle, one more link and the
 * directory after; a directory cannot. */
static void
test_link (void)
{
  struct agent_created c, d;
  uint32_t uid = getuid (), gid = getgid ();
  CHECK (create (AGENT_ROOT_HANDLE, "ln", S_IFDIR | 0755, uid, gid, NULL, &d) == 0);
  uint64_t dir = d.entry.handle, f = lookup ("file"), sym = lookup ("sym");
  CHECK (link_name (f, dir, "second", &c) == 0 && c.entry.handle == f);
  CHECK (c.entry.attr.nlink == 3 && attr_is_of (&c.entry.attr, "ln/second"));   /* file, hard, second */
  CHECK (attr_is_of (&c.parent, "ln") && attr_is_of (&c.entry.attr, "file"));
  forget (f, 1, 0);            /* the LINK's reference */
  CHECK (link_name (sym, dir, "sym2", &c) == 0 && c.entry.handle == sym && S_ISLNK (c.entry.attr.mode));
  forget (sym, 1, 0);
  CHECK (link_name (f, dir, "second", &c) == EEXIST);
  CHECK (link_name (dir, AGENT_ROOT_HANDLE, "d2", &c) == EPERM);
  CHECK (link_name (f, f, "x", &c) == ENOTDIR);
  CHECK (link_name (4242, dir, "x", &c) == EBADF && link_name (f, dir, "a/b", &c) == EINVAL);
  AUTO_FREE char *second = path_of ("ln/second"), *sym2 = path_of ("ln/sym2");
  AUTO_FREE char *file = path_of ("file");
  struct stat a, b;
  CHECK (lstat (second, &a) == 0 && lstat (file, &b) == 0 && a.st_ino == b.st_ino);
  CHECK (unlink (second) == 0 && unlink (sym2) == 0);
  forget (f, 1, 0);
  forget (sym, 1, 0);
  forget (dir, 1, 0);
  CHECK (remove_name (AGENT_ROOT_HANDLE, "ln", 1, &c.parent) == 0);
}

static uint32_t
xattr_call (uint16_t op, uint64_t h, const char *name, size_t namelen, const void *value,
            uint32_t size, uint32_t flags, struct reply *r)
{
  struct agent_xattr rq = { .handle = h, .namelen = (uint32_t) namelen, .valuelen = size,
                            .flags = flags };
  AUTO_FREE char *tail = xmalloc (namelen + size + 1);
  memcpy (tail, name ? name : "", namelen);
  if (size)
    memcpy (tail + namelen, value, size);
  return call (op, &rq, sizeof rq, tail, namelen + size, r);
}

#define XA "user.imgmount"

/* Extended attributes as raw bytes: a value with NUL bytes comes back
 * whole, CREATE and REPLACE are the kernel's, a symbolic link's are its
 * own (not its target's). */
static void
test_xattr (void)
{
  struct reply r;
  uint64_t f = lookup ("lone"), sym = lookup ("sym");
  static const char value[] = "a\0b\0c";
  uint32_t e = xattr_call (AGENT_OP_SETXATTR, f, XA, strlen (XA), value, 5, 0, &r);
  if (e == EOPNOTSUPP) {
    fprintf (stderr, "test-agent: no user xattrs where the test runs: xattrs not tested\n");
    forget (f, 1, 0);
    forget (sym, 1, 0);
    return;
  }
  CHECK (e == 0 && r.len == 0);
  CHECK (xattr_call (AGENT_OP_GETXATTR, f, XA, strlen (XA), NULL, 0, 0, &r) == 0);
  CHECK (r.len == 5 && memcmp (r.body, value, 5) == 0);
  CHECK (xattr_call (AGENT_OP_LISTXATTR, f, NULL, 0, NULL, 0, 0, &r) == 0);
  CHECK (r.len >= sizeof XA && memmem (r.body, r.len, XA, sizeof XA) != NULL);
  CHECK (xattr_call (AGENT_OP_SETXATTR, f, XA, strlen (XA), "x", 1, AGENT_XATTR_CREATE, &r) == EEXIST);
  CHECK (xattr_call (AGENT_OP_SETXATTR, f, "user.no", 7, "x", 1, AGENT_XATTR_REPLACE, &r) == ENODATA);
  CHECK (xattr_call (AGENT_OP_SETXATTR, f, XA, strlen (XA), "", 0, AGENT_XATTR_REPLACE, &r) == 0);
  CHECK (xattr_call (AGENT_OP_GETXATTR, f, XA, strlen (XA), NULL, 0, 0, &r) == 0 && r.len == 0);
  CHECK (xattr_call (AGENT_OP_REMOVEXATTR, f, XA, strlen (XA), NULL, 0, 0, &r) == 0);
  CHECK (xattr_call (AGENT_OP_GETXATTR, f, XA, strlen (XA), NULL, 0, 0, &r) == ENODATA);
  CHECK (xattr_call (AGENT_OP_REMOVEXATTR, f, XA, strlen (XA), NULL, 0, 0, &r) == ENODATA);
  /* The link's own: its target does not even exist. */
  CHECK (xattr_call (AGENT_OP_GETXATTR, sym, XA, strlen (XA), NULL, 0, 0, &r) == ENODATA);
  /* Malformed: a NUL in the name, flags, fields the op does not take. */
  CHECK (xattr_call (AGENT_OP_GETXATTR, f, "user.a\0b", 8, NULL, 0, 0, &r) == EINVAL);
  CHECK (xattr_call (AGENT_OP_SETXATTR, f, XA, strlen (XA), "x", 1, 3, &r) == EINVAL);
  CHECK (xattr_call (AGENT_OP_GETXATTR, f, XA, strlen (XA), "x", 1, 0, &r) == EINVAL);
  CHECK (xattr_call (AGENT_OP_LISTXATTR, f, XA, strlen (XA), NULL, 0, 0, &r) == EINVAL);
  CHECK (xattr_call (AGENT_OP_REMOVEXATTR, f, "", 0, NULL, 0, 0, &r) == EINVAL);
  CHECK (xattr_call (AGENT_OP_GETXATTR, 4242, XA, strlen (XA), NULL, 0, 0, &r) == EBADF);
  AUTO_FREE char *big = xcalloc (1, AGENT_XATTR_MAX + 1);
  CHECK (xattr_call (AGENT_OP_SETXATTR, f, XA, strlen (XA), big, AGENT_XATTR_MAX + 1, 0, &r) == EINVAL);
  forget (f, 1, 0);
  forget (sym, 1, 0);
}

static uint32_t
fallocate_call (uint64_t h, uint32_t mode, uint64_t offset, uint64_t length,
                struct agent_attr *a)
{
  struct agent_fallocate rq = { .handle = h, .mode = mode, .offset = offset, .length = length };
  struct reply r;
  uint32_t e = call (AGENT_OP_FALLOCATE, &rq, sizeof rq, NULL, 0, &r);
  CHECK (e ? r.len == 0 : r.len == sizeof *a);
  if (!e)
    memcpy (a, r.body, sizeof *a);
  return e;
}

/* FALLOCATE: a range allocated (the file grows), a hole punched into
 * written data (zeros, the size kept); the reply is the file after. */
static void
test_fallocate (void)
{
  struct agent_attr a;
  struct reply r;
  uint64_t f = lookup ("lone");
  CHECK (write_at (f, 0, "xxxxxxxx", 8, 8, &r) == 0);
  uint32_t e = fallocate_call (f, 0, 0, 65536, &a);
  if (e == EOPNOTSUPP) {
    fprintf (stderr, "test-agent: no fallocate where the test runs: not tested\n");
    forget (f, 1, 0);
    return;
  }
  CHECK (e == 0 && a.size == 65536 && attr_is_of (&a, "lone"));
  CHECK (fallocate_call (f, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 2, 4, &a) == 0);
  CHECK (a.size == 65536 && attr_is_of (&a, "lone"));
  CHECK (read_at (f, 0, 8, &r) == 0 && r.len == 8 && memcmp (r.body, "xx\0\0\0\0xx", 8) == 0);
  CHECK (fallocate_call (f, 0, 0, 0, &a) == EINVAL);
  CHECK (fallocate_call (f, 0, INT64_MAX, 1, &a) == EINVAL);
  CHECK (fallocate_call (AGENT_ROOT_HANDLE, 0, 0, 1, &a) == EISDIR);
  CHECK (fallocate_call (4242, 0, 0, 1, &a) == EBADF);
  AUTO_FREE char *p = path_of ("lone");
  CHECK (truncate (p, 0) == 0);
  forget (f, 1, 0);
}

static uint32_t
lseek_call (uint64_t h, uint64_t offset, uint32_t whence, uint64_t *at)
{
  struct agent_lseek rq = { .handle = h, .offset = offset, .whence = whence };
  struct reply r;
  uint32_t e = call (AGENT_OP_LSEEK, &rq, sizeof rq, NULL, 0, &r);
  CHECK (e ? r.len == 0 : r.len == sizeof (struct agent_offset));
  if (!e)
    memcpy (at, r.body, sizeof *at);
  return e;
}

/* LSEEK: data and holes of a sparse file, as the kernel finds them. */
static void
test_lseek (void)
{
  struct reply r;
  uint64_t f = lookup ("lone"), at = 0;
  AUTO_FREE char *p = path_of ("lone");
  CHECK (truncate (p, 4 << 20) == 0);
  CHECK (write_at (f, 0, "data", 4, 4, &r) == 0 && write_at (f, 2 << 20, "more", 4, 4, &r) == 0);
  CHECK (lseek_call (f, 0, SEEK_DATA, &at) == 0 && at == 0);
  CHECK (lseek_call (f, 0, SEEK_HOLE, &at) == 0 && at > 0 && at < (2 << 20));
  CHECK (lseek_call (f, at, SEEK_DATA, &at) == 0 && at == (2 << 20));
  CHECK (lseek_call (f, (2 << 20) + 4, SEEK_HOLE, &at) == 0 && at <= (4 << 20));
  CHECK (lseek_call (f, 4 << 20, SEEK_DATA, &at) == ENXIO);
  CHECK (lseek_call (f, 0, SEEK_SET, &at) == EINVAL);
  CHECK (lseek_call (f, (uint64_t) INT64_MAX + 1, SEEK_DATA, &at) == EINVAL);
  CHECK (lseek_call (AGENT_ROOT_HANDLE, 0, SEEK_DATA, &at) == EISDIR);
  CHECK (truncate (p, 0) == 0);
  forget (f, 1, 0);
}

static uint32_t
copy_call (uint64_t in, uint64_t in_off, uint64_t out, uint64_t out_off, uint64_t size,
           struct agent_copied *c)
{
  struct agent_copy_range rq = { .in_handle = in, .in_offset = in_off, .out_handle = out,
                                 .out_offset = out_off, .size = size };
  struct reply r;
  uint32_t e = call (AGENT_OP_COPY_RANGE, &rq, sizeof rq, NULL, 0, &r);
  CHECK (e ? r.len == 0 : r.len == sizeof *c);
  if (!e)
    memcpy (c, r.body, sizeof *c);
  return e;
}

/* COPY_RANGE: bytes of one file into another at an offset, short at the
 * source's end, none past it; the reply is the destination after. */
static void
test_copy_range (void)
{
  struct agent_copied c;
  struct reply r;
  uint64_t in = lookup ("file"), out = lookup ("lone");
  CHECK (copy_call (in, 1, out, 3, 4, &c) == 0);
  CHECK (c.copied == 4 && c.attr.size == 7 && attr_is_of (&c.attr, "lone"));
  CHECK (read_at (out, 0, 16, &r) == 0 && r.len == 7 && memcmp (r.body, "\0\0\0ello", 7) == 0);
  CHECK (copy_call (in, 4, out, 0, 100, &c) == 0 && c.copied == 2 && c.attr.size == 7);
  CHECK (copy_call (in, 6, out, 0, 100, &c) == 0 && c.copied == 0);
  CHECK (copy_call (in, 0, out, 0, 0, &c) == EINVAL);
  CHECK (copy_call (in, 0, out, 0, AGENT_COPY_MAX + 1ull, &c) == EINVAL);
  CHECK (copy_call (in, INT64_MAX, out, 0, 1, &c) == EINVAL);
  CHECK (copy_call (AGENT_ROOT_HANDLE, 0, out, 0, 1, &c) == EISDIR);
  CHECK (copy_call (in, 0, AGENT_ROOT_HANDLE, 0, 1, &c) == EISDIR);
  CHECK (copy_call (in, 0, 4242, 0, 1, &c) == EBADF);
  AUTO_FREE char *p = path_of ("lone");
  CHECK (truncate (p, 0) == 0);
  forget (in, 1, 0);
  forget (out, 1, 0);
}

/* One READDIR reply checked and its names counted in SEEN (by the number
 * each begins with); returns the cookie to go on from, and *EOF. */
static uint64_t
readdir_page (uint64_t dir, uint64_t cookie, uint32_t flags, int *seen, bool *eof)
{
  struct agent_readdir rq = { .handle = dir, .cookie = cookie, .max_bytes = 4096, .flags = flags };
  struct reply r;
  struct agent_dirents ds;
  CHECK (call (AGENT_OP_READDIR, &rq, sizeof rq, NULL, 0, &r) == 0);
  CHECK (r.len >= sizeof ds && r.len <= rq.max_bytes);
  memcpy (&ds, r.body, sizeof ds);
  size_t off = sizeof ds;
  for (uint32_t k = 0; k < ds.count && off + sizeof (struct agent_dirent) <= r.len; k++) {
    struct agent_dirent d;
    memcpy (&d, r.body + off, sizeof d);
    char name[AGENT_NAME_MAX + 1] = "";
    memcpy (name, r.body + off + sizeof d, d.namelen <= AGENT_NAME_MAX ? d.namelen : 0);
    int n = atoi (name);
    CHECK (n >= 0 && n < DIR_ENTRIES);
    if (n >= 0 && n < DIR_ENTRIES)
      seen[n]++;
    AUTO_FREE char *rel = xasprintf ("dir/%s", name);
    CHECK (flags & AGENT_READDIR_PLUS ? d.handle != 0 : d.handle == 0);
    CHECK (!flags || attr_is_of (&d.attr, rel));
    CHECK (d.attr.mode == S_IFREG || flags);
    off += sizeof d + ((d.namelen + 7) & ~7u);
    cookie = d.cookie;
  }
  CHECK (off == r.len);
  CHECK (ds.count > 0 || ds.eof);
  *eof = ds.eof;
  return cookie;
}

static void
test_readdir (uint32_t flags)
{
  uint64_t dir = lookup ("dir");
  int *seen = xcalloc (DIR_ENTRIES, sizeof *seen);
  uint64_t cookie = 0;
  bool eof = false;
  for (int pages = 0; !eof && pages < DIR_ENTRIES; pages++)
    cookie = readdir_page (dir, cookie, flags, seen, &eof);
  int once = 0;
  for (int k = 0; k < DIR_ENTRIES; k++)
    once += seen[k] == 1;
  CHECK (eof && once == DIR_ENTRIES);
  free (seen);
  struct agent_readdir rq = { .handle = dir, .max_bytes = 16, .flags = flags };
  struct reply r;
  CHECK (call (AGENT_OP_READDIR, &rq, sizeof rq, NULL, 0, &r) == EINVAL);
  rq.handle = lookup ("file");
  rq.max_bytes = 4096;
  CHECK (call (AGENT_OP_READDIR, &rq, sizeof rq, NULL, 0, &r) == ENOTDIR);
}

static void
forget (uint64_t handle, uint64_t count, uint32_t want)
{
  struct agent_forget rq = { .handle = handle, .count = count };
  struct reply r;
  CHECK (call (AGENT_OP_FORGET, &rq, sizeof rq, NULL, 0, &r) == want);
}

/* READDIR with ATTRS takes no reference.  Before the listing, an entry of
 * dir/ is looked up once, and a handle is freed so that it heads the free
 * list (handles are given again last-freed first).  After it: a new
 * LOOKUP gets that very handle, so the listing gave none; and the entry
 * has still one reference, not two.  Then PLUS|ATTRS is refused. */
static void
test_readdir_attrs (void)
{
  AUTO_FREE char *first = entry_name (0);
  struct agent_entry e;
  CHECK (lookup_in (lookup ("dir"), first, strlen (first), &e) == 0);
  uint64_t spare = lookup ("lone");
  forget (spare, 1, 0);
  test_readdir (AGENT_READDIR_ATTRS);
  uint64_t again = lookup ("lone");
  CHECK (again == spare);
  forget (again, 1, 0);
  forget (e.handle, 2, EINVAL);
  forget (e.handle, 1, 0);
  forget (e.handle, 1, EBADF);
  struct agent_readdir rq = { .handle = AGENT_ROOT_HANDLE, .max_bytes = 4096,
                              .flags = AGENT_READDIR_PLUS | AGENT_READDIR_ATTRS };
  struct reply r;
  CHECK (call (AGENT_OP_READDIR, &rq, sizeof rq, NULL, 0, &r) == EINVAL);
  rq.flags = 4;
  CHECK (call (AGENT_OP_READDIR, &rq, sizeof rq, NULL, 0, &r) == EINVAL);
}

static void
test_forget (void)
{
  struct reply r;
  uint64_t h = lookup ("lone");
  CHECK (lookup ("lone") == h);    /* two references */
  struct agent_forget rq = { .handle = h, .count = 1 };
  CHECK (call (AGENT_OP_FORGET, &rq, sizeof rq, NULL, 0, &r) == 0 && r.len == 0);
  CHECK (handle_call (AGENT_OP_GETATTR, h, &r) == 0);
  rq.count = 5;
  CHECK (call (AGENT_OP_FORGET, &rq, sizeof rq, NULL, 0, &r) == EINVAL);
  rq.count = 1;
  CHECK (call (AGENT_OP_FORGET, &rq, sizeof rq, NULL, 0, &r) == 0);
  CHECK (handle_call (AGENT_OP_GETATTR, h, &r) == EBADF);
  CHECK (call (AGENT_OP_FORGET, &rq, sizeof rq, NULL, 0, &r) == EBADF);
  CHECK (lookup ("lone") == h);    /* the freed number, given again */
  rq = (struct agent_forget) { .handle = AGENT_ROOT_HANDLE, .count = 1000 };
  CHECK (call (AGENT_OP_FORGET, &rq, sizeof rq, NULL, 0, &r) == 0);
  CHECK (handle_call (AGENT_OP_GETATTR, AGENT_ROOT_HANDLE, &r) == 0);
}

static void
test_malformed (void)
{
  struct reply r;
  unsigned char junk[40] = { 0 };
  CHECK (call (99, junk, sizeof junk, NULL, 0, &r) == ENOSYS && r.len == 0);
  CHECK (call (0, NULL, 0, NULL, 0, &r) == ENOSYS);
  CHECK (call (AGENT_OP_NOP, junk, 8, NULL, 0, &r) == EINVAL);
  CHECK (call (AGENT_OP_GETATTR, junk, 4, NULL, 0, &r) == EINVAL);
  CHECK (call (AGENT_OP_READ, junk, sizeof junk, NULL, 0, &r) == EINVAL);
  struct agent_hello h = { .magic = 0x494d4741, .version = AGENT_VERSION, .credits = 1 };
  CHECK (call (AGENT_OP_HELLO, &h, sizeof h, NULL, 0, &r) != 0);
  CHECK (call (AGENT_OP_NOP, NULL, 0, NULL, 0, &r) == 0);
}

/* N requests written at once (NOP and GETATTR of the root, alternately)
 * before any reply is read; each reply in order, with its id and op. */
static int
pipelined (int n, uint64_t first_id)
{
  unsigned char buf[64 * (sizeof (struct agent_header) + 8)];
  size_t len = 0;
  for (int k = 0; k < n && k < 64; k++) {
    struct agent_handle body = { AGENT_ROOT_HANDLE };
    struct agent_header h = { .len = sizeof h, .op = AGENT_OP_NOP, .id = first_id + k };
    if (k % 2)
      h = (struct agent_header) { .len = sizeof h + sizeof body, .op = AGENT_OP_GETATTR, .id = first_id + k };
    memcpy (buf + len, &h, sizeof h);
    memcpy (buf + len + sizeof h, &body, h.len - sizeof h);
    len += h.len;
  }
  write_all (buf, len);
  int good = 0;
  for (int k = 0; k < n; k++) {
    struct reply r;
    good += recv_reply (&r) && r.h.id == first_id + k && r.h.error == 0
      && r.h.op == (k % 2 ? AGENT_OP_GETATTR : AGENT_OP_NOP);
  }
  return good;
}

/* Round trips per second: NOPs one at a time, then 32 in flight. */
static void
measure (void)
{
  struct reply r;
  const int n = 20000;
  double t0 = monotonic_seconds ();
  for (int k = 0; k < n; k++)
    call (AGENT_OP_NOP, NULL, 0, NULL, 0, &r);
  double t1 = monotonic_seconds ();
  for (int k = 0; k < n; k += 32)
    pipelined (32, 1u << 30);
  double t2 = monotonic_seconds ();
  printf ("NOP round trips/s over a socketpair: %.0f one at a time, %.0f with 32 in flight\n",
          n / (t1 - t0), n / (t2 - t1));
}

/* The root is opened at HELLO, not at start: in the appliance the agent
 * starts before the image's filesystems are mounted on it; and closed at
 * BYE, before they are unmounted. */
static void
test_root_at_hello (void)
{
  AUTO_FREE char *later = xasprintf ("%s/later", top);
  pid_t pid = start_agent (later, true);
  struct agent_hello rq = { .magic = AGENT_MAGIC, .version = AGENT_VERSION, .credits = 64 };
  struct reply r;
  CHECK (handle_call (AGENT_OP_GETATTR, AGENT_ROOT_HANDLE, &r) == EBADF);
  CHECK (call (AGENT_OP_HELLO, &rq, sizeof rq, NULL, 0, &r) == ENOENT);
  CHECK (mkdir (later, 0755) == 0);
  CHECK (call (AGENT_OP_HELLO, &rq, sizeof rq, NULL, 0, &r) == 0);
  struct agent_attr a;
  struct stat st;
  memcpy (&a, r.body + sizeof rq, sizeof a);
  CHECK (r.len == sizeof rq + sizeof a && lstat (later, &st) == 0 && attr_matches (&a, &st));
  /* BYE closes every handle, the root's too; HELLO opens it again. */
  CHECK (call (AGENT_OP_BYE, NULL, 0, NULL, 0, &r) == 0 && r.len == 0);
  CHECK (handle_call (AGENT_OP_GETATTR, AGENT_ROOT_HANDLE, &r) == EBADF);
  CHECK (call (AGENT_OP_HELLO, &rq, sizeof rq, NULL, 0, &r) == 0);
  CHECK (handle_call (AGENT_OP_GETATTR, AGENT_ROOT_HANDLE, &r) == 0);
  close (sock);
  sock = -1;
  int status;
  CHECK (waitpid (pid, &status, 0) == pid && WIFEXITED (status) && WEXITSTATUS (status) == 0);
  rmdir (later);
}

/* A header longer than any message: the agent cannot find the next one,
 * and must say so and exit 1 rather than guess. */
static void
test_bad_length (const char *root)
{
  pid_t pid = start_agent (root, true);
  struct agent_header h = { .len = AGENT_MSG_MAX + 1, .op = AGENT_OP_NOP, .id = 7 };
  write_all (&h, sizeof h);
  int status;
  CHECK (waitpid (pid, &status, 0) == pid && WIFEXITED (status) && WEXITSTATUS (status) == 1);
  close (sock);
  pid = start_agent (root, true);
  h.len = sizeof h - 1;
  write_all (&h, sizeof h);
  CHECK (waitpid (pid, &status, 0) == pid && WIFEXITED (status) && WEXITSTATUS (status) == 1);
  close (sock);
  sock = -1;
}

int
main (void)
{
  const char *tmp = getenv ("TMPDIR");
  top = xasprintf ("%s/test-agent.XXXXXX", tmp && *tmp ? tmp : "/tmp");
  if (!mkdtemp (top))
    return perror ("mkdtemp"), 1;
  signal (SIGALRM, on_alarm);
  alarm (120);
  AUTO_FREE unsigned char *big = make_tree ();
  AUTO_FREE char *root = xasprintf ("%s/root", top);
  agent_pid = start_agent (root, false);
  test_hello ();
  test_lookup ();
  test_read (big);
  test_readlink_statfs ();
  test_fsync ();
  test_write (big);
  test_create ();
  test_setattr ();
  test_remove_rename ();
  test_link ();
  test_xattr ();
  test_fallocate ();
  test_lseek ();
  test_copy_range ();
  test_readdir (0);
  test_readdir_attrs ();     /* before PLUS, whose references stay */
  test_readdir (AGENT_READDIR_PLUS);
  test_forget ();
  test_malformed ();
  CHECK (pipelined (32, 5000) == 32);
  measure ();
  close (sock);    /* the end of the stream: the agent exits 0 */
  sock = -1;
  int status;
  CHECK (waitpid (agent_pid, &status, 0) == agent_pid && WIFEXITED (status) && WEXITSTATUS (status) == 0);
  agent_pid = -1;
  test_bad_length (root);
  test_root_at_hello ();
  cleanup ();
  return CHECK_DONE ();
}
