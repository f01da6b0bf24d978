/* test-acl-xattr.c: the POSIX ACL xattr format to ACL text. */
#include <errno.h>
#include "fsops/acl-xattr.h"
#include "check.h"

int
main (void)
{
  /* What setfacl -m u:1000:rw sends for a 0644 file. */
  static const unsigned char acl[] = {
    2, 0, 0, 0,
    0x01, 0, 6, 0, 0xff, 0xff, 0xff, 0xff,
    0x02, 0, 6, 0, 0xe8, 0x03, 0, 0,
    0x04, 0, 4, 0, 0xff, 0xff, 0xff, 0xff,
    0x10, 0, 6, 0, 0xff, 0xff, 0xff, 0xff,
    0x20, 0, 4, 0, 0xff, 0xff, 0xff, 0xff,
  };
  int e = 0;
  char *text = acl_xattr_to_text (acl, sizeof acl, &e);
  CHECK_STR (text, "u::rw-,u:1000:rw-,g::r--,m::rw-,o::r--");
  free (text);

  static const unsigned char group[] = { 2, 0, 0, 0, 0x08, 0, 7, 0, 0x39, 0x30, 0, 0 };
  text = acl_xattr_to_text (group, sizeof group, &e);
  CHECK_STR (text, "g:12345:rwx");
  free (text);

  text = acl_xattr_to_text (acl, 4, &e);           /* header only: empty */
  CHECK_STR (text, "");
  free (text);

  CHECK (acl_xattr_to_text (acl, 3, &e) == NULL && e == EINVAL);
  CHECK (acl_xattr_to_text (acl, 11, &e) == NULL && e == EINVAL);
  static const unsigned char v1[] = { 1, 0, 0, 0 };
  CHECK (acl_xattr_to_text (v1, 4, &e) == NULL && e == EOPNOTSUPP);
  static const unsigned char badtag[] = { 2, 0, 0, 0, 0x40, 0, 7, 0, 0, 0, 0, 0 };
  CHECK (acl_xattr_to_text (badtag, sizeof badtag, &e) == NULL && e == EINVAL);
  static const unsigned char badperm[] = { 2, 0, 0, 0, 0x01, 0, 8, 0, 0, 0, 0, 0 };
  CHECK (acl_xattr_to_text (badperm, sizeof badperm, &e) == NULL && e == EINVAL);
  return CHECK_DONE ();
}
