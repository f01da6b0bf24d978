/* reply-check.c: what a reply from the appliance may hold (see the
 * header). */
#include <string.h>
#include <sys/stat.h>
#include "common/reply-check.h"

bool
reply_name_ok (const char *name)
{
  size_t len = strnlen (name, REPLY_NAME_MAX + 1);
  if (len == 0 || len > REPLY_NAME_MAX || memchr (name, '/', len))
    return false;
  return strcmp (name, ".") != 0 && strcmp (name, "..") != 0;
}

bool
reply_string_ok (const char *s)
{
  size_t len = strnlen (s, REPLY_STRING_MAX + 1);
  if (len > REPLY_STRING_MAX)
    return false;
  for (size_t k = 0; k < len; k++)
    if ((unsigned char) s[k] < 0x20 || s[k] == 0x7f)
      return false;
  return true;
}

bool
reply_text_ok (const char *s)
{
  return strnlen (s, REPLY_STRING_MAX + 1) <= REPLY_STRING_MAX;
}

bool
reply_path_ok (const char *path)
{
  return path[0] == '/' && reply_string_ok (path);
}

bool
reply_relative_path_ok (const char *path)
{
  if (!reply_string_ok (path) || !*path)
    return false;
  for (const char *p = path;;) {
    size_t len = strcspn (p, "/");
    char name[REPLY_NAME_MAX + 1];
    if (len == 0 || len > REPLY_NAME_MAX)
      return false;
    memcpy (name, p, len);
    name[len] = '\0';
    if (!reply_name_ok (name))
      return false;
    if (!p[len])
      return true;
    p += len + 1;
  }
}

static ssize_t
count_strings (char *const *list)
{
  ssize_t n = 0;
  while (list[n])
    n++;
  return n;
}

ssize_t
reply_pairs_ok (char *const *list, bool first_is_path, bool second_is_path)
{
  ssize_t n = count_strings (list);
  if (n % 2)
    return -1;
  for (ssize_t k = 0; k < n; k++) {
    bool path = k % 2 ? second_is_path : first_is_path;
    if (!(path ? reply_path_ok (list[k]) : reply_string_ok (list[k])))
      return -1;
  }
  return n;
}

ssize_t
reply_list_ok (char *const *list, bool paths)
{
  ssize_t n = count_strings (list);
  for (ssize_t k = 0; k < n; k++)
    if (!(paths ? reply_path_ok (list[k]) : reply_string_ok (list[k])))
      return -1;
  return n;
}

bool
reply_mode_ok (uint32_t mode)
{
  switch (mode & S_IFMT) {
  case S_IFREG: case S_IFDIR: case S_IFLNK: case S_IFCHR:
  case S_IFBLK: case S_IFIFO: case S_IFSOCK:
    return (mode & ~(uint32_t) (S_IFMT | 07777)) == 0;
  default:
    return false;
  }
}

bool
reply_nsec_ok (int64_t nsec)
{
  return nsec >= 0 && nsec < 1000000000;
}
