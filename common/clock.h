/* clock.h: seconds on the monotonic clock, for time limits. */
#ifndef IMGMOUNT_CLOCK_H
#define IMGMOUNT_CLOCK_H

#include <stdint.h>
#include <time.h>

static inline double
monotonic_seconds (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

/* The same clock in whole milliseconds, for deadlines counted in them. */
static inline int64_t
monotonic_ms (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

#endif
