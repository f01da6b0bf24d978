/* target.h: what a fuzz target (tests/fuzz/fuzz-NAME.c) includes: the
 * libFuzzer entry point it defines, reading its input as a stream of typed
 * values (input.c), and the check that turns a broken invariant into a
 * crash libFuzzer records.  Reads past the end yield zeros (and empty
 * strings), so that every input is a valid program for a target however
 * short it is. */
#ifndef IMGMOUNT_FUZZ_TARGET_H
#define IMGMOUNT_FUZZ_TARGET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Each target defines this; it runs once per input. */
int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);
/* init.c defines this for all targets; libFuzzer calls it once. */
int LLVMFuzzerInitialize (int *argc, char ***argv);

struct fuzz_input {
  const uint8_t *data;
  size_t left;
};

struct fuzz_input fuzz_input (const uint8_t *data, size_t size);
bool fuzz_done (const struct fuzz_input *in);
uint8_t fuzz_u8 (struct fuzz_input *in);
uint16_t fuzz_u16 (struct fuzz_input *in);      /* little-endian */
uint32_t fuzz_u32 (struct fuzz_input *in);
uint64_t fuzz_u64 (struct fuzz_input *in);
/* Copies up to MAX bytes into OUT; returns how many there were. */
size_t fuzz_bytes (struct fuzz_input *in, void *out, size_t max);
/* The bytes up to the next NUL (consumed) or the end, as a malloc'd
 * string. */
char *fuzz_string (struct fuzz_input *in);

/* Aborts with a message unless COND holds: what a target checks beyond
 * "no sanitizer report". */
#define FUZZ_CHECK(cond) \
  ((cond) ? (void) 0 : fuzz_check_failed (__FILE__, __LINE__, #cond))
void fuzz_check_failed (const char *file, int line, const char *cond)
  __attribute__ ((noreturn));

#endif
