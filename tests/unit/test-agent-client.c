/* test-agent-client.c: fsops/agent-client.c against the hostile agent
 * double (tests/hostile/agent-double.h), and fsops/agent-reply.c's rules
 * on replies made by hand.
 *
 * Why: the appliance is hostile, so each rule of a reply must be seen to
 * hold: a reply that breaks one fails its call with EIO and the
 * connection goes on; one that loses the stream's step breaks the
 * connection, and every call outstanding or later fails with EIO, soon
 * (a silent agent within the timeout).  Honest replies must decode right,
 * and many threads at once must keep within the agent's credits.  Run
 * plain, under ASan/UBSan and under valgrind, as every unit test: an
 * overflow, a leak or a race on freed memory fails it; an alarm fails a
 * hang. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include "common/clock.h"
#include "common/xalloc.h"
#include "fsops/agent-client.h"
#include "mount/device-report.h"
#include "tests/hostile/agent-double.h"
#include "tests/unit/check.h"

#define SHORT_MS 200u           /* the timeout where silence is tested */
#define LONG_MS 5000u           /* elsewhere: no honest reply is that slow */

static struct agent_double *dbl;
static struct agent_conn *conn;
static int host_fd = -1;

static int
open_pair (enum ad_kind hello, uint32_t agent_credits, unsigned batch_ms,
           unsigned timeout_ms, uint32_t host_credits)
{
  int sv[2];
  if (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
    abort ();
  host_fd = sv[0];
  dbl = agent_double_start (sv[1], hello, agent_credits, batch_ms);
  struct agent_config cfg = { .timeout_ms = timeout_ms, .credits = host_credits };
  conn = NULL;
  return agent_connect_with (sv[0], sv[0], &cfg, &conn);
}

static void
close_pair (void)
{
  agent_disconnect (conn);
  conn = NULL;
  close (host_fd);
  agent_double_stop (dbl);
}

/* Waits (up to a second) for the reader to have seen the stream lost. */
static bool
becomes_broken (void)
{
  for (int k = 0; k < 100 && !agent_broken (conn); k++)
    usleep (10000);
  return agent_broken (conn);
}

/* ---- honest replies decode right ---- */

static void
test_honest_calls (void)
{
  CHECK (open_pair (AD_HONEST, 8, 0, LONG_MS, 0) == 0);
  CHECK (agent_credits (conn) == 8);
  struct stat st;
  agent_root_attr (conn, &st);
  CHECK (S_ISDIR (st.st_mode) && st.st_ino == AD_ROOT_INO && st.st_dev == AD_DEV);
  CHECK (agent_nop (conn) == 0);

  uint64_t h = 0;
  CHECK (agent_lookup (conn, AGENT_ROOT_HANDLE, "f", &h, &st) == 0);
  CHECK (h == AD_FILE_HANDLE && S_ISREG (st.st_mode) && st.st_size == AD_FILE_SIZE);
  CHECK (st.st_mtim.tv_nsec == 5 && (st.st_mode & 07777) == 0644);
  struct agent_header rh;
  char body[512];
  agent_double_last (dbl, &rh, body);
  struct agent_lookup l;
  memcpy (&l, body, sizeof l);
  CHECK (rh.op == AGENT_OP_LOOKUP && rh.len == sizeof rh + sizeof l + 1 && rh.flags == 0);
  CHECK (l.parent == AGENT_ROOT_HANDLE && l.namelen == 1 && body[sizeof l] == 'f');
  CHECK (agent_lookup (conn, AGENT_ROOT_HANDLE, "nope", &h, &st) == ENOENT);

  CHECK (agent_getattr (conn, AGENT_ROOT_HANDLE, &st) == 0 && st.st_ino == AD_ROOT_INO);
  CHECK (agent_getattr (conn, AD_FILE_HANDLE, &st) == 0 && st.st_ino == AD_FILE_INO);
  CHECK (agent_getattr (conn, 99, &st) == ESTALE);

  char *target = NULL;
  CHECK (agent_readlink (conn, AD_LINK_HANDLE, &target) == 0);
  CHECK_STR (target, AD_LINK_TARGET);
  free (target);

  struct statvfs sv;
  CHECK (agent_statfs (conn, AGENT_ROOT_HANDLE, &sv) == 0);
  CHECK (sv.f_blocks == 1000 && sv.f_bfree == 500 && sv.f_bavail == 400 && sv.f_namemax == 255);

  CHECK (agent_fsync (conn, AD_FILE_HANDLE, false) == 0);
  CHECK (agent_fsync (conn, AD_FILE_HANDLE, true) == 0);
  CHECK (agent_fsync (conn, 0, false) == EINVAL);
  CHECK (agent_sync (conn) == 0);
  agent_double_next (dbl, AD_OVERSIZE);             /* a body where none may be */
  CHECK (agent_sync (conn) == EIO);
  agent_double_errno (dbl, EIO);
  agent_double_next (dbl, AD_FAIL);
  CHECK (agent_sync (conn) == EIO && !agent_broken (conn));
  CHECK (agent_fsync (conn, AD_FILE_HANDLE, true) == 0);
  agent_double_last (dbl, &rh, body);
  struct agent_fsync fs;
  memcpy (&fs, body, sizeof fs);
  CHECK (rh.op == AGENT_OP_FSYNC && rh.len == sizeof rh + sizeof fs);
  CHECK (fs.handle == AD_FILE_HANDLE && fs.datasync == 1 && fs.reserved == 0);
  agent_double_next (dbl, AD_OVERSIZE);             /* a body where none may be */
  CHECK (agent_fsync (conn, AD_FILE_HANDLE, false) == EIO);
  CHECK (agent_forget (conn, AD_FILE_HANDLE, 1) == 0);
  /* FORGET does not wait for its reply; the double answers in order, so
   * it has read the FORGET once a NOP comes back, and the next script
   * entry is the next call's. */
  CHECK (agent_nop (conn) == 0);
  agent_double_errno (dbl, EACCES);
  agent_double_next (dbl, AD_FAIL);
  CHECK (agent_nop (conn) == EACCES);
  agent_double_errno (dbl, ENOTTY);   /* errno_map's translation applies */
  agent_double_next (dbl, AD_FAIL);
  CHECK (agent_nop (conn) == EOPNOTSUPP);
  CHECK (!agent_broken (conn));
  close_pair ();
}

/* COPY_RANGE: what was asked goes as asked, a copy short at IN's end is
 * an answer, and arguments no agent could take are refused unsent. */
/* CREATE: the new object's handle and attributes, and its directory's. */
static void
test_honest_create (void)
{
  CHECK (open_pair (AD_HONEST, 8, 0, LONG_MS, 0) == 0);
  uint64_t h = 0;
  struct stat st, pst;
  struct agent_new what = { .mode = S_IFDIR | 0750, .uid = 1000, .gid = 100 };
  CHECK (agent_create (conn, AGENT_ROOT_HANDLE, "sub", &what, &h, &st, &pst) == 0);
  CHECK (h == AD_NEW_HANDLE && st.st_ino == AD_NEW_INO && st.st_mode == (S_IFDIR | 0750));
  CHECK (st.st_uid == 1000 && st.st_gid == 100 && pst.st_ino == AD_ROOT_INO);
  struct agent_header rh;
  char body[512];
  agent_double_last (dbl, &rh, body);
  struct agent_create c;
  memcpy (&c, body, sizeof c);
  CHECK (rh.op == AGENT_OP_CREATE && rh.len == sizeof rh + sizeof c + 3);
  CHECK (c.parent == AGENT_ROOT_HANDLE && c.mode == (S_IFDIR | 0750) && c.namelen == 3 &&
         c.targetlen == 0 && memcmp (body + sizeof c, "sub", 3) == 0);
  what = (struct agent_new) { .mode = S_IFLNK | 0777, .target = "t/u" };
  CHECK (agent_create (conn, AGENT_ROOT_HANDLE, "sym", &what, &h, &st, &pst) == 0);
  CHECK (S_ISLNK (st.st_mode) && st.st_size == 3);
  CHECK (agent_create (conn, AD_FILE_HANDLE, "x", &what, &h, &st, &pst) == ENOTDIR);
  close_pair ();
}

static void
test_honest_copy_range (void)
{
  CHECK (open_pair (AD_HONEST, 8, 0, LONG_MS, 0) == 0);
  uint64_t copied = 0;
  struct stat st;
  CHECK (agent_copy_range (conn, AD_FILE_HANDLE, 10, AD_FILE_HANDLE, 1 << 20, 5000, &copied,
                           &st) == 0);
  CHECK (copied == 5000 && S_ISREG (st.st_mode) && st.st_ino == AD_FILE_INO);
  struct agent_header rh;
  char body[512];
  agent_double_last (dbl, &rh, body);
  struct agent_copy_range c;
  memcpy (&c, body, sizeof c);
  CHECK (rh.op == AGENT_OP_COPY_RANGE && rh.len == sizeof rh + sizeof c);
  CHECK (c.in_handle == AD_FILE_HANDLE && c.in_offset == 10 && c.out_handle == AD_FILE_HANDLE
         && c.out_offset == 1 << 20 && c.size == 5000 && c.reserved == 0);
  CHECK (agent_copy_range (conn, AD_FILE_HANDLE, AD_FILE_SIZE - 7, AD_FILE_HANDLE, 0, 100,
                           &copied, &st) == 0 && copied == 7);
  CHECK (agent_copy_range (conn, AD_FILE_HANDLE, AD_FILE_SIZE, AD_FILE_HANDLE, 0, 100, &copied,
                           &st) == 0 && copied == 0);
  CHECK (agent_copy_range (conn, AD_DIR_HANDLE, 0, AD_FILE_HANDLE, 0, 1, &copied, &st) == EISDIR);
  unsigned before = agent_double_requests (dbl);
  CHECK (agent_copy_range (conn, 0, 0, AD_FILE_HANDLE, 0, 1, &copied, &st) == EINVAL);
  CHECK (agent_copy_range (conn, AD_FILE_HANDLE, 0, AD_FILE_HANDLE, 0, 0, &copied, &st) == EINVAL);
  CHECK (agent_copy_range (conn, AD_FILE_HANDLE, 0, AD_FILE_HANDLE, 0, AGENT_COPY_MAX + 1ull,
                           &copied, &st) == EINVAL);
  CHECK (agent_copy_range (conn, AD_FILE_HANDLE, INT64_MAX, AD_FILE_HANDLE, 0, 1, &copied,
                           &st) == EINVAL);
  CHECK (agent_double_requests (dbl) == before);
  close_pair ();
}

static void
test_honest_read (void)
{
  CHECK (open_pair (AD_HONEST, 8, 0, LONG_MS, 0) == 0);
  static unsigned char buf[AGENT_IO_MAX];
  size_t got = 99;
  CHECK (agent_read (conn, AD_FILE_HANDLE, 100, 1000, buf, &got) == 0 && got == 1000);
  bool same = true;
  for (size_t k = 0; k < got; k++)
    same &= buf[k] == (unsigned char) ((100 + k) * 7);
  CHECK (same);
  CHECK (agent_read (conn, AD_FILE_HANDLE, AD_FILE_SIZE - 10, 100, buf, &got) == 0 && got == 10);
  CHECK (agent_read (conn, AD_FILE_HANDLE, AD_FILE_SIZE, 100, buf, &got) == 0 && got == 0);
  CHECK (agent_read (conn, AD_FILE_HANDLE, 0, AGENT_IO_MAX, buf, &got) == 0 && got == AGENT_IO_MAX);
  CHECK (agent_read (conn, AD_FILE_HANDLE, 0, AGENT_IO_MAX + 1, buf, &got) == EINVAL);
  CHECK (agent_read (conn, AGENT_ROOT_HANDLE, 0, 10, buf, &got) == EISDIR);
  close_pair ();
}

static bool
is_file_bytes (const unsigned char *buf, size_t off, size_t n)
{
  for (size_t k = 0; k < n; k++)
    if (buf[k] != (unsigned char) ((off + k) * 7))
      return false;
  return true;
}

/* A span of READs, all in flight at once, answered in any order. */
static void
test_span_read (void)
{
  static unsigned char buf[AGENT_READ_SPAN_MAX];
  size_t got = 0;
  /* The double holds requests 50 ms and answers them in reverse order. */
  CHECK (open_pair (AD_HONEST, 8, 50, LONG_MS, 0) == 0);
  CHECK (agent_read_span (conn, AD_FILE_HANDLE, 100, AGENT_READ_SPAN_MAX, buf, &got) == 0);
  CHECK (got == AD_FILE_SIZE - 100 && is_file_bytes (buf, 100, got));
  CHECK (agent_double_max_outstanding (dbl) == 4);
  /* The end within the first piece: the others' bytes (none) not counted. */
  CHECK (agent_read_span (conn, AD_FILE_HANDLE, AD_FILE_SIZE - 10, 2 * AGENT_IO_MAX, buf,
                          &got) == 0 && got == 10);
  CHECK (is_file_bytes (buf, AD_FILE_SIZE - 10, 10));
  /* A piece that fails, or answers more than asked, fails the span; the
   * connection holds. */
  agent_double_errno (dbl, EACCES);
  agent_double_next (dbl, AD_HONEST);
  agent_double_next (dbl, AD_FAIL);
  CHECK (agent_read_span (conn, AD_FILE_HANDLE, 0, 3 * AGENT_IO_MAX, buf, &got) == EACCES);
  agent_double_next (dbl, AD_HONEST);
  agent_double_next (dbl, AD_OVERSIZE);
  CHECK (agent_read_span (conn, AD_FILE_HANDLE, 0, 3 * AGENT_IO_MAX, buf, &got) == EIO);
  CHECK (!agent_broken (conn));
  CHECK (agent_read_span (conn, AD_FILE_HANDLE, 0, 1000, buf, &got) == 0 && got == 1000);
  CHECK (agent_read_span (conn, AD_FILE_HANDLE, 0, AGENT_READ_SPAN_MAX + 1, buf, &got) == EINVAL);
  CHECK (agent_read_span (conn, AD_FILE_HANDLE, 0, 0, buf, &got) == EINVAL);
  close_pair ();
  /* Fewer credits than pieces: the later pieces wait for the earlier. */
  CHECK (open_pair (AD_HONEST, 2, 0, LONG_MS, 0) == 0);
  CHECK (agent_read_span (conn, AD_FILE_HANDLE, 0, AGENT_READ_SPAN_MAX, buf, &got) == 0);
  CHECK (got == AD_FILE_SIZE && is_file_bytes (buf, 0, got));
  CHECK (agent_double_max_outstanding (dbl) <= 2);
  close_pair ();
}

/* A span of WRITEs, all in flight at once: each piece where it belongs,
 * the attributes of the last returned. */
static void
test_span_write (void)
{
  static unsigned char buf[AGENT_WRITE_SPAN_MAX];
  for (size_t k = 0; k < sizeof buf; k++)
    buf[k] = (unsigned char) (k * 13);
  struct stat st;
  CHECK (open_pair (AD_HONEST, 8, 50, LONG_MS, 0) == 0);
  CHECK (agent_write_span (conn, AD_FILE_HANDLE, 100, buf, AGENT_WRITE_SPAN_MAX, &st) == 0);
  CHECK (agent_double_max_outstanding (dbl) == 4);
  CHECK (st.st_ino == AD_FILE_INO && st.st_size == 100 + (off_t) AGENT_WRITE_SPAN_MAX);
  /* The last piece sent: its header, then its first data bytes. */
  struct agent_header rh;
  struct agent_write w;
  unsigned char body[512];
  agent_double_last (dbl, &rh, body);
  memcpy (&w, body, sizeof w);
  CHECK (rh.op == AGENT_OP_WRITE && rh.len == sizeof rh + sizeof w + AGENT_IO_MAX);
  CHECK (w.handle == AD_FILE_HANDLE && w.offset == 100 + 3 * AGENT_IO_MAX && w.size == AGENT_IO_MAX);
  CHECK (memcmp (body + sizeof w, buf + 3 * AGENT_IO_MAX, sizeof body - sizeof w) == 0);
  CHECK (agent_write_span (conn, AD_FILE_HANDLE, 0, "ab", 2, &st) == 0);
  CHECK (st.st_size == AD_FILE_SIZE);
  /* A piece that fails fails the span; the connection holds. */
  agent_double_errno (dbl, ENOSPC);
  agent_double_next (dbl, AD_HONEST);
  agent_double_next (dbl, AD_FAIL);
  CHECK (agent_write_span (conn, AD_FILE_HANDLE, 0, buf, 3 * AGENT_IO_MAX, &st) == ENOSPC);
  CHECK (!agent_broken (conn));
  CHECK (agent_write_span (conn, AD_FILE_HANDLE, 0, buf, AGENT_WRITE_SPAN_MAX + 1, &st) == EINVAL);
  CHECK (agent_write_span (conn, AD_FILE_HANDLE, 0, buf, 0, &st) == EINVAL);
  CHECK (agent_write_span (conn, 0, 0, buf, 1, &st) == EINVAL);
  CHECK (agent_write_span (conn, AD_FILE_HANDLE, INT64_MAX, buf, 1, &st) == EINVAL);
  CHECK (agent_write_span (conn, AD_DIR_HANDLE, 0, buf, 1, &st) == EISDIR);
  close_pair ();
  /* Fewer credits than pieces. */
  CHECK (open_pair (AD_HONEST, 2, 0, LONG_MS, 0) == 0);
  CHECK (agent_write_span (conn, AD_FILE_HANDLE, 0, buf, AGENT_WRITE_SPAN_MAX, &st) == 0);
  CHECK (agent_double_max_outstanding (dbl) <= 2);
  close_pair ();
}

/* SETATTR sends what was asked, as asked, and returns the attributes
 * after it; arguments no agent could take are refused unsent. */
static void
test_setattr (void)
{
  struct stat st;
  CHECK (open_pair (AD_HONEST, 8, 0, LONG_MS, 0) == 0);
  struct agent_setattr set = { .handle = AD_FILE_HANDLE, .size = 5, .mode = 04750,
                               .atime = -3, .atime_nsec = 999999999, .mtime = 1700000000,
                               .mtime_nsec = 1, .uid = 1000, .gid = 0,
                               .valid = AGENT_SET_ALL & ~AGENT_SET_ATIME_NOW & ~AGENT_SET_MTIME_NOW };
  CHECK (agent_setattr (conn, set, &st) == 0 && st.st_size == 5 && st.st_ino == AD_FILE_INO);
  struct agent_header rh;
  struct agent_setattr sent;
  unsigned char body[512];
  agent_double_last (dbl, &rh, body);
  memcpy (&sent, body, sizeof sent);
  CHECK (rh.op == AGENT_OP_SETATTR && rh.len == sizeof rh + sizeof sent);
  CHECK (memcmp (&sent, &set, sizeof set) == 0);
  CHECK (agent_setattr (conn, (struct agent_setattr) { .handle = AD_DIR_HANDLE }, &st) == 0);
  CHECK (S_ISDIR (st.st_mode));
  unsigned before = agent_double_requests (dbl);
  struct agent_setattr bad[] = {
    { .handle = 0 }, { .handle = AD_FILE_HANDLE, .valid = 0x100 },
    { .handle = AD_FILE_HANDLE, .atime_nsec = 1000000000 },
    { .handle = AD_FILE_HANDLE, .mtime_nsec = 1000000000 },
    { .handle = AD_FILE_HANDLE, .mode = S_IFREG | 0644 },
    { .handle = AD_FILE_HANDLE, .size = (uint64_t) INT64_MAX + 1 },
  };
  for (size_t k = 0; k < ARRAY_SIZE (bad); k++)
    CHECK (agent_setattr (conn, bad[k], &st) == EINVAL);
  CHECK (agent_double_requests (dbl) == before);
  close_pair ();
}

/* REMOVE and RENAME send the names as asked; bad names and flags are
 * refused unsent. */
static void
test_remove_rename (void)
{
  struct stat st, nst;
  CHECK (open_pair (AD_HONEST, 8, 0, LONG_MS, 0) == 0);
  CHECK (agent_remove (conn, AD_DIR_HANDLE, "gone", true, &st) == 0 && S_ISDIR (st.st_mode));
  struct agent_header rh;
  unsigned char body[512];
  struct agent_remove rm;
  agent_double_last (dbl, &rh, body);
  memcpy (&rm, body, sizeof rm);
  CHECK (rh.op == AGENT_OP_REMOVE && rh.len == sizeof rh + sizeof rm + 4);
  CHECK (rm.parent == AD_DIR_HANDLE && rm.namelen == 4 && rm.dir == 1);
  CHECK (memcmp (body + sizeof rm, "gone", 4) == 0);
  CHECK (agent_rename (conn, AD_DIR_HANDLE, "a", AGENT_ROOT_HANDLE, "bc",
                       AGENT_RENAME_NOREPLACE, &st, &nst) == 0);
  CHECK (st.st_ino != nst.st_ino && nst.st_ino == AD_ROOT_INO);
  struct agent_rename rn;
  agent_double_last (dbl, &rh, body);
  memcpy (&rn, body, sizeof rn);
  CHECK (rh.op == AGENT_OP_RENAME && rh.len == sizeof rh + sizeof rn + 3);
  CHECK (rn.parent == AD_DIR_HANDLE && rn.newparent == AGENT_ROOT_HANDLE && rn.namelen == 1 &&
         rn.newnamelen == 2 && rn.flags == AGENT_RENAME_NOREPLACE && rn.reserved == 0);
  CHECK (memcmp (body + sizeof rn, "abc", 3) == 0);
  CHECK (agent_remove (conn, AD_FILE_HANDLE, "x", false, &st) == ENOTDIR);
  unsigned before = agent_double_requests (dbl);
  char long_name[AGENT_NAME_MAX + 2];
  memset (long_name, 'n', sizeof long_name - 1);
  long_name[sizeof long_name - 1] = '\0';
  CHECK (agent_remove (conn, AD_DIR_HANDLE, long_name, false, &st) == ENAMETOOLONG);
  CHECK (agent_remove (conn, AD_DIR_HANDLE, "..", true, &st) == EINVAL);
  CHECK (agent_remove (conn, 0, "x", false, &st) == EINVAL);
  CHECK (agent_rename (conn, AD_DIR_HANDLE, "a/b", AD_DIR_HANDLE, "c", 0, &st, &nst) == EINVAL);
  CHECK (agent_rename (conn, AD_DIR_HANDLE, "a", AD_DIR_HANDLE, long_name, 0, &st, &nst)
         == ENAMETOOLONG);
  CHECK (agent_rename (conn, AD_DIR_HANDLE, "a", AD_DIR_HANDLE, "c", 8, &st, &nst) == EINVAL);
  CHECK (agent_rename (conn, AD_DIR_HANDLE, "a", 0, "c", 0, &st, &nst) == EINVAL);
  CHECK (agent_double_requests (dbl) == before);
  close_pair ();
}

/* Extended attributes: values of any bytes, names and flags checked
 * before anything is sent. */
static void
test_xattr (void)
{
  CHECK (open_pair (AD_HONEST, 8, 0, LONG_MS, 0) == 0);
  char *v = NULL;
  size_t len = 0;
  CHECK (agent_getxattr (conn, AD_FILE_HANDLE, "user.a", &v, &len) == 0);
  CHECK (len == sizeof AD_XATTR_VALUE - 1 && memcmp (v, AD_XATTR_VALUE, len) == 0);
  free (v);
  CHECK (agent_listxattr (conn, AD_FILE_HANDLE, &v, &len) == 0);
  CHECK (len == sizeof AD_XATTR_LIST - 1 && memcmp (v, AD_XATTR_LIST, len) == 0);
  free (v);
  /* A file without xattrs: an empty list, the body absent (an AD_FAIL of
   * errno 0 is a success without a body). */
  agent_double_errno (dbl, 0);
  agent_double_next (dbl, AD_FAIL);
  v = NULL;
  CHECK (agent_listxattr (conn, AD_FILE_HANDLE, &v, &len) == 0 && len == 0);
  free (v);
  CHECK (agent_setxattr (conn, AD_FILE_HANDLE, "user.a", "\0\1", 2, AGENT_XATTR_CREATE) == 0);
  struct agent_header rh;
  unsigned char body[512];
  struct agent_xattr x;
  agent_double_last (dbl, &rh, body);
  memcpy (&x, body, sizeof x);
  CHECK (rh.op == AGENT_OP_SETXATTR && rh.len == sizeof rh + sizeof x + 6 + 2);
  CHECK (x.handle == AD_FILE_HANDLE && x.namelen == 6 && x.valuelen == 2 &&
         x.flags == AGENT_XATTR_CREATE && memcmp (body + sizeof x, "user.a\0\1", 8) == 0);
  CHECK (agent_removexattr (conn, AD_FILE_HANDLE, "user.a") == 0);
  unsigned before = agent_double_requests (dbl);
  char long_name[AGENT_XATTR_NAME_MAX + 2];
  memset (long_name, 'n', sizeof long_name - 1);
  long_name[sizeof long_name - 1] = '\0';
  static char big[AGENT_XATTR_MAX + 1];
  CHECK (agent_getxattr (conn, AD_FILE_HANDLE, long_name, &v, &len) == ERANGE);
  CHECK (agent_getxattr (conn, AD_FILE_HANDLE, "", &v, &len) == EINVAL);
  CHECK (agent_getxattr (conn, 0, "user.a", &v, &len) == EINVAL);
  CHECK (agent_setxattr (conn, AD_FILE_HANDLE, "user.a", big, sizeof big, 0) == E2BIG);
  CHECK (agent_setxattr (conn, AD_FILE_HANDLE, "user.a", "x", 1, 3) == EINVAL);
  CHECK (agent_removexattr (conn, AD_FILE_HANDLE, "") == EINVAL);
  CHECK (agent_double_requests (dbl) == before);
  close_pair ();
}

static void
test_honest_readdir (void)
{
  CHECK (open_pair (AD_HONEST, 8, 0, LONG_MS, 0) == 0);
  struct agent_dirlist list;
  CHECK (agent_readdir (conn, AGENT_ROOT_HANDLE, 0, 4096, 0, &list) == 0);
  CHECK (list.count == 3 && list.eof);
  if (list.count == 3) {
    CHECK_STR (list.entries[0].name, "f");
    CHECK_STR (list.entries[1].name, "l");
    CHECK_STR (list.entries[2].name, "d");
    CHECK (list.entries[0].handle == 0 && list.entries[0].st.st_mode == S_IFREG);
    CHECK (S_ISLNK (list.entries[1].st.st_mode) && S_ISDIR (list.entries[2].st.st_mode));
    CHECK (list.entries[0].cookie == 1 && list.entries[2].cookie == 3);
  }
  agent_dirlist_free (&list);

  CHECK (agent_readdir (conn, AGENT_ROOT_HANDLE, 0, 4096, AGENT_READDIR_PLUS, &list) == 0);
  CHECK (list.count == 3 && list.eof);
  if (list.count == 3) {
    CHECK (list.entries[0].handle == AD_FILE_HANDLE && list.entries[0].st.st_size == AD_FILE_SIZE);
    CHECK (list.entries[2].handle == AD_DIR_HANDLE && list.entries[2].st.st_nlink == 2);
  }
  agent_dirlist_free (&list);

  /* ATTRS: the attributes, without handles */
  CHECK (agent_readdir (conn, AGENT_ROOT_HANDLE, 0, 4096, AGENT_READDIR_ATTRS, &list) == 0);
  CHECK (list.count == 3 && list.eof);
  if (list.count == 3) {
    CHECK (list.entries[0].handle == 0 && list.entries[0].st.st_size == AD_FILE_SIZE);
    CHECK (list.entries[0].st.st_ino == AD_FILE_INO && list.entries[0].st.st_dev == AD_DEV);
    CHECK (list.entries[0].st.st_mtim.tv_nsec == 5 && list.entries[0].st.st_blocks == 24);
    CHECK (list.entries[2].handle == 0 && list.entries[2].st.st_nlink == 2);
    CHECK (list.entries[2].st.st_mode == (S_IFDIR | 0700));
  }
  agent_dirlist_free (&list);
  struct agent_header h;
  char body[512];
  struct agent_readdir sent;
  agent_double_last (dbl, &h, body);
  memcpy (&sent, body, sizeof sent);
  CHECK (h.op == AGENT_OP_READDIR && sent.flags == AGENT_READDIR_ATTRS);

  /* two entries (8 + 2 * 136 bytes) fit in 400; the listing goes on */
  CHECK (agent_readdir (conn, AGENT_ROOT_HANDLE, 0, 400, 0, &list) == 0);
  CHECK (list.count == 2 && !list.eof);
  agent_dirlist_free (&list);
  CHECK (agent_readdir (conn, AGENT_ROOT_HANDLE, 2, 4096, 0, &list) == 0);
  CHECK (list.count == 1 && list.eof && strcmp (list.entries[0].name, "d") == 0);
  agent_dirlist_free (&list);
  CHECK (agent_readdir (conn, AD_DIR_HANDLE, 0, 4096, AGENT_READDIR_PLUS, &list) == 0);
  CHECK (list.count == 0 && list.eof);
  agent_dirlist_free (&list);
  CHECK (agent_readdir (conn, AD_FILE_HANDLE, 0, 4096, AGENT_READDIR_PLUS, &list) == ENOTDIR);
  close_pair ();
}

/* DEVICES gives the text as sent; reopening says BYE, then HELLO. */
static void
test_devices_and_reopen (void)
{
  CHECK (open_pair (AD_HONEST, 8, 0, LONG_MS, 0) == 0);
  char *text = NULL;
  size_t len = 0;
  CHECK (agent_devices (conn, &text, &len) == 0);
  CHECK (len == strlen (AD_DEVICES_TEXT) && text && memcmp (text, AD_DEVICES_TEXT, len) == 0);
  free (text);
  agent_double_errno (dbl, ENOSYS);   /* an agent without DEVICES */
  agent_double_next (dbl, AD_FAIL);
  text = NULL;
  CHECK (agent_devices (conn, &text, &len) == ENOSYS && text == NULL);
  CHECK (agent_reopen (conn) == 0);
  struct agent_header h;
  char body[512];
  agent_double_last (dbl, &h, body);
  CHECK (h.op == AGENT_OP_HELLO);
  struct stat st;
  agent_root_attr (conn, &st);
  CHECK (S_ISDIR (st.st_mode) && st.st_ino == AD_ROOT_INO);
  CHECK (agent_getattr (conn, AD_FILE_HANDLE, &st) == 0);
  close_pair ();
}

/* Arguments the host must not send: EINVAL, and nothing on the stream. */
static void
test_bad_arguments (void)
{
  CHECK (open_pair (AD_HONEST, 8, 0, LONG_MS, 0) == 0);
  unsigned before = agent_double_requests (dbl);
  char long_name[AGENT_NAME_MAX + 2];
  memset (long_name, 'x', sizeof long_name - 1);
  long_name[sizeof long_name - 1] = '\0';
  uint64_t h;
  struct stat st;
  struct agent_dirlist list;
  char buf[16];
  size_t got;
  const char *bad_names[] = { "", ".", "..", "a/b" };
  for (size_t k = 0; k < sizeof bad_names / sizeof bad_names[0]; k++)
    CHECK (agent_lookup (conn, AGENT_ROOT_HANDLE, bad_names[k], &h, &st) == EINVAL);
  CHECK (agent_lookup (conn, AGENT_ROOT_HANDLE, long_name, &h, &st) == ENAMETOOLONG);
  CHECK (agent_lookup (conn, 0, "f", &h, &st) == EINVAL);
  CHECK (agent_getattr (conn, 0, &st) == EINVAL);
  CHECK (agent_forget (conn, AGENT_ROOT_HANDLE, 1) == EINVAL);
  CHECK (agent_forget (conn, AD_FILE_HANDLE, 0) == EINVAL);
  CHECK (agent_read (conn, AD_FILE_HANDLE, 0, 0, buf, &got) == EINVAL);
  CHECK (agent_read (conn, AD_FILE_HANDLE, 0, AGENT_IO_MAX + 1, buf, &got) == EINVAL);
  CHECK (agent_readdir (conn, AGENT_ROOT_HANDLE, 0, AGENT_READDIR_MIN - 1, 0, &list) == EINVAL);
  CHECK (agent_readdir (conn, AGENT_ROOT_HANDLE, 0, AGENT_IO_MAX + 1, 0, &list) == EINVAL);
  CHECK (agent_readdir (conn, AGENT_ROOT_HANDLE, 0, 4096,
                        AGENT_READDIR_PLUS | AGENT_READDIR_ATTRS, &list) == EINVAL);
  CHECK (agent_readdir (conn, AGENT_ROOT_HANDLE, 0, 4096, 4, &list) == EINVAL);
  CHECK (agent_double_requests (dbl) == before);
  close_pair ();
}

/* ---- HELLO ---- */

static void
test_hello (void)
{
  static const enum ad_kind bad[] = {
    AD_BAD_MAGIC, AD_BAD_VERSION, AD_CREDITS_ZERO, AD_CREDITS_OVER, AD_ROOT_NOT_DIR,
    AD_GARBAGE, AD_UNKNOWN_ID, AD_WRONG_OP, AD_LEN_HUGE, AD_LEN_SHORT, AD_OVERSIZE,
    AD_TRUNCATED, AD_ERROR_BODY, AD_ERRNO_999, AD_FLAGS, AD_RESERVED, AD_BAD_MODE,
    AD_BAD_NSEC, AD_SILENT, AD_TRICKLE,
  };
  for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
    int64_t t0 = monotonic_ms ();
    int e = open_pair (bad[k], 8, 0, SHORT_MS, 0);
    if (e != EIO)
      fprintf (stderr, "HELLO bent as kind %d: %d\n", (int) bad[k], e);
    CHECK (e == EIO && conn == NULL);
    CHECK (monotonic_ms () - t0 < 3000);
    close_pair ();
  }
  /* an agent may refuse; its errno is the answer */
  CHECK (open_pair (AD_FAIL, 8, 0, SHORT_MS, 0) == ENOENT);
  close_pair ();
  /* the host uses the lesser of its credits and the agent's */
  CHECK (open_pair (AD_HONEST, 8, 0, SHORT_MS, 2) == 0 && agent_credits (conn) == 2);
  close_pair ();
}

