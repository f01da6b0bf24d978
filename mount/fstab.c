/* fstab.c: a guest's /etc/fstab, read as util-linux's libmount reads it
 * for mount(8), and what each of its lines asks to mount (see fstab.h).
 *
 * The text comes from the image, so it is hostile: it is refused whole
 * when too large or holding a NUL byte, every field is bounded, and
 * nothing in it is resolved (no "..", no symbolic link, no lookup of a
 * device), only rewritten.  A line that cannot be understood becomes an
 * entry skipped as "a malformed line" rather than an error, as mount -a
 * goes on past it. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include "mount/fstab.h"
#include "common/message.h"
#include "common/xalloc.h"

/* Longer fields make their line malformed; PATH_MAX is 4096. */
#define FIELD_MAX 4096

/* spec, file, vfstype, options: fields past these (freq and passno, and
 * anything after them) are not used, only bounded. */
#define USED_FIELDS 4

struct fields {
  const char *start[USED_FIELDS];
  size_t len[USED_FIELDS];
  size_t n;
  bool too_long;
};

static bool
is_blank (char c)
{
  return c == ' ' || c == '\t';
}

static char *
copy_n (const char *s, size_t len)
{
  char *copy = xmalloc (len + 1);
  memcpy (copy, s, len);
  copy[len] = '\0';
  return copy;
}

/* What a decoded field may not hold: a NUL would cut it short, and a
 * newline would let it pass for two lines wherever it is printed. */
static bool
decoded_byte_ok (unsigned char c)
{
  return c != '\0' && c != '\n';
}

static bool
is_octal (char c)
{
  return c >= '0' && c <= '7';
}

/* LEN bytes of S with libmount's octal escapes (\040 for a space)
 * decoded, or NULL when one decodes to a byte decoded_byte_ok refuses.
 * Only \000 to \377 are escapes: libmount would wrap \400 and above
 * around to a byte, which no fstab writer means; they stay as written. */
static char *
decode_octal (const char *s, size_t len)
{
  char *out = xmalloc (len + 1);
  size_t o = 0;
  for (size_t i = 0; i < len; i++) {
    if (s[i] == '\\' && len - i > 3 && s[i + 1] >= '0' && s[i + 1] <= '3'
        && is_octal (s[i + 2]) && is_octal (s[i + 3])) {
      unsigned c = (s[i + 1] - '0') * 64u + (s[i + 2] - '0') * 8u + (s[i + 3] - '0');
      if (!decoded_byte_ok ((unsigned char) c)) {
        free (out);
        return NULL;
      }
      out[o++] = (char) c;
      i += 3;
    } else
      out[o++] = s[i];
  }
  out[o] = '\0';
  return out;
}

