/* failing-fs.c: a test helper: a FUSE filesystem that passes its files
 * through to a directory until told to behave like a failing disk.
 *
 *   failing-fs DIRECTORY MOUNTPOINT
 *
 * It stays in the foreground and serves the regular files directly in
 * DIRECTORY (enough for a disk image) until unmounted.  After SIGUSR1,
 * every write and every fsync fails with EIO, as on a disk that refuses
 * writes; after SIGUSR2, only fsync does, as when data the host page cache
 * took cannot be written back.  Reads go on working in both cases.
 * tests/integration/79-host-eio puts an image on it. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fuse.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int dir_fd = -1;
static volatile sig_atomic_t writes_fail, syncs_fail;

static void
on_signal (int sig)
{
  if (sig == SIGUSR1)
    writes_fail = 1;
  syncs_fail = 1;
}

/* PATH as the kernel gives it ("/name"), relative to DIRECTORY. */
static const char *
relative (const char *path)
{
  return path[1] ? path + 1 : ".";
}

static int
ff_getattr (const char *path, struct stat *st, struct fuse_file_info *fi)
{
  int r = fi ? fstat ((int) fi->fh, st) : fstatat (dir_fd, relative (path), st, AT_SYMLINK_NOFOLLOW);
  return r == -1 ? -errno : 0;
}

static int
ff_readdir (const char *path, void *buf, fuse_fill_dir_t fill, off_t off,
            struct fuse_file_info *fi, enum fuse_readdir_flags flags)
{
  if (strcmp (path, "/") != 0)
    return -ENOENT;
  DIR *d = fdopendir (dup (dir_fd));
  if (!d)
    return -errno;
  rewinddir (d);
  for (struct dirent *e; (e = readdir (d)) != NULL; )
    fill (buf, e->d_name, NULL, 0, 0);
  closedir (d);
  return 0;
}

static int
ff_open (const char *path, struct fuse_file_info *fi)
{
  int fd = openat (dir_fd, relative (path), fi->flags & ~O_NOFOLLOW);
  if (fd == -1)
    return -errno;
  fi->fh = (uint64_t) fd;
  return 0;
}

static int
ff_read (const char *path, char *buf, size_t size, off_t off, struct fuse_file_info *fi)
{
  ssize_t n = pread ((int) fi->fh, buf, size, off);
  return n == -1 ? -errno : (int) n;
}

static int
ff_write (const char *path, const char *buf, size_t size, off_t off, struct fuse_file_info *fi)
{
  if (writes_fail)
    return -EIO;
  ssize_t n = pwrite ((int) fi->fh, buf, size, off);
  return n == -1 ? -errno : (int) n;
}

static int
ff_fsync (const char *path, int datasync, struct fuse_file_info *fi)
{
  if (syncs_fail)
    return -EIO;
  return (datasync ? fdatasync ((int) fi->fh) : fsync ((int) fi->fh)) == -1 ? -errno : 0;
}

static int
ff_truncate (const char *path, off_t size, struct fuse_file_info *fi)
{
  if (writes_fail)
    return -EIO;
  int r;
  if (fi)
    r = ftruncate ((int) fi->fh, size);
  else {
    int fd = openat (dir_fd, relative (path), O_WRONLY);
    r = fd == -1 ? -1 : ftruncate (fd, size);
    if (fd != -1)
      close (fd);
  }
  return r == -1 ? -errno : 0;
}

static int
ff_fallocate (const char *path, int mode, off_t off, off_t len, struct fuse_file_info *fi)
{
  if (writes_fail)
    return -EIO;
  return fallocate ((int) fi->fh, mode, off, len) == -1 ? -errno : 0;
}

static int
ff_release (const char *path, struct fuse_file_info *fi)
{
  close ((int) fi->fh);
  return 0;
}

static int
ff_statfs (const char *path, struct statvfs *sv)
{
  return fstatvfs (dir_fd, sv) == -1 ? -errno : 0;
}

static const struct fuse_operations operations = {
  .getattr = ff_getattr,
  .readdir = ff_readdir,
  .open = ff_open,
  .read = ff_read,
  .write = ff_write,
  .fsync = ff_fsync,
  .truncate = ff_truncate,
  .fallocate = ff_fallocate,
  .release = ff_release,
  .statfs = ff_statfs,
};

int
main (int argc, char **argv)
{
  if (argc != 3) {
    fprintf (stderr, "usage: failing-fs DIRECTORY MOUNTPOINT\n");
    return 2;
  }
  dir_fd = open (argv[1], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd == -1) {
    fprintf (stderr, "failing-fs: %s: %s\n", argv[1], strerror (errno));
    return 1;
  }
  struct sigaction sa = { .sa_handler = on_signal };
  sigaction (SIGUSR1, &sa, NULL);
  sigaction (SIGUSR2, &sa, NULL);
  /* Single-threaded and in the foreground; allow_other: the hypervisor
   * may run as another user. */
  char *fuse_argv[] = { argv[0], "-f", "-s", "-o", "allow_other,fsname=failing-fs",
                        argv[2], NULL };
  return fuse_main (6, fuse_argv, &operations, NULL);
}
