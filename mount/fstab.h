/* fstab.h: a guest's /etc/fstab, read as the untrusted image data it is
 * (bounded, no shell, fuzzed), and what each of its lines asks to mount. */
#ifndef IMGMOUNT_FSTAB_H
#define IMGMOUNT_FSTAB_H

#include <stddef.h>

/* Larger texts are refused whole; a real fstab is a few hundred bytes. */
#define FSTAB_MAX_BYTES   (64 * 1024)
#define FSTAB_MAX_ENTRIES 256

/* How the first field names the filesystem. */
enum fstab_spec_kind {
  FSTAB_DEVICE,      /* a /dev path: key is it, /dev/mapper/VG-LV as /dev/VG/LV */
  FSTAB_LABEL,       /* LABEL=X or /dev/disk/by-label/X: key is X */
  FSTAB_UUID,        /* UUID=X or /dev/disk/by-uuid/X: key is X, lower case */
  FSTAB_PARTUUID,    /* PARTUUID=X or /dev/disk/by-partuuid/X, lower case */
  FSTAB_PARTLABEL,   /* PARTLABEL=X or /dev/disk/by-partlabel/X */
  FSTAB_OTHER,       /* anything else (none, tmpfs, host:/export, ...) */
};

struct fstab_entry {
  unsigned line;               /* 1-based line number in the text */
  char *spec;                  /* first field, octal escapes (\040) decoded */
  char *file;                  /* mount point, decoded and normalised: absolute,
                                  no empty, "." or ".." components, no trailing
                                  '/' ("/" itself stays "/") */
  char *vfstype;               /* third field; "auto" when absent */
  char *options;               /* fourth field; "defaults" when absent */
  enum fstab_spec_kind kind;
  char *key;                   /* see fstab_spec_kind; udev's \xNN decoded */
  char *subvol;                /* btrfs subvol= value (leading '/' dropped), or NULL */
  const char *skip;            /* NULL to mount it, or why not, as a phrase:
                                  "swap", "noauto", "a network filesystem",
                                  "a bind mount", "a pseudo filesystem",
                                  "not a mount point", "a malformed line" */
};

struct fstab {
  struct fstab_entry *entries;   /* in the text's order */
  size_t n;
};

/* Parses LEN bytes of TEXT (not NUL-terminated, may hold any bytes).
 * Blank lines and '#' comments are ignored; fields are separated by runs
 * of blanks.  Returns 0, or -1 with a one-line reason in *ERR when the text
 * is over FSTAB_MAX_BYTES, holds a NUL byte, or has more than
 * FSTAB_MAX_ENTRIES entries; *OUT is then empty. */
int fstab_parse (const char *text, size_t len, struct fstab *out, char **err);

void fstab_free (struct fstab *fstab);

/* The LVM volume that device-mapper names NAME ("VG-LV", a '-' inside
 * either doubled) as "/dev/VG/LV" (malloc'd), or NULL when NAME is no
 * such pair: "control", a LUKS mapping's "luks-UUID", a layer's
 * "VG-LV-real". */
char *fstab_lvm_name (const char *name);

/* A value as blkid -o export prints it (guestfs_blkid's and the agent's
 * DEVICES's): a backslash before a space and a few other characters, and
 * "M-" and "^" for bytes above 127 and control characters, decoded
 * (malloc'd).  The form is ambiguous (a label may hold "M-" itself), so
 * callers compare both.  Why: an fstab names a label with a space as
 * LABEL=my\040data, which fstab_parse decodes to "my data", while blkid
 * says "my\ data". */
char *fstab_blkid_decode (const char *value);

#endif