/* ---- a bent reply fails its call, and the connection goes on ---- */

enum op { NOP, LOOKUP, GETATTR, GETATTR_ROOT, READDIR, READDIR_PLUS, READDIR_ATTRS,
          READDIR_SMALL, READ, READLINK, STATFS, DEVICES, FSYNC, WRITE, TRUNCATE, CHMOD,
          REMOVE, RENAME, LINK, GETXATTR, LISTXATTR, SETXATTR,
          FALLOCATE, LSEEK, COPY_RANGE, CREATE };

/* DEVICES as the mount code takes it: the text must also parse. */
static int
devices (void)
{
  char *text = NULL;
  size_t len = 0, n = 0;
  struct reported_device *devs = NULL;
  int e = agent_devices (conn, &text, &len);
  if (!e) {
    e = device_report_parse (text, len, &devs, &n);
    device_report_free (devs, n);
  }
  free (text);
  return e;
}

static int
do_op (enum op op)
{
  static unsigned char buf[8192];
  struct stat st;
  struct statvfs sv;
  struct agent_dirlist list;
  uint64_t h;
  size_t got;
  char *target = NULL;
  int e;
  switch (op) {
  case NOP: return agent_nop (conn);
  case LOOKUP: return agent_lookup (conn, AGENT_ROOT_HANDLE, "f", &h, &st);
  case GETATTR: return agent_getattr (conn, AD_FILE_HANDLE, &st);
  case GETATTR_ROOT: return agent_getattr (conn, AGENT_ROOT_HANDLE, &st);
  case READDIR:
  case READDIR_PLUS:
  case READDIR_ATTRS:
  case READDIR_SMALL:
    e = agent_readdir (conn, AGENT_ROOT_HANDLE, 0, op == READDIR_SMALL ? 400 : 4096,
                       op == READDIR_PLUS ? AGENT_READDIR_PLUS
                       : op == READDIR_ATTRS ? AGENT_READDIR_ATTRS : 0, &list);
    agent_dirlist_free (&list);
    return e;
  case READ: return agent_read (conn, AD_FILE_HANDLE, 0, 4096, buf, &got);
  case READLINK:
    e = agent_readlink (conn, AD_LINK_HANDLE, &target);
    free (target);
    return e;
  case STATFS: return agent_statfs (conn, AGENT_ROOT_HANDLE, &sv);
  case DEVICES: return devices ();
  case FSYNC: return agent_fsync (conn, AD_FILE_HANDLE, false);
  case WRITE: return agent_write_span (conn, AD_FILE_HANDLE, 10, "data", 4, &st);
  case TRUNCATE:
    return agent_setattr (conn, (struct agent_setattr) { .handle = AD_FILE_HANDLE,
                          .valid = AGENT_SET_SIZE, .size = 5 }, &st);
  case GETXATTR:
  case LISTXATTR:
    e = op == GETXATTR ? agent_getxattr (conn, AD_FILE_HANDLE, "user.a", &target, &got)
                       : agent_listxattr (conn, AD_FILE_HANDLE, &target, &got);
    free (target);
    return e;
  case LSEEK: {
    uint64_t at;
    return agent_lseek (conn, AD_FILE_HANDLE, 100, SEEK_HOLE, &at);
  }
  case FALLOCATE: return agent_fallocate (conn, AD_FILE_HANDLE, 0, 0, 4096, &st);
  case CREATE: {
    struct stat pst;
    uint64_t made;
    struct agent_new what = { .mode = S_IFREG | 0600, .uid = 1000, .gid = 100 };
    return agent_create (conn, AGENT_ROOT_HANDLE, "new", &what, &made, &st, &pst);
  }
  case COPY_RANGE: {
    uint64_t copied;
    return agent_copy_range (conn, AD_FILE_HANDLE, 0, AD_FILE_HANDLE, 4096, 100, &copied, &st);
  }
  case SETXATTR: return agent_setxattr (conn, AD_FILE_HANDLE, "user.a", "x", 1, 0);
  case LINK: {
    struct stat pst;
    return agent_link (conn, AD_FILE_HANDLE, AD_DIR_HANDLE, "x", &st, &pst);
  }
  case REMOVE: return agent_remove (conn, AD_DIR_HANDLE, "x", false, &st);
  case RENAME: {
    struct stat nst;
    return agent_rename (conn, AD_DIR_HANDLE, "x", AGENT_ROOT_HANDLE, "y", 0, &st, &nst);
  }
  case CHMOD:
    return agent_setattr (conn, (struct agent_setattr) { .handle = AD_FILE_HANDLE,
                          .valid = AGENT_SET_MODE | AGENT_SET_MTIME_NOW, .mode = 0600 }, &st);
  }
  return -1;
}

