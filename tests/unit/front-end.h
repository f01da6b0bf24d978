/* front-end.h: what a test playing the vhost-user front-end needs, for
 * tests/unit/test-vhost-user.c and tests/fuzz/fuzz-vhost-user.c: sending
 * bytes with fds attached (SCM_RIGHTS), and counting this process's open
 * fds, to show that the back-end closed every one it did not keep. */
#ifndef IMGMOUNT_TEST_FRONT_END_H
#define IMGMOUNT_TEST_FRONT_END_H

#include <dirent.h>
#include <string.h>
#include <sys/socket.h>

#define FRONT_END_MAX_FDS 16

/* Sends LEN bytes of BUF on SOCK with NFDS (at most FRONT_END_MAX_FDS) fds
 * attached to the first byte; returns what sendmsg returns. */
static inline ssize_t
send_with_fds (int sock, const void *buf, size_t len, const int *fds, int nfds)
{
  char cbuf[CMSG_SPACE (FRONT_END_MAX_FDS * sizeof (int))];
  struct iovec iov = { (void *) buf, len };
  struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
  if (nfds > 0) {
    memset (cbuf, 0, sizeof cbuf);
    mh.msg_control = cbuf;
    mh.msg_controllen = CMSG_SPACE (nfds * sizeof (int));
    struct cmsghdr *cm = CMSG_FIRSTHDR (&mh);
    cm->cmsg_level = SOL_SOCKET;
    cm->cmsg_type = SCM_RIGHTS;
    cm->cmsg_len = CMSG_LEN (nfds * sizeof (int));
    memcpy (CMSG_DATA (cm), fds, nfds * sizeof (int));
  }
  return sendmsg (sock, &mh, MSG_NOSIGNAL);
}

/* The number of open fds, or -1. */
static inline int
count_open_fds (void)
{
  DIR *d = opendir ("/proc/self/fd");
  int n = 0;
  if (!d)
    return -1;
  while (readdir (d))
    n++;
  closedir (d);
  return n;
}

#endif
