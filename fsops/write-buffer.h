/* write-buffer.h: coalescing of small writes into large appliance writes.
 *
 * Every appliance call is a round trip through the hypervisor, so the
 * kernel's writes (128 KiB to 1 MiB each) are gathered per file into one
 * contiguous range and sent in large pieces.  The buffer only ever holds
 * one contiguous range: a write that does not touch it asks for a flush
 * first.  A failed flush keeps its errno for the next write, fsync or
 * close of that file, so that an error is never dropped. */
#ifndef IMGMOUNT_WRITE_BUFFER_H
#define IMGMOUNT_WRITE_BUFFER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct write_buffer {
  int64_t offset;   /* file offset of data[0] */
  size_t len;       /* bytes held */
  size_t cap;       /* bytes allocated */
  char *data;
  int error;        /* errno of a failed flush not yet reported, or 0 */
};

/* Copies SIZE bytes written at OFF into the buffer when they overlap or
 * directly extend what it holds (or it is empty) and the result stays
 * within LIMIT bytes.  Returns true when absorbed, false when the caller
 * must flush first (or write directly when SIZE alone exceeds LIMIT). */
bool wbuf_absorb (struct write_buffer *wb, const char *buf, size_t size,
                  int64_t off, size_t limit);

/* The end offset of the buffered range, 0 when empty. */
int64_t wbuf_end (const struct write_buffer *wb);

/* Empties the buffer after its data has been written (or has failed). */
void wbuf_clear (struct write_buffer *wb);

/* Moves the held range out, to be sent while the buffer takes new writes:
 * *DATA (the caller's to free), *LEN and *OFFSET.  The buffer is left
 * empty, without memory, its pending error kept. */
void wbuf_detach (struct write_buffer *wb, char **data, size_t *len, int64_t *offset);

/* Drops what lies at or beyond SIZE, for a truncate. */
void wbuf_truncate (struct write_buffer *wb, int64_t size);

/* Gives back the memory of an empty buffer, keeping its pending error: a
 * file nobody has open would otherwise hold its largest buffer until the
 * kernel forgets it.  Does nothing while data is held. */
void wbuf_trim (struct write_buffer *wb);

/* Takes and clears the pending error: 0 if none. */
int wbuf_take_error (struct write_buffer *wb);

void wbuf_free (struct write_buffer *wb);

#endif