static int
hex_value (char c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

/* S with udev's \xNN escapes decoded (the names under /dev/disk/by-*
 * encode '/', blanks and other unsafe bytes so), or NULL as for
 * decode_octal. */
static char *
decode_udev (const char *s)
{
  size_t len = strlen (s);
  char *out = xmalloc (len + 1);
  size_t o = 0;
  for (size_t i = 0; i < len; i++) {
    int hi, lo;
    if (s[i] == '\\' && s[i + 1] == 'x' && (hi = hex_value (s[i + 2])) >= 0
        && (lo = hex_value (s[i + 3])) >= 0) {
      if (!decoded_byte_ok ((unsigned char) (hi * 16 + lo))) {
        free (out);
        return NULL;
      }
      out[o++] = (char) (hi * 16 + lo);
      i += 3;
    } else
      out[o++] = s[i];
  }
  out[o] = '\0';
  return out;
}

/* Splits the line from P to END into blank-separated fields.  Returns
 * false for a line with nothing to say (blank, or a comment). */
static bool
split_fields (const char *p, const char *end, struct fields *f)
{
  memset (f, 0, sizeof *f);
  /* blanks and the '\r' of a CRLF file end no field */
  while (end > p && (is_blank (end[-1]) || end[-1] == '\r'))
    end--;
  while (p < end && is_blank (*p))
    p++;
  if (p == end || *p == '#')
    return false;
  while (p < end) {
    const char *start = p;
    while (p < end && !is_blank (*p))
      p++;
    if ((size_t) (p - start) > FIELD_MAX)
      f->too_long = true;
    if (f->n < USED_FIELDS) {
      f->start[f->n] = start;
      f->len[f->n] = p - start;
    }
    f->n++;
    while (p < end && is_blank (*p))
      p++;
  }
  return true;
}

/* Field K of F, octal escapes decoded; "" (and *MALFORMED set) when it
 * is missing, too long or does not decode. */
static char *
take_decoded (const struct fields *f, size_t k, bool *malformed)
{
  char *s = NULL;
  if (k < f->n && f->len[k] <= FIELD_MAX)
    s = decode_octal (f->start[k], f->len[k]);
  if (!s) {
    *malformed = true;
    s = xstrdup ("");
  }
  return s;
}

/* Field K of F as written, DEFAULT when the line stops before it, ""
 * when it is too long (the line is then malformed already). */
static char *
take_raw (const struct fields *f, size_t k, const char *dflt)
{
  if (k >= f->n)
    return xstrdup (dflt);
  return f->len[k] <= FIELD_MAX ? copy_n (f->start[k], f->len[k]) : xstrdup ("");
}

/* The length of the option at P, up to the next ',' outside double
 * quotes: libmount keeps context="a,b" as one option. */
static size_t
option_len (const char *p)
{
  bool quoted = false;
  size_t n = 0;
  for (; p[n] && (quoted || p[n] != ','); n++)
    if (p[n] == '"')
      quoted = !quoted;
  return n;
}

/* Whether OPTIONS holds NAME as a whole option ("noauto", not
 * "x-noauto-later"). */
static bool
has_option (const char *options, const char *name)
{
  size_t name_len = strlen (name);
  for (const char *p = options; *p; ) {
    size_t n = option_len (p);
    if (n == name_len && memcmp (p, name, n) == 0)
      return true;
    p += n;
    if (*p == ',')
      p++;
  }
  return false;
}

/* The last subvol= of OPTIONS, its leading '/' dropped, or NULL when
 * there is none or it names the top of the filesystem. */
static char *
subvol_of (const char *options)
{
  static const char prefix[] = "subvol=";
  const size_t prefix_len = sizeof prefix - 1;
  char *subvol = NULL;
  for (const char *p = options; *p; ) {
    size_t n = option_len (p);
    if (n >= prefix_len && memcmp (p, prefix, prefix_len) == 0) {
      const char *v = p + prefix_len, *v_end = p + n;
      while (v < v_end && *v == '/')
        v++;
      free (subvol);
      subvol = v < v_end ? copy_n (v, v_end - v) : NULL;
    }
    p += n;
    if (*p == ',')
      p++;
  }
  return subvol;
}

/* FILE as an absolute path with no empty, "." or trailing component, or
 * NULL when it is not absolute or goes up with "..": a mount point is
 * never resolved, as the guest's symbolic links could take it anywhere. */
static char *
normalise_mount_point (const char *file)
{
  if (file[0] != '/')
    return NULL;
  char *out = xmalloc (strlen (file) + 1);
  size_t o = 0;
  for (const char *p = file; *p; ) {
    while (*p == '/')
      p++;
    size_t n = strcspn (p, "/");
    if (n == 2 && p[0] == '.' && p[1] == '.') {
      free (out);
      return NULL;
    }
    if (n > 0 && !(n == 1 && p[0] == '.')) {
      out[o++] = '/';
      memcpy (out + o, p, n);
      o += n;
    }
    p += n;
  }
  if (o == 0)
    out[o++] = '/';
  out[o] = '\0';
  return out;
}

static void
lower_ascii (char *s)
{
  for (; *s; s++)
    if (*s >= 'A' && *s <= 'Z')
      *s += 'a' - 'A';
}

/* The value of LABEL="X y" as libblkid takes it: one pair of
 * surrounding quotes dropped. */
static char *
unquote (const char *s)
{
  size_t len = strlen (s);
  if (len >= 2 && (s[0] == '"' || s[0] == '\'') && s[len - 1] == s[0])
    return copy_n (s + 1, len - 2);
  return xstrdup (s);
}

/* Appends the device-mapper name from S to END to *O, each doubled '-'
 * made one again.  Returns false if it holds a single '-' or a '/'. */
static bool
undouble_dashes (const char *s, const char *end, char **o)
{
  for (; s < end; s++) {
    if (*s == '/' || (*s == '-' && (s + 1 == end || s[1] != '-')))
      return false;
    *(*o)++ = *s;
    if (*s == '-')
      s++;
  }
  return true;
}

char *
fstab_blkid_decode (const char *value)
{
  char *out = xmalloc (strlen (value) + 1), *o = out;
  for (const char *p = value; *p;) {
    unsigned char high = 0;
    if (p[0] == 'M' && p[1] == '-' && p[2]) {
      high = 0x80;
      p += 2;
    }
    if (p[0] == '^' && p[1]) {
      *o++ = (char) (high | ((unsigned char) p[1] ^ 0x40));
      p += 2;
    }
    else if (p[0] == '\\' && p[1]) {
      *o++ = (char) (high | (unsigned char) p[1]);
      p += 2;
    }
    else
      *o++ = (char) (high | (unsigned char) *p++);
  }
  *o = '\0';
  return out;
}

char *
fstab_lvm_name (const char *name)
{
  const char *dash = name;
  while ((dash = strchr (dash, '-')) && dash[1] == '-')
    dash += 2;
  if (!dash || dash == name || dash[1] == '\0')
    return NULL;
  /* "/dev/", both names, a '/' between them, the NUL */
  char *out = xmalloc (strlen (name) + 6);
  char *o = stpcpy (out, "/dev/");
  bool ok = undouble_dashes (name, dash, &o);
  *o++ = '/';
  if (!(ok && undouble_dashes (dash + 1, dash + strlen (dash), &o))) {
    free (out);
    return NULL;
  }
  *o = '\0';
  return out;
}

struct spec_form {
  const char *prefix;
  enum fstab_spec_kind kind;
  bool by_path;          /* a /dev/disk/by-* link: udev escapes, no quotes */
  bool lower;            /* compared in lower case */
};

static const struct spec_form spec_forms[] = {
  { "LABEL=", FSTAB_LABEL, false, false },
  { "UUID=", FSTAB_UUID, false, true },
  { "PARTUUID=", FSTAB_PARTUUID, false, true },
  { "PARTLABEL=", FSTAB_PARTLABEL, false, false },
  { "/dev/disk/by-label/", FSTAB_LABEL, true, false },
  { "/dev/disk/by-uuid/", FSTAB_UUID, true, true },
  { "/dev/disk/by-partuuid/", FSTAB_PARTUUID, true, true },
  { "/dev/disk/by-partlabel/", FSTAB_PARTLABEL, true, false },
};

/* The kind of SPEC, and its key in *KEY: NULL when the key is empty or
 * does not decode, which makes the line malformed. */
static enum fstab_spec_kind
classify_spec (const char *spec, char **key)
{
  for (size_t k = 0; k < ARRAY_SIZE (spec_forms); k++) {
    const struct spec_form *form = &spec_forms[k];
    size_t prefix_len = strlen (form->prefix);
    if (strncmp (spec, form->prefix, prefix_len) != 0)
      continue;
    const char *value = spec + prefix_len;
    *key = form->by_path ? decode_udev (value) : unquote (value);
    if (*key && form->lower)
      lower_ascii (*key);
    if (*key && **key == '\0') {
      free (*key);
      *key = NULL;
    }
    return form->kind;
  }
  if (strncmp (spec, "/dev/", 5) == 0) {
    *key = strncmp (spec, "/dev/mapper/", 12) == 0 ? fstab_lvm_name (spec + 12) : NULL;
    if (!*key)
      *key = xstrdup (spec);
    return FSTAB_DEVICE;
  }
  *key = xstrdup (spec);
  return FSTAB_OTHER;
}

static bool
in_list (const char *s, const char *const *list, size_t n)
{
  for (size_t k = 0; k < n; k++)
    if (strcmp (s, list[k]) == 0)
      return true;
  return false;
}

static const char *const network_types[] = {
  "nfs", "nfs4", "cifs", "smb3", "smbfs", "ncpfs", "sshfs", "fuse.sshfs",
  "glusterfs", "ceph", "9p", "afs", "davfs",
};

static const char *const pseudo_types[] = {
  "proc", "sysfs", "tmpfs", "devpts", "devtmpfs", "securityfs", "cgroup",
  "cgroup2", "debugfs", "tracefs", "efivarfs", "hugetlbfs", "mqueue",
  "pstore", "bpf", "configfs", "fusectl", "binfmt_misc", "overlay", "ramfs",
  "autofs", "rpc_pipefs", "nfsd",
};

/* "host:/export", "[::1]:/x", "//server/share": what mount(8) would
 * hand to a network filesystem whatever the type says. */
static bool
spec_is_remote (const char *spec)
{
  const char *colon = strchr (spec, ':');
  const char *slash = strchr (spec, '/');
  return strncmp (spec, "//", 2) == 0 || (colon && (!slash || colon < slash));
}

static bool
is_network (const struct fstab_entry *e)
{
  return in_list (e->vfstype, network_types, ARRAY_SIZE (network_types))
         || has_option (e->options, "_netdev")
         || (e->kind == FSTAB_OTHER && spec_is_remote (e->spec));
}

/* Called after is_network, which has taken fuse.sshfs. */
static bool
is_pseudo (const struct fstab_entry *e)
{
  return in_list (e->vfstype, pseudo_types, ARRAY_SIZE (pseudo_types))
         || strncmp (e->vfstype, "fuse.", 5) == 0
         || e->kind == FSTAB_OTHER;
}

/* Why a well-formed entry is not to be mounted, or NULL: the first
 * reason that applies.  Swap comes first, as its lines have "none" or
 * "swap" where a mount point would be. */
static const char *
skip_reason (const struct fstab_entry *e, bool mount_point)
{
  if (strcmp (e->vfstype, "swap") == 0)
    return "swap";
  if (!mount_point)
    return "not a mount point";
  if (has_option (e->options, "noauto"))
    return "noauto";
  if (has_option (e->options, "bind") || has_option (e->options, "rbind"))
    return "a bind mount";
  if (is_network (e))
    return "a network filesystem";
  if (is_pseudo (e))
    return "a pseudo filesystem";
  return NULL;
}

static void
parse_entry (const struct fields *f, unsigned line, struct fstab_entry *e)
{
  bool malformed = f->n < 2 || f->too_long;
  e->line = line;
  e->spec = take_decoded (f, 0, &malformed);
  e->file = take_decoded (f, 1, &malformed);
  e->vfstype = take_raw (f, 2, "auto");
  e->options = take_raw (f, 3, "defaults");
  e->kind = classify_spec (e->spec, &e->key);
  if (!e->key) {
    malformed = true;
    e->key = xstrdup ("");
  }
  e->subvol = subvol_of (e->options);
  char *mount_point = normalise_mount_point (e->file);
  if (mount_point) {
    free (e->file);
    e->file = mount_point;
  }
  e->skip = malformed ? "a malformed line" : skip_reason (e, mount_point != NULL);
}

static void
entry_free (struct fstab_entry *e)
{
  free (e->spec);
  free (e->file);
  free (e->vfstype);
  free (e->options);
  free (e->key);
  free (e->subvol);
}

int
fstab_parse (const char *text, size_t len, struct fstab *out, char **err)
{
  memset (out, 0, sizeof *out);
  if (len > FSTAB_MAX_BYTES)
    return error_set (err, "the fstab is %zu bytes, more than the %d allowed",
                      len, FSTAB_MAX_BYTES);
  if (len == 0)         /* TEXT may then be NULL */
    return 0;
  const char *nul = memchr (text, '\0', len);
  if (nul)
    return error_set (err, "the fstab holds a NUL byte (at offset %zu)",
                      (size_t) (nul - text));

  size_t allocated = 0;
  unsigned line = 0;
  for (const char *p = text, *end = text + len; p < end; ) {
    const char *newline = memchr (p, '\n', end - p);
    const char *line_end = newline ? newline : end;
    struct fields f;
    line++;
    if (split_fields (p, line_end, &f)) {
      if (out->n == FSTAB_MAX_ENTRIES) {
        fstab_free (out);
        return error_set (err, "the fstab has more than %d entries", FSTAB_MAX_ENTRIES);
      }
      if (out->n == allocated) {
        allocated = allocated ? 2 * allocated : 16;
        out->entries = xreallocarray (out->entries, allocated, sizeof *out->entries);
      }
      parse_entry (&f, line, &out->entries[out->n++]);
    }
    p = line_end + (newline != NULL);
  }
  return 0;
}

void
fstab_free (struct fstab *fstab)
{
  for (size_t k = 0; k < fstab->n; k++)
    entry_free (&fstab->entries[k]);
  free (fstab->entries);
  memset (fstab, 0, sizeof *fstab);
}