static void
test_bent_replies (void)
{
  static const struct { enum op op; enum ad_kind kind; } cases[] = {
    /* lengths beyond what the op allows: skipped, not read into memory */
    { NOP, AD_OVERSIZE }, { LOOKUP, AD_OVERSIZE }, { GETATTR, AD_OVERSIZE },
    { READ, AD_OVERSIZE }, { READDIR_SMALL, AD_OVERSIZE }, { READLINK, AD_OVERSIZE },
    { STATFS, AD_OVERSIZE },
    /* short bodies */
    { LOOKUP, AD_TRUNCATED }, { GETATTR, AD_TRUNCATED }, { READDIR, AD_TRUNCATED },
    { READLINK, AD_TRUNCATED }, { STATFS, AD_TRUNCATED },
    /* the header */
    { GETATTR, AD_ERROR_BODY }, { NOP, AD_ERRNO_999 }, { GETATTR, AD_ERRNO_999 },
    { NOP, AD_FLAGS }, { GETATTR, AD_FLAGS }, { NOP, AD_RESERVED }, { READ, AD_RESERVED },
    /* attributes and handles */
    { LOOKUP, AD_BAD_MODE }, { GETATTR, AD_BAD_MODE }, { READDIR, AD_BAD_MODE },
    { READDIR_PLUS, AD_BAD_MODE }, { LOOKUP, AD_BAD_NSEC }, { GETATTR, AD_BAD_NSEC },
    { READDIR_PLUS, AD_BAD_NSEC }, { LOOKUP, AD_HANDLE_ZERO }, { READDIR_PLUS, AD_HANDLE_ZERO },
    { LOOKUP, AD_ROOT_IMPOSTOR }, { READDIR_PLUS, AD_ROOT_IMPOSTOR },
    { GETATTR_ROOT, AD_ROOT_IMPOSTOR }, { LOOKUP, AD_ROOT_ELSEWHERE },
    { GETATTR, AD_ROOT_ELSEWHERE }, { READDIR_PLUS, AD_ROOT_ELSEWHERE },
    { LOOKUP, AD_SELF }, { READDIR_PLUS, AD_SELF },
    /* a handle without PLUS */
    { READDIR, AD_ROOT_IMPOSTOR }, { READDIR_ATTRS, AD_ROOT_IMPOSTOR },
    /* ATTRS: attributes as PLUS's; the root's entry that is the root */
    { READDIR_ATTRS, AD_BAD_MODE }, { READDIR_ATTRS, AD_BAD_NSEC }, { READDIR_ATTRS, AD_SELF },
    { READDIR_ATTRS, AD_ROOT_ELSEWHERE }, { READDIR_ATTRS, AD_NAME_SLASH },
    /* names and list shapes */
    { READDIR, AD_NAME_SLASH }, { READDIR, AD_NAME_DOT }, { READDIR, AD_NAME_DOTDOT },
    { READDIR, AD_NAME_NUL }, { READDIR, AD_NAME_LONG }, { READDIR, AD_NAME_EMPTY },
    { READDIR_PLUS, AD_NAME_SLASH }, { READDIR, AD_COUNT_MORE }, { READDIR, AD_COUNT_LESS },
    { READDIR, AD_BAD_PAD }, { READDIR, AD_EOF_2 }, { READDIR, AD_COOKIE_ZERO },
    { READDIR, AD_NO_PROGRESS },
    /* the rest */
    { READLINK, AD_LINK_NUL }, { STATFS, AD_STATFS_BAD },
    /* DEVICES: past AGENT_IO_MAX; a text cut short (no final newline) */
    { DEVICES, AD_OVERSIZE }, { DEVICES, AD_TRUNCATED }, { DEVICES, AD_ERROR_BODY },
    { DEVICES, AD_FLAGS },
    /* FSYNC: a body where none may be; the header */
    { FSYNC, AD_OVERSIZE }, { FSYNC, AD_ERRNO_999 }, { FSYNC, AD_FLAGS },
    /* WRITE: its attributes, and a file the bytes written are not in */
    { WRITE, AD_OVERSIZE }, { WRITE, AD_TRUNCATED }, { WRITE, AD_ERROR_BODY },
    { WRITE, AD_BAD_MODE }, { WRITE, AD_BAD_NSEC }, { WRITE, AD_ROOT_ELSEWHERE },
    { WRITE, AD_WRITE_SHORT }, { WRITE, AD_NOT_FILE },
    /* SETATTR: its attributes; a truncation to another size, or of what
     * is no file */
    { CHMOD, AD_OVERSIZE }, { CHMOD, AD_TRUNCATED }, { CHMOD, AD_ERROR_BODY },
    { CHMOD, AD_BAD_MODE }, { CHMOD, AD_BAD_NSEC }, { CHMOD, AD_ROOT_ELSEWHERE },
    { TRUNCATE, AD_WRITE_SHORT }, { TRUNCATE, AD_NOT_FILE }, { TRUNCATE, AD_ERRNO_999 },
    /* REMOVE, RENAME: the directories' attributes, as directories' and
     * with the identities of the handles asked about */
    { REMOVE, AD_OVERSIZE }, { REMOVE, AD_TRUNCATED }, { REMOVE, AD_ERROR_BODY },
    { REMOVE, AD_NOT_DIR }, { REMOVE, AD_ROOT_ELSEWHERE }, { REMOVE, AD_BAD_NSEC },
    { RENAME, AD_OVERSIZE }, { RENAME, AD_TRUNCATED }, { RENAME, AD_NOT_DIR },
    { RENAME, AD_ROOT_ELSEWHERE }, { RENAME, AD_BAD_MODE }, { RENAME, AD_FLAGS },
    /* LINK: the object's own handle and identity, not a directory */
    { LINK, AD_OVERSIZE }, { LINK, AD_TRUNCATED }, { LINK, AD_HANDLE_ZERO },
    { LINK, AD_ROOT_IMPOSTOR }, { LINK, AD_ROOT_ELSEWHERE }, { LINK, AD_NOT_FILE },
    { LINK, AD_BAD_NSEC },
    /* xattrs: sizes past the limit, list shapes, a body where none may be */
    { GETXATTR, AD_OVERSIZE }, { GETXATTR, AD_ERRNO_999 }, { LISTXATTR, AD_OVERSIZE },
    { LISTXATTR, AD_TRUNCATED }, { LISTXATTR, AD_NAME_EMPTY }, { LISTXATTR, AD_NAME_LONG },
    { SETXATTR, AD_OVERSIZE }, { SETXATTR, AD_FLAGS }, { GETXATTR, AD_ERROR_BODY },
    /* FALLOCATE: a regular file's attributes, its own identity */
    { FALLOCATE, AD_OVERSIZE }, { FALLOCATE, AD_TRUNCATED }, { FALLOCATE, AD_NOT_FILE },
    { FALLOCATE, AD_ROOT_ELSEWHERE }, { FALLOCATE, AD_BAD_NSEC },
    /* LSEEK: one offset, not before the search's start */
    { LSEEK, AD_SEEK_BACK }, { LSEEK, AD_OVERSIZE }, { LSEEK, AD_TRUNCATED },
    /* COPY_RANGE: no more than asked, OUT's own attributes reaching past
     * the copy */
    { COPY_RANGE, AD_COPY_MORE }, { COPY_RANGE, AD_OVERSIZE }, { COPY_RANGE, AD_TRUNCATED },
    { COPY_RANGE, AD_NOT_FILE }, { COPY_RANGE, AD_WRITE_SHORT },
    { COPY_RANGE, AD_ROOT_ELSEWHERE }, { COPY_RANGE, AD_BAD_NSEC },
    /* CREATE: the type asked for, a handle of its own, not the root */
    { CREATE, AD_OVERSIZE }, { CREATE, AD_TRUNCATED }, { CREATE, AD_NOT_FILE },
    { CREATE, AD_HANDLE_ZERO }, { CREATE, AD_ROOT_IMPOSTOR }, { CREATE, AD_ROOT_ELSEWHERE },
    { CREATE, AD_BAD_MODE }, { CREATE, AD_BAD_NSEC },
  };
  CHECK (open_pair (AD_HONEST, 8, 0, LONG_MS, 0) == 0);
  for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
    agent_double_next (dbl, cases[k].kind);
    int e = do_op (cases[k].op);
    if (e != EIO || agent_broken (conn))
      fprintf (stderr, "op %d, reply kind %d: %d%s\n", (int) cases[k].op, (int) cases[k].kind, e,
               agent_broken (conn) ? ", broken" : "");
    CHECK (e == EIO);
    CHECK (!agent_broken (conn));
    CHECK (do_op (cases[k].op) == 0);         /* answered honestly: works */
    if (agent_broken (conn)) {
      close_pair ();
      CHECK (open_pair (AD_HONEST, 8, 0, LONG_MS, 0) == 0);
    }
  }
  close_pair ();
}

