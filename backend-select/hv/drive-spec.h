/* drive-spec.h: reading and editing qemu option strings such as
 * "file=/a,,b.img,cache=writeback,format=raw,id=hd0,if=none", where a
 * doubled comma stands for a comma inside a value. */
#ifndef IMGMOUNT_DRIVE_SPEC_H
#define IMGMOUNT_DRIVE_SPEC_H

/* The value of KEY in SPEC, unescaped and malloc'd, or NULL when absent. */
char *drive_spec_get (const char *spec, const char *key);

/* A malloc'd copy of SPEC with KEY set to VALUE (replaced where present,
 * else appended); commas in VALUE are escaped. */
char *drive_spec_set (const char *spec, const char *key, const char *value);

/* A malloc'd copy of SPEC without KEY. */
char *drive_spec_remove (const char *spec, const char *key);

/* A malloc'd copy of VALUE with each comma doubled. */
char *drive_spec_escape (const char *value);

#endif
