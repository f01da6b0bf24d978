/* reply-check.h: the rules every value from the appliance must pass
 * before anything on the host uses it.
 *
 * A hostile image may own the appliance's kernel and choose every byte of
 * every reply.  These predicates are the one statement of what a reply
 * may hold; fsops/guest-calls.c applies them to each libguestfs call the
 * daemon makes, and any future channel to the appliance applies the same.
 * They are pure, so that unit tests and fuzz targets reach them directly. */
#ifndef IMGMOUNT_REPLY_CHECK_H
#define IMGMOUNT_REPLY_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Longest name in a directory, and longest string (path, device, type,
 * label) a reply may carry. */
#define REPLY_NAME_MAX 255
#define REPLY_STRING_MAX 4096

/* Is NAME one entry's name: not empty, at most REPLY_NAME_MAX bytes, no
 * '/', and neither "." nor ".."? */
bool reply_name_ok (const char *name);

/* Is S a string fit to name a device, mountpoint or filesystem type: at
 * most REPLY_STRING_MAX bytes, no control characters (bytes below 0x20,
 * and 0x7f)?  Empty is allowed. */
bool reply_string_ok (const char *s);

/* Is S text of at most REPLY_STRING_MAX bytes, whatever it holds (a label
 * may hold a tab: it is data, escaped wherever it is shown)? */
bool reply_text_ok (const char *s);

/* Is PATH absolute, within REPLY_STRING_MAX, with no control characters?
 * (Devices: "/dev/..."; mountpoints: "/...") */
bool reply_path_ok (const char *path);

/* Is PATH a path within a filesystem, as btrfs names a subvolume ("@",
 * "@/.snapshots/1/snapshot"): relative, every component passing
 * reply_name_ok, within REPLY_STRING_MAX, no control characters? */
bool reply_relative_path_ok (const char *path);

/* The number of strings in the NULL-terminated LIST if each passes
 * reply_path_ok (PATHS) or reply_string_ok; else -1. */
ssize_t reply_list_ok (char *const *list, bool paths);

/* The same for a list of pairs: its length must be even, and the first
 * string of each pair must pass reply_path_ok when FIRST_IS_PATH, the
 * second when SECOND_IS_PATH (reply_string_ok otherwise).  (A device may
 * be a "btrfsvol:..." name, not a path.) */
ssize_t reply_pairs_ok (char *const *list, bool first_is_path, bool second_is_path);

/* Is MODE's file type one of the seven a file can have? */
bool reply_mode_ok (uint32_t mode);

/* Does a timestamp's nanosecond field lie in [0, 1e9)? */
bool reply_nsec_ok (int64_t nsec);

#endif
