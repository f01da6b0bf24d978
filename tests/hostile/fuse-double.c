/* fuse-double.c: libfuse's request and reply functions as a test sees
 * them (see appliance-double.h).  libfuse's own fuse_add_direntry{,_plus}
 * still format directory listings: they do not look at the request. */
#include <stdlib.h>
#include <string.h>
#include "tests/hostile/appliance-double.h"

void
double_request (struct fuse_req *req, void *userdata)
{
  memset (req, 0, sizeof *req);
  req->userdata = userdata;
}

void
double_request_done (struct fuse_req *req)
{
  free (req->buf);
  req->buf = NULL;
}

static int
reply (fuse_req_t req, enum reply_type type)
{
  req->replies++;
  req->type = type;
  return 0;
}

void *
fuse_req_userdata (fuse_req_t req)
{
  return req->userdata;
}

const struct fuse_ctx *
fuse_req_ctx (fuse_req_t req)
{
  return &req->ctx;
}

int
fuse_reply_err (fuse_req_t req, int err)
{
  req->err = err;
  return reply (req, FUSE_REPLY_ERR);
}

void
fuse_reply_none (fuse_req_t req)
{
  reply (req, FUSE_REPLY_NONE);
}

int
fuse_reply_entry (fuse_req_t req, const struct fuse_entry_param *e)
{
  req->entry = *e;
  return reply (req, FUSE_REPLY_ENTRY);
}

int
fuse_reply_create (fuse_req_t req, const struct fuse_entry_param *e,
                   const struct fuse_file_info *fi)
{
  req->entry = *e;
  req->fi = *fi;
  return reply (req, FUSE_REPLY_CREATE);
}

int
fuse_reply_attr (fuse_req_t req, const struct stat *attr, double attr_timeout)
{
  req->attr = *attr;
  return reply (req, FUSE_REPLY_ATTR);
}

static void
keep (fuse_req_t req, const char *data, size_t len)
{
  free (req->buf);
  req->buf = malloc (len + 1);
  if (!req->buf)
    abort ();
  if (len)   /* an empty reply's DATA may be NULL, as libfuse allows */
    memcpy (req->buf, data, len);
  req->buf[len] = '\0';
  req->len = len;
}

int
fuse_reply_readlink (fuse_req_t req, const char *link)
{
  keep (req, link, strlen (link));
  return reply (req, FUSE_REPLY_READLINK);
}

int
fuse_reply_open (fuse_req_t req, const struct fuse_file_info *fi)
{
  req->fi = *fi;
  return reply (req, FUSE_REPLY_OPEN);
}

int
fuse_reply_write (fuse_req_t req, size_t count)
{
  req->count = count;
  return reply (req, FUSE_REPLY_WRITE);
}

int
fuse_reply_buf (fuse_req_t req, const char *buf, size_t size)
{
  keep (req, buf, size);
  return reply (req, FUSE_REPLY_BUF);
}

int
fuse_reply_statfs (fuse_req_t req, const struct statvfs *stbuf)
{
  req->statfs = *stbuf;
  return reply (req, FUSE_REPLY_STATFS);
}

int
fuse_reply_xattr (fuse_req_t req, size_t count)
{
  req->count = count;
  return reply (req, FUSE_REPLY_XATTR);
}
