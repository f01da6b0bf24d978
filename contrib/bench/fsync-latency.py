#!/usr/bin/env python3
"""contrib/bench/fsync-latency.py DIR N: N times, writes 4 KB to a new file
in DIR and fsyncs it; prints the median and the p99 (nearest rank) of the
write+fsync durations, in milliseconds."""
import math
import os
import sys
import time


def main():
    directory, samples = sys.argv[1], int(sys.argv[2])
    block = os.urandom(4096)
    times = []
    for i in range(samples):
        fd = os.open(os.path.join(directory, "fsync-%d" % i), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        start = time.perf_counter()
        os.write(fd, block)
        os.fsync(fd)
        times.append((time.perf_counter() - start) * 1000)
        os.close(fd)
    times.sort()
    median = (times[(samples - 1) // 2] + times[samples // 2]) / 2
    p99 = times[max(0, math.ceil(0.99 * samples) - 1)]
    print("%.1f %.1f" % (median, p99))


main()
