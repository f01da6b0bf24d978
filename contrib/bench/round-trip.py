#!/usr/bin/env python3
"""contrib/bench/round-trip.py DIR N: the cost of one call through the mount
that the kernel never answers from its caches: getxattr(2) of a user
attribute, which a FUSE daemon must ask its back end for (for imgmount, one
agent round trip that does one syscall in the guest; for guestmount, one
guestfsd call).  Sets the attribute on up to 32 files of DIR (a tree), then
prints two figures in milliseconds: the median of N getxattr calls made one
at a time, and the time per call when 32 threads make N calls each on
files of their own (wall time over 32 * N)."""
import os
import sys
import threading
import time

NAME = "user.imgmount-bench"
THREADS = 32


def files_of(directory):
    found = []
    for root, _, names in os.walk(directory):
        for name in sorted(names):
            path = os.path.join(root, name)
            if os.path.isfile(path) and not os.path.islink(path):
                found.append(path)
                if len(found) == THREADS:
                    return found
    return found


def main():
    directory, n = sys.argv[1], int(sys.argv[2])
    files = files_of(directory)
    if not files:
        sys.exit("round-trip.py: no file under " + directory)
    for path in files:
        os.setxattr(path, NAME, b"x")
    times = []
    for _ in range(n):
        start = time.perf_counter()
        os.getxattr(files[0], NAME)
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    median = (times[(n - 1) // 2] + times[n // 2]) / 2

    def worker(path):
        for _ in range(n):
            os.getxattr(path, NAME)
    threads = [threading.Thread(target=worker, args=(files[k % len(files)],)) for k in range(THREADS)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    parallel = (time.perf_counter() - start) * 1000 / (THREADS * n)
    print("%.3f %.3f" % (median, parallel))


main()
