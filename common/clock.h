/* clock.h: seconds on the monotonic clock, for time limits. */
#ifndef IMGMOUNT_CLOCK_H
#define IMGMOUNT_CLOCK_H

#include <time.h>

static inline double
monotonic_seconds (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

#endif