/* ---- a reply that loses the stream breaks the connection ---- */

static void
test_stream_lost (void)
{
  static const struct { enum ad_kind kind; bool call_succeeds; } cases[] = {
    { AD_GARBAGE, false }, { AD_UNKNOWN_ID, false }, { AD_WRONG_OP, false },
    { AD_LEN_HUGE, false }, { AD_LEN_SHORT, false }, { AD_SILENT, false },
    { AD_TRICKLE, false }, { AD_TWICE, true }, { AD_ENDLESS, true },
  };
  for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
    CHECK (open_pair (AD_HONEST, 8, 0, SHORT_MS, 0) == 0);
    agent_double_next (dbl, cases[k].kind);
    int64_t t0 = monotonic_ms ();
    int e = do_op (READ);
    CHECK (monotonic_ms () - t0 < 3000);
    if ((e == 0) != cases[k].call_succeeds)
      fprintf (stderr, "reply kind %d: %d\n", (int) cases[k].kind, e);
    CHECK (cases[k].call_succeeds ? e == 0 : e == EIO);
    CHECK (becomes_broken ());
    t0 = monotonic_ms ();
    CHECK (do_op (NOP) == EIO && do_op (GETATTR) == EIO);
    CHECK (monotonic_ms () - t0 < 100);              /* at once, nothing sent */
    close_pair ();
  }
}

