/* test-agent-handles.c: fsops-handles.c, the inode table's handles at
 * imgmount-agent, against the agent double (tests/hostile/agent-double.h).
 *
 * Why: the client checks each reply on its own; only the inode table
 * knows which object a name must be.  An agent that answers a name with
 * another object's identity, or a handle with another object's
 * attributes, must fail the call with EIO and leave no reference behind
 * (a FORGET for the one it handed out), whatever it sends. */
#include <errno.h>
#include <sys/socket.h>
#include <unistd.h>
#include "fsops/fsops-internal.h"
#include "tests/hostile/agent-double.h"
#include "tests/unit/check.h"

#define AD_DIR_INO 14
#define AD_LINK_INO 13

static struct fs fs;
static struct agent_double *dbl;

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
  fs.g = (guestfs_h *) (intptr_t) sv[0];   /* the host's end, to close */
  fs.timeout = 1;
  itable_init (&fs.itable, free_state);
  itable_set_root (&fs.itable, AD_DEV, AD_ROOT_INO);
}

static void
stop (void)
{
  struct agent_conn *c = fs.agent;
  fs.agent = NULL;
  itable_destroy (&fs.itable);
  agent_disconnect (c);
  close ((int) (intptr_t) fs.g);
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
  CHECK (fs_agent_lookup (&fs, &fs.itable.root, "f", &st, &e) == 0);
  struct inode *f = itable_from_nodeid (&fs.itable, e.ino);
  CHECK (f->ino == AD_FILE_INO && ((struct file_state *) f->data)->handle == AD_FILE_HANDLE);
  /* A second lookup gives its reference back: the inode holds one. */
  CHECK (fs_agent_lookup (&fs, &fs.itable.root, "f", &st, &e) == 0);
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
  CHECK (fs_agent_lookup (&fs, &fs.itable.root, "f", &st, &e) == 0);
  struct inode *f = itable_from_nodeid (&fs.itable, e.ino);
  agent_double_next (dbl, AD_NOT_FILE);
  CHECK (fs_agent_getattr (&fs, f, &st) == EIO);
  agent_double_next (dbl, AD_NOT_FILE);
  CHECK (fs_agent_lookup (&fs, &fs.itable.root, "f", &st, &e) == EIO);
  CHECK (last_op () == AGENT_OP_FORGET);
  agent_double_next (dbl, AD_NOT_DIR);
  CHECK (fs_agent_getattr (&fs, &fs.itable.root, &st) == EIO);
  CHECK (fs_agent_getattr (&fs, f, &st) == 0 && S_ISREG (st.st_mode));
}

/* An error from the agent is the call's, and changes nothing. */
static void
test_agent_error (void)
{
  struct stat st;
  struct fuse_entry_param e;
  agent_double_errno (dbl, ENOENT);
  agent_double_next (dbl, AD_FAIL);
  CHECK (fs_agent_lookup (&fs, &fs.itable.root, "gone", &st, &e) == ENOENT);
  agent_double_next (dbl, AD_GARBAGE);
  CHECK (fs_agent_lookup (&fs, &fs.itable.root, "d", &st, &e) == EIO);
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
  test_agent_error ();
  stop ();
  return CHECK_DONE ();
}
