/* programs.h: finding imgmount's helper programs (imgmount-hv,
 * imgmount-console): beside the running executable, as in a build tree,
 * else where meson installs them. */
#ifndef IMGMOUNT_PROGRAMS_H
#define IMGMOUNT_PROGRAMS_H

/* The malloc'd path of helper program NAME. */
char *helper_program (const char *name);

#endif