/* EOF: the agent goes away. */
static void
test_agent_gone (void)
{
  CHECK (open_pair (AD_HONEST, 8, 0, LONG_MS, 0) == 0);
  shutdown (host_fd, SHUT_RD);
  CHECK (becomes_broken ());
  CHECK (do_op (NOP) == EIO);
  close_pair ();
}

/* ---- calls outstanding when the stream is lost fail too ---- */

static void *
silent_getattr (void *arg)
{
  int64_t t0 = monotonic_ms ();
  int *result = arg;
  *result = do_op (GETATTR);
  result[1] = (int) (monotonic_ms () - t0);
  return NULL;
}

static void
test_outstanding_fail (void)
{
  /* one caller waits (its timeout long); another's reply is garbage */
  CHECK (open_pair (AD_HONEST, 8, 0, 10 * LONG_MS, 0) == 0);
  agent_double_next (dbl, AD_SILENT);
  pthread_t t;
  int result[2] = { -1, 0 };
  pthread_create (&t, NULL, silent_getattr, result);
  while (agent_double_requests (dbl) < 2)     /* HELLO, then its GETATTR */
    usleep (1000);
  agent_double_next (dbl, AD_GARBAGE);
  CHECK (do_op (NOP) == EIO);
  pthread_join (t, NULL);
  CHECK (result[0] == EIO && result[1] < 5000);
  close_pair ();

  /* four silent at once: all fail within the timeout */
  CHECK (open_pair (AD_HONEST, 8, 0, SHORT_MS, 0) == 0);
  pthread_t ts[4];
  int results[4][2];
  for (int k = 0; k < 4; k++) {
    agent_double_next (dbl, AD_SILENT);
    pthread_create (&ts[k], NULL, silent_getattr, results[k]);
  }
  for (int k = 0; k < 4; k++) {
    pthread_join (ts[k], NULL);
    CHECK (results[k][0] == EIO && results[k][1] < 3000);
  }
  CHECK (agent_broken (conn));
  close_pair ();
}

