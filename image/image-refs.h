/* image-refs.h: the host files an image's header names (backing files,
 * data files, extents), checked before any hypervisor starts.
 *
 * qemu would open such a file on the image's say-so; imgmount refuses the
 * image unless the user named that very file with --backing, and then
 * tells imgmount-hv the exact chain to hand qemu, so that qemu opens those
 * files read-only and nothing else. */
#ifndef IMGMOUNT_IMAGE_REFS_H
#define IMGMOUNT_IMAGE_REFS_H

#include <stdbool.h>
#include <stddef.h>
#include "image/image-header.h"

/* The longest backing chain imgmount follows (image excluded). */
#define IMAGE_REFS_CHAIN_MAX 16

/* Reads the header of IMAGE in FORMAT and of each backing file it allows.
 * A backing file is allowed when it is the same file (device and inode)
 * as one of ALLOWED[0..N_ALLOWED), the --backing paths, after resolving
 * the header's name as qemu does (relative to the naming file's
 * directory); USED[i] is then set.  On success *BACKING_NODE is the JSON
 * of the qemu block node for the image's backing chain ("null" for none;
 * malloc'd).  Returns 0, or -1 with a one-line message in *ERR. */
int image_refs_check (const char *image, const char *format,
                      char *const *allowed, size_t n_allowed, bool *used,
                      char **backing_node, char **err);

/* Reads and parses the header of the image at PATH in FORMAT (its first
 * and last bytes, see image-header.h).  Returns 0, or -1 with a one-line
 * message in *ERR. */
int image_refs_read_header (const char *path, const char *format, struct image_header *hdr,
                            char **err);

/* Every --backing must be named by some image: a path that no image
 * names is a mistake worth reporting.  Returns 0 or -1 with *ERR. */
int image_refs_all_used (char *const *allowed, size_t n_allowed, const bool *used,
                         char **err);

#endif
