/* guest-calls.h: every libguestfs call the daemon makes once the
 * appliance runs (to list, inspect and mount; the file operations go to
 * imgmount-agent), each reply checked before anything else sees it.
 *
 * The appliance is hostile (a crafted image may own its kernel), and
 * libguestfs 1.48's client stubs check neither a buffer's length against
 * the count asked for nor the shape of a list.  So fsops and the mount code
 * call these, never libguestfs directly (tests/lint-guest-calls.sh holds
 * them to it): each returns 0 or a positive errno, and a reply that breaks
 * a rule of common/reply-check.h fails with EIO and is logged once per
 * call.  tests/unit/test-hostile-appliance.c and the fuzz target
 * fuzz-guest-replies link them against a hostile stand-in for libguestfs. */
#ifndef IMGMOUNT_GUEST_CALLS_H
#define IMGMOUNT_GUEST_CALLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <guestfs.h>

/* The errno for the call that just failed. */
int guest_errno (guestfs_h *g);

/* The first line of what libguestfs said last, for imgmount's one-line
 * errors: some of its messages go on with paragraphs of advice, and a
 * failed mount inside the appliance brings mount(8)'s two lines.  Made
 * printable (common/printable.h): much of it is guestfsd's text, the
 * appliance's words.  Valid until the next call in this thread. */
const char *guest_last_error (guestfs_h *g);

/* A reply broke the rules: logs WHY once per CALL and returns EIO. */
int guest_reject (const char *call, const char *why);

/* Attributes. */
int guest_lstat (guestfs_h *g, const char *path, struct stat *st);
/* Stats DIR/NAMES[k] for k < N into ST[k]; PRESENT[k] is false where that
 * name could not be statted (it went). */
int guest_lstat_list (guestfs_h *g, const char *dir, char *const *names, size_t n,
                      struct stat *st, bool *present);

/* Data.  *GOT <= COUNT, read into BUF. */
int guest_pread (guestfs_h *g, const char *path, char *buf, size_t count, int64_t off,
                 size_t *got);
int guest_pread_device (guestfs_h *g, const char *device, char *buf, size_t count,
                        int64_t off, size_t *got);

/* Devices and filesystems.  Lists are NULL-terminated; *N counts their
 * strings.  Pairs: device (a path), type, for list_filesystems; mountpoint
 * (a path), device (a path) for the mountpoints calls, as libguestfs
 * orders them. */
int guest_list_filesystems (guestfs_h *g, char ***pairs, size_t *n);
int guest_mountpoints (guestfs_h *g, char ***pairs, size_t *n);
int guest_inspect_mountpoints (guestfs_h *g, const char *root, char ***pairs, size_t *n);
/* Lists of device paths. */
int guest_list_devices (guestfs_h *g, char ***list);
int guest_list_partitions (guestfs_h *g, char ***list);
/* LVM's logical volumes, /dev/VG/LV. */
int guest_lvs (guestfs_h *g, char ***list);
int guest_inspect_os (guestfs_h *g, char ***roots);
/* One string each: reply_string_ok for a type, reply_path_ok for a
 * device, reply_text_ok for a label. */
int guest_vfs_type (guestfs_h *g, const char *device, char **type);
int guest_vfs_label (guestfs_h *g, const char *device, char **label);
/* blkid's KEY, value pairs for DEVICE (LABEL, UUID, PART_ENTRY_UUID, ...),
 * each string printable. */
int guest_blkid (guestfs_h *g, const char *device, char ***pairs, size_t *n);
int guest_part_to_dev (guestfs_h *g, const char *partition, char **device);
/* *SIZE >= 0. */
int guest_blockdev_size (guestfs_h *g, const char *device, int64_t *size);
/* *ANSWER: 0 or 1. */
int guest_is_blockdev (guestfs_h *g, const char *device, int *answer);
int guest_is_lv (guestfs_h *g, const char *device, int *answer);
/* The subvolumes of the btrfs filesystem on DEVICE, as paths within it
 * ("@", "@/snap": reply_relative_path_ok), all but the default one, which
 * mounting DEVICE itself reaches. */
int guest_btrfs_subvolumes (guestfs_h *g, const char *device, char ***paths);
int guest_mount (guestfs_h *g, const char *options, const char *fstype,
                 const char *device, const char *mountpoint);
int guest_umount_all (guestfs_h *g);

#endif