/* ---- FORGET, sent without waiting ---- */

/* Its replies are taken and dropped, each giving its credit back; a
 * silent agent holding every credit breaks the connection after a
 * timeout, rather than holding the next caller for ever (no caller waits
 * on a FORGET to time out). */
static void
test_forget_detached (void)
{
  CHECK (open_pair (AD_HONEST, 2, 0, SHORT_MS, 0) == 0);
  for (int k = 0; k < 100; k++)
    CHECK (agent_forget (conn, AD_FILE_HANDLE, 1) == 0);
  CHECK (agent_nop (conn) == 0 && !agent_broken (conn));
  CHECK (agent_double_requests (dbl) == 1 + 100 + 1);
  agent_double_next (dbl, AD_SILENT);
  agent_double_next (dbl, AD_SILENT);
  CHECK (agent_forget (conn, AD_FILE_HANDLE, 1) == 0);
  CHECK (agent_forget (conn, AD_FILE_HANDLE, 1) == 0);
  int64_t t0 = monotonic_ms ();
  CHECK (agent_nop (conn) == EIO);
  CHECK (monotonic_ms () - t0 < 3000 && agent_broken (conn));
  close_pair ();                /* frees the two FORGETs never answered */
}

/* ---- many threads keep within the credits ---- */

static void *
busy (void *arg)
{
  int *failures = arg;
  for (int k = 0; k < 20; k++)
    *failures += do_op ((enum op[]) { NOP, GETATTR, LOOKUP, READLINK }[k % 4]) != 0;
  return NULL;
}

