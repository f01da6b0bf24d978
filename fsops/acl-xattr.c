/* acl-xattr.c: decoding the kernel's POSIX ACL xattr format, which is a
 * little-endian 4-byte version (2) followed by 8-byte entries of
 * tag (16 bits), permissions (16 bits) and id (32 bits). */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fsops/acl-xattr.h"
#include "common/xalloc.h"

#define ACL_XATTR_VERSION 2

static uint32_t
le32 (const unsigned char *p)
{
  return (uint32_t) p[0] | (uint32_t) p[1] << 8 | (uint32_t) p[2] << 16 | (uint32_t) p[3] << 24;
}

static uint16_t
le16 (const unsigned char *p)
{
  return (uint16_t) (p[0] | p[1] << 8);
}

char *
acl_xattr_to_text (const void *value, size_t size, int *err)
{
  const unsigned char *p = value;
  if (size < 4 || (size - 4) % 8 != 0) {
    *err = EINVAL;
    return NULL;
  }
  if (le32 (p) != ACL_XATTR_VERSION) {
    *err = EOPNOTSUPP;
    return NULL;
  }
  size_t n = (size - 4) / 8;
  /* "u:4294967295:rwx," is the longest entry: 17 bytes. */
  char *text = xmalloc (n * 18 + 1), *out = text;
  *out = '\0';
  for (size_t k = 0; k < n; k++) {
    const unsigned char *e = p + 4 + 8 * k;
    uint16_t tag = le16 (e), perm = le16 (e + 2);
    uint32_t id = le32 (e + 4);
    const char *kind;
    int with_id = 0;
    switch (tag) {
    case 0x01: kind = "u"; break;
    case 0x02: kind = "u"; with_id = 1; break;
    case 0x04: kind = "g"; break;
    case 0x08: kind = "g"; with_id = 1; break;
    case 0x10: kind = "m"; break;
    case 0x20: kind = "o"; break;
    default:
      free (text);
      *err = EINVAL;
      return NULL;
    }
    if (perm & ~7u) {
      free (text);
      *err = EINVAL;
      return NULL;
    }
    char idbuf[16] = "";
    if (with_id)
      snprintf (idbuf, sizeof idbuf, "%u", id);
    out += sprintf (out, "%s%s:%s:%c%c%c", k ? "," : "", kind, idbuf,
                    perm & 4 ? 'r' : '-', perm & 2 ? 'w' : '-', perm & 1 ? 'x' : '-');
  }
  return text;
}
