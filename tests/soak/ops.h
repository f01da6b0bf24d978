/* ops.h: the random operations of one soak worker.  A worker owns the
 * subtree t<ID> of the soak directory, so that its model is exact, and
 * shares one file with the other workers under a lock held across each
 * system call on it, so that the shared file's model is exact too. */
#ifndef SOAK_OPS_H
#define SOAK_OPS_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include "model.h"

enum op {
  OP_CREATE, OP_WRITE, OP_READ, OP_TRUNCATE, OP_RENAME, OP_UNLINK, OP_MKDIR,
  OP_RMDIR, OP_READDIR, OP_STAT, OP_FSYNC, OP_REOPEN, OP_SHARED_WRITE,
  OP_SHARED_READ, OP_CHMOD, OP_FINAL_CHECK, OP_COUNT
};

struct shared_file {
  pthread_mutex_t lock;
  struct model model;   /* its one entry */
};

struct worker {
  int id;
  int base;                     /* the soak directory */
  const char *base_path;
  uint64_t rng;
  struct model model;
  struct shared_file *shared;
  int shared_fd;                /* this worker's own descriptor of it */
  unsigned next_name;
  unsigned char *wbuf, *rbuf;   /* scratch, IO_MAX bytes each */
  unsigned long counts[OP_COUNT];
  double max_latency;
  enum op max_latency_op;
  /* For the stall watchdog: when the running operation started (ns on the
   * monotonic clock, 0 between operations) and which one it is. */
  _Atomic uint64_t op_started_ns;
  _Atomic int op_running;
  _Atomic int finished;         /* the worker's thread is done */
  char error[512];              /* the first failure, for the summary */
};

/* The largest single read or write. */
#define IO_MAX (3u << 20)

const char *op_name (enum op op);
uint64_t now_ns (void);

int worker_init (struct worker *w);
/* Runs one random operation and checks its outcome.  0, or -1 with
 * w->error set. */
int worker_step (struct worker *w);
/* Closes everything and re-reads every file and directory of the worker
 * against the model. */
int worker_final_check (struct worker *w);
/* The same for the shared file; call once, after the workers stopped. */
int shared_final_check (struct worker *w);
void worker_free (struct worker *w);

#endif
