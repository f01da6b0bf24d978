/* test-agent-handles.c: fsops-handles.c, the inode table's handles at
 * imgmount-agent, against the agent double (tests/hostile/agent-double.h).
 *
 * Why: the client checks each reply on its own; only the inode table
 * knows which object a name must be.  An agent that answers a name with
 * another object's identity, or a handle with another object's
 * attributes, must fail the call with EIO and leave no reference behind
 * (a FORGET for the one it handed out), whatever it sends. */
#include <errno.h>
#include <pthread.h>
#include <sys/socket.h>
#include <unistd.h>
#include "fsops/fsops-internal.h"
#include "tests/hostile/agent-double.h"
#include "tests/unit/check.h"

#define AD_DIR_INO 14
#define AD_LINK_INO 13

static struct fs fs;
static struct agent_double *dbl;
static int host_end;

static void
free_state (struct inode_table *t, struct inode *i)
{
  free (i->data);
  i->data = NULL;
}

static void
start (void)
{
  int sv[2];
  if (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
    abort ();
  dbl = agent_double_start (sv[1], AD_HONEST, 8, 0);
  struct agent_config cfg = { .timeout_ms = 5000 };
  CHECK (agent_connect_with (sv[0], sv[0], &cfg, &fs.agent) == 0);
  host_end = sv[0];
  pthread_mutex_init (&fs.lock, NULL);
  pthread_cond_init (&fs.sent, NULL);
  fs.timeout = 1;
  itable_init (&fs.itable, free_state);
  itable_set_root (&fs.itable, AD_DEV, AD_ROOT_INO);
  fs_lock (&fs);   /* as every operation holds it: the agent's calls let it go */
}

static void
stop (void)
{
  fs_unlock (&fs);
  struct agent_conn *c = fs.agent;
  fs.agent = NULL;
  itable_destroy (&fs.itable);
  agent_disconnect (c);
  close (host_end);
  pthread_mutex_destroy (&fs.lock);
  pthread_cond_destroy (&fs.sent);
  agent_double_stop (dbl);
}

static uint16_t
last_op (void)
{
  /* A FORGET is sent without waiting for its reply: give the double a
   * moment to have read it. */
  struct agent_header h;
  char body[512];
  for (int k = 0; k < 200; k++) {
    agent_double_last (dbl, &h, body);
    if (h.op == AGENT_OP_FORGET)
      break;
    usleep (10000);
  }
  return h.op;
}

/* The table learns NAME as (AD_DEV, INO), as guestfsd would have said. */
static struct inode *
known (const char *name, int64_t ino)
{
  return itable_lookup (&fs.itable, &fs.itable.root, name, AD_DEV, ino);
}

static void
test_lookup_keeps_handle (void)
{
  struct stat st;
  struct fuse_entry_param e;
  CHECK (fs_agent_lookup (&fs, &fs.itable.root, "f", &e) == 0);
  struct inode *f = itable_from_nodeid (&fs.itable, e.ino);
  CHECK (f->ino == AD_FILE_INO && ((struct file_state *) f->data)->handle == AD_FILE_HANDLE);
  /* A second lookup gives its reference back: the inode holds one. */
  CHECK (fs_agent_lookup (&fs, &fs.itable.root, "f", &e) == 0);
  CHECK (last_op () == AGENT_OP_FORGET);
  uint64_t h;
  CHECK (fs_handle_of (&fs, f, &h) == 0 && h == AD_FILE_HANDLE);
  CHECK (fs_agent_getattr (&fs, f, &st) == 0 && st.st_size == AD_FILE_SIZE);
}

static void
test_found_by_name (void)
{
  struct inode *d = known ("d", AD_DIR_INO);
  uint64_t h;
  CHECK (fs_handle_of (&fs, d, &h) == 0 && h == AD_DIR_HANDLE);
  CHECK (last_op () == AGENT_OP_LOOKUP);
}

/* "l" known as another object: the agent's answer is refused, and the
 * reference it gave is given back. */
static void
test_name_is_another_object (void)
{
  struct inode *l = known ("l", 999);
  uint64_t h;
  CHECK (fs_handle_of (&fs, l, &h) == EIO);
  CHECK (last_op () == AGENT_OP_FORGET);
  CHECK (((struct file_state *) l->data)->handle == 0);
}

/* A handle whose attributes name another object. */
static void
test_getattr_of_another_object (void)
{
  struct inode *x = known ("x", AD_DIR_INO + 100);
  fs_state_of (x)->handle = AD_FILE_HANDLE;
  struct stat st;
  CHECK (fs_agent_getattr (&fs, x, &st) == EIO);
  fs_state_of (x)->handle = 0;
}

/* A reply with the object's identity and another file type: the same
 * identity cannot change type while the table holds it (a reused inode
 * number comes to a new inode, as the old one lost its last name). */
static void
test_type_changed (void)
{
  struct stat st;
  struct fuse_entry_param e;
  CHECK (fs_agent_lookup (&fs, &fs.itable.root, "f", &e) == 0);
  struct inode *f = itable_from_nodeid (&fs.itable, e.ino);
  /* The reference given back goes first, so the bent reply is GETATTR's. */
  CHECK (last_op () == AGENT_OP_FORGET);
  agent_double_next (dbl, AD_NOT_FILE);
  CHECK (fs_agent_getattr (&fs, f, &st) == EIO);
  agent_double_next (dbl, AD_NOT_FILE);
  CHECK (fs_agent_lookup (&fs, &fs.itable.root, "f", &e) == EIO);
  CHECK (last_op () == AGENT_OP_FORGET);
  agent_double_next (dbl, AD_NOT_DIR);
  CHECK (fs_agent_getattr (&fs, &fs.itable.root, &st) == EIO);
  CHECK (fs_agent_getattr (&fs, f, &st) == 0 && S_ISREG (st.st_mode));
}

/* An error from the agent is the call's, and changes nothing. */
static void
test_agent_error (void)
{
  struct fuse_entry_param e;
  agent_double_errno (dbl, ENOENT);
  agent_double_next (dbl, AD_FAIL);
  CHECK (fs_agent_lookup (&fs, &fs.itable.root, "gone", &e) == ENOENT);
  agent_double_next (dbl, AD_GARBAGE);
  CHECK (fs_agent_lookup (&fs, &fs.itable.root, "d", &e) == EIO);
}

static bool call_answered, lock_taken_meanwhile;

static void *
take_lock_meanwhile (void *requests_before)
{
  while (agent_double_requests (dbl) == (unsigned) (uintptr_t) requests_before)
    usleep (1000);
  pthread_mutex_lock (&fs.lock);
  lock_taken_meanwhile = !__atomic_load_n (&call_answered, __ATOMIC_SEQ_CST);
  pthread_mutex_unlock (&fs.lock);
  return NULL;
}

/* A call that only looks lets the daemon's lock go until its reply comes
 * (a reply trickled a byte at a time), so another request can go on. */
static void
test_lock_let_go (void)
{
  struct inode *f = itable_find_child (&fs.itable, &fs.itable.root, "f");
  struct stat st;
  pthread_t t;
  agent_double_next (dbl, AD_TRICKLE);
  CHECK (pthread_create (&t, NULL, take_lock_meanwhile,
                         (void *) (uintptr_t) agent_double_requests (dbl)) == 0);
  CHECK (fs_agent_getattr (&fs, f, &st) == 0 && st.st_ino == AD_FILE_INO);
  __atomic_store_n (&call_answered, true, __ATOMIC_SEQ_CST);
  fs_unlock (&fs);   /* had the call kept the lock, the thread waits for it */
  pthread_join (t, NULL);
  fs_lock (&fs);
  CHECK (lock_taken_meanwhile);
}

static bool slow_change_current = true;

static void *
change_slowly (void *unused)
{
  struct stat pst;
  fs_lock (&fs);
  CHECK (fs_agent_remove (&fs, &fs.itable.root, "x1", false, &pst, &slow_change_current) == 0);
  fs_unlock (&fs);
  return NULL;
}

/* A change lets the lock go too; one overlapped by another change may
 * have been made before or after it, so its reply is not to be kept. */
static void
test_change_overlapped (void)
{
  unsigned before = agent_double_requests (dbl);
  struct stat pst;
  bool current;
  pthread_t t;
  agent_double_next (dbl, AD_TRICKLE);
  fs_unlock (&fs);
  CHECK (pthread_create (&t, NULL, change_slowly, NULL) == 0);
  while (agent_double_requests (dbl) == before)
    usleep (1000);
  fs_lock (&fs);   /* the slow change let it go */
  CHECK (fs_agent_remove (&fs, &fs.itable.root, "x2", false, &pst, &current) == 0);
  fs_unlock (&fs);
  pthread_join (t, NULL);
  fs_lock (&fs);
  CHECK (!slow_change_current);
}

static bool first_sent, lock_taken_while_sending;

static void *
send_first (void *file)
{
  struct file_state *s = fs_state_of (file);
  fs_lock (&fs);
  CHECK (wbuf_absorb (&s->wb, "AAAA", 4, 0, WRITE_BUFFER_LIMIT));
  CHECK (fs_flush_inode (&fs, file) == 0);
  first_sent = true;
  fs_unlock (&fs);
  return NULL;
}

/* A file's buffered writes go with the lock let go (a WRITE's reply
 * trickled), and writes of the same file buffered meanwhile wait for
 * them: they reach the guest in the order made. */
static void
test_writes_in_order (void)
{
  struct fuse_entry_param e;
  CHECK (fs_agent_lookup (&fs, &fs.itable.root, "f", &e) == 0);
  struct inode *f = itable_from_nodeid (&fs.itable, e.ino);
  CHECK (last_op () == AGENT_OP_FORGET);   /* the inode holds a handle already */
  unsigned before = agent_double_requests (dbl);
  pthread_t t;
  agent_double_next (dbl, AD_TRICKLE);
  fs_unlock (&fs);
  CHECK (pthread_create (&t, NULL, send_first, f) == 0);
  while (agent_double_requests (dbl) == before)
    usleep (1000);
  fs_lock (&fs);
  lock_taken_while_sending = !first_sent;
  struct file_state *s = fs_state_of (f);
  CHECK (wbuf_absorb (&s->wb, "BBBB", 4, 4, WRITE_BUFFER_LIMIT));
  CHECK (fs_flush_inode (&fs, f) == 0);
  CHECK (first_sent);
  struct agent_header h;
  struct agent_write w;
  char body[512];
  agent_double_last (dbl, &h, body);
  memcpy (&w, body, sizeof w);
  CHECK (h.op == AGENT_OP_WRITE && w.offset == 4);
  fs_unlock (&fs);
  pthread_join (t, NULL);
  fs_lock (&fs);
  CHECK (lock_taken_while_sending);
}

int
main (void)
{
  start ();
  test_lookup_keeps_handle ();
  test_found_by_name ();
  test_name_is_another_object ();
  test_getattr_of_another_object ();
  test_type_changed ();
  test_lock_let_go ();
  test_change_overlapped ();
  test_writes_in_order ();
  test_agent_error ();
  stop ();
  return CHECK_DONE ();
}
