/* message.h: building the one-line messages imgmount reports. */
#ifndef IMGMOUNT_MESSAGE_H
#define IMGMOUNT_MESSAGE_H

/* Sets *ERR (unless ERR is NULL) to a malloc'd formatted message and
 * returns -1, so that a failing function can end with
 * "return error_set (err, ...);". */
int error_set (char **err, const char *fmt, ...)
  __attribute__ ((format (printf, 2, 3)));

#endif