static void
run_threads (uint32_t agent_credits, uint32_t host_credits, unsigned want)
{
  CHECK (open_pair (AD_HONEST, agent_credits, 2, LONG_MS, host_credits) == 0);
  pthread_t t[32];
  int failures[32] = { 0 };
  for (int k = 0; k < 32; k++)
    pthread_create (&t[k], NULL, busy, &failures[k]);
  int total = 0;
  for (int k = 0; k < 32; k++) {
    pthread_join (t[k], NULL);
    total += failures[k];
  }
  CHECK (total == 0);
  unsigned most = agent_double_max_outstanding (dbl);
  if (most > want || most < 2)
    fprintf (stderr, "credits %u: %u outstanding at most\n", want, most);
  CHECK (most <= want);
  CHECK (most >= 2);                          /* the calls did overlap */
  CHECK (agent_double_requests (dbl) == 1 + 32 * 20);
  close_pair ();
}

static void
test_credits (void)
{
  run_threads (4, 0, 4);
  run_threads (8, 3, 3);
}

/* ---- the pure rules, on replies made by hand ---- */

static void
test_reply_rules (void)
{
  struct agent_req nop = { .op = AGENT_OP_NOP };
  struct agent_header h = { .len = sizeof h, .op = AGENT_OP_NOP, .error = 999 };
  int err = 0;
  CHECK (agent_reply_check (&nop, &h, &err) == 0 && err == EIO);
  h.error = (uint32_t) -5;
  CHECK (agent_reply_check (&nop, &h, &err) == 0 && err == EIO);
  h.error = EINTR;
  CHECK (agent_reply_check (&nop, &h, &err) == 0 && err == EIO);
  h.error = 0;
  h.len = sizeof h + 1;
  CHECK (agent_reply_check (&nop, &h, &err) == EIO);
  h.len = AGENT_MSG_MAX + 1;
  CHECK (!agent_frame_ok (&h));

  struct agent_attr a = { .mode = S_IFREG | 0644, .ino = 5 };
  struct stat st;
  CHECK (agent_attr_decode (&a, &st) == 0);
  a.uid = UINT32_MAX;
  CHECK (agent_attr_decode (&a, &st) == EIO);
  a.uid = 0;
  a.size = (uint64_t) INT64_MAX + 1;
  CHECK (agent_attr_decode (&a, &st) == EIO);
  a.size = 0;
  a.mode = S_IFREG | 010000;                  /* a bit beyond 07777 */
  CHECK (agent_attr_decode (&a, &st) == EIO);

  st.st_dev = 1;
  st.st_ino = 2;
  CHECK (agent_identity_ok (1, 2, AGENT_ROOT_HANDLE, &st));
  CHECK (!agent_identity_ok (1, 2, 5, &st));
  CHECK (!agent_identity_ok (1, 3, AGENT_ROOT_HANDLE, &st));
  CHECK (!agent_identity_ok (1, 3, 0, &st));

  char target[AGENT_LINK_MAX + 1];
  static char longest[AGENT_LINK_MAX + 1];
  memset (longest, 'a', sizeof longest);
  CHECK (agent_readlink_decode (longest, AGENT_LINK_MAX, target) == 0 &&
         strlen (target) == AGENT_LINK_MAX);
  CHECK (agent_readlink_decode (longest, AGENT_LINK_MAX + 1, target) == EIO);
  CHECK (agent_readlink_decode (longest, 0, target) == EIO);

  /* a readdir body one byte past max_bytes */
  char body[sizeof (struct agent_dirents) + sizeof (struct agent_dirent) + 8] = { 0 };
  struct agent_dirents head = { .count = 1, .eof = 1 };
  struct agent_dirent e = { .cookie = 1, .namelen = 1, .attr = { .mode = S_IFREG } };
  memcpy (body, &head, sizeof head);
  memcpy (body + sizeof head, &e, sizeof e);
  body[sizeof head + sizeof e] = 'a';
  struct agent_req rd = { .op = AGENT_OP_READDIR, .max_bytes = sizeof body };
  struct agent_dirlist list;
  CHECK (agent_readdir_decode (&rd, body, sizeof body, 1, 2, &list) == 0 && list.count == 1);
  agent_dirlist_free (&list);
  rd.max_bytes = sizeof body - 1;
  CHECK (agent_readdir_decode (&rd, body, sizeof body, 1, 2, &list) == EIO);
  CHECK (list.entries == NULL && list.names == NULL);
  /* ATTRS: handle 0 and full attributes; the root's identity is the
   * directory itself in a listing of the root, and may be an entry of
   * another (a bind mount) */
  e.attr = (struct agent_attr) { .dev = 1, .ino = 2, .mode = S_IFDIR | 0755 };
  memcpy (body + sizeof head, &e, sizeof e);
  rd = (struct agent_req) { .op = AGENT_OP_READDIR, .handle = 5, .max_bytes = sizeof body,
                            .flags = AGENT_READDIR_ATTRS };
  CHECK (agent_readdir_decode (&rd, body, sizeof body, 1, 2, &list) == 0 && list.count == 1);
  CHECK (list.count == 1 && list.entries[0].handle == 0 &&
         list.entries[0].st.st_mode == (S_IFDIR | 0755));
  agent_dirlist_free (&list);
  rd.handle = AGENT_ROOT_HANDLE;
  CHECK (agent_readdir_decode (&rd, body, sizeof body, 1, 2, &list) == EIO);
  CHECK (agent_readdir_decode (&rd, body, sizeof body, 1, 3, &list) == 0);
  agent_dirlist_free (&list);
  e.handle = 6;
  memcpy (body + sizeof head, &e, sizeof e);
  CHECK (agent_readdir_decode (&rd, body, sizeof body, 1, 3, &list) == EIO);
  rd.flags = AGENT_READDIR_PLUS;
  CHECK (agent_readdir_decode (&rd, body, sizeof body, 1, 3, &list) == 0);
  agent_dirlist_free (&list);
  e = (struct agent_dirent) { .cookie = 1, .namelen = 1, .attr = { .mode = S_IFREG } };
  memcpy (body + sizeof head, &e, sizeof e);
  rd = (struct agent_req) { .op = AGENT_OP_READDIR, .max_bytes = sizeof body };

  /* a count far beyond what the body could hold allocates nothing */
  head.count = UINT32_MAX;
  memcpy (body, &head, sizeof head);
  rd.max_bytes = sizeof body;
  CHECK (agent_readdir_decode (&rd, body, sizeof body, 1, 2, &list) == EIO);
}

int
main (void)
{
  alarm (120);                  /* a hang fails the test */
  signal (SIGPIPE, SIG_IGN);
  test_reply_rules ();
  test_honest_calls ();
  test_honest_read ();
  test_honest_copy_range ();
  test_honest_create ();
  test_span_read ();
  test_span_write ();
  test_setattr ();
  test_remove_rename ();
  test_xattr ();
  test_honest_readdir ();
  test_devices_and_reopen ();
  test_bad_arguments ();
  test_hello ();
  test_bent_replies ();
  test_stream_lost ();
  test_agent_gone ();
  test_outstanding_fail ();
  test_forget_detached ();
  test_credits ();
  return CHECK_DONE ();
}
