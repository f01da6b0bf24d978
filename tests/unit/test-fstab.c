/* test-fstab.c: a guest's fstab as mount/fstab.c reads it: real fstabs
 * from installers, odd spacing and escapes, each reason to skip a line,
 * and the limits that refuse a text whole. */
#include <stdlib.h>
#include <string.h>
#include "mount/fstab.h"
#include "check.h"

/* Both NULL, or equal strings. */
#define CHECK_OPT_STR(a, b)                                                  \
  do {                                                                       \
    const char *o_ = (a), *w_ = (b);                                         \
    if (o_ || w_)                                                            \
      CHECK_STR (o_, w_);                                                    \
  } while (0)

/* Every field of entry E, in fstab.h's order. */
#define CHECK_ENTRY(e, line_, spec_, file_, type_, opts_, kind_, key_, subvol_, skip_) \
  do {                                                                       \
    const struct fstab_entry *e_ = (e);                                      \
    CHECK (e_->line == (line_));                                             \
    CHECK_STR (e_->spec, spec_);                                             \
    CHECK_STR (e_->file, file_);                                             \
    CHECK_STR (e_->vfstype, type_);                                          \
    CHECK_STR (e_->options, opts_);                                          \
    CHECK (e_->kind == (kind_));                                             \
    CHECK_STR (e_->key, key_);                                               \
    CHECK_OPT_STR (e_->subvol, subvol_);                                     \
    CHECK_OPT_STR (e_->skip, skip_);                                         \
  } while (0)

/* TEXT parsed, which must succeed with N entries. */
static struct fstab
parse_ok (const char *text, size_t n)
{
  struct fstab f;
  char *err = NULL;
  CHECK (fstab_parse (text, strlen (text), &f, &err) == 0);
  CHECK (err == NULL);
  if (f.n != n) {
    fprintf (stderr, "%zu entries, wanted %zu, in:\n%s\n", f.n, n, text);
    check_failures++;
    fstab_free (&f);
  }
  free (err);
  return f;
}

/* LEN bytes of TEXT parsed, which must fail saying something with WHY
 * in it and leave nothing. */
static void
check_refused (const char *text, size_t len, const char *why)
{
  struct fstab f = { (struct fstab_entry *) 1, 99 };
  char *err = NULL;
  CHECK (fstab_parse (text, len, &f, &err) == -1);
  CHECK (f.entries == NULL && f.n == 0);
  CHECK (err && strstr (err, why));
  free (err);
}

/* As the Debian 12 installer writes it. */
static void
test_debian_installer (void)
{
  static const char text[] =
    "# /etc/fstab: static file system information.\n"
    "#\n"
    "# Use 'blkid' to print the universally unique identifier for a\n"
    "# device; this may be used with UUID= as a more robust way to name devices\n"
    "# that works even if disks are added and removed. See fstab(5).\n"
    "#\n"
    "# systemd generates mount units based on this file, see systemd.mount(5).\n"
    "# Please run 'systemctl daemon-reload' after you modify this file.\n"
    "#\n"
    "# <file system> <mount point>   <type>  <options>       <dump>  <pass>\n"
    "# / was on /dev/sda1 during installation\n"
    "UUID=3E1A2B4C-5D6E-4F70-8192-A3B4C5D6E7F8 /               ext4    errors=remount-ro 0       1\n"
    "# /boot/efi was on /dev/sda2 during installation\n"
    "UUID=1A2B-3C4D  /boot/efi       vfat    umask=0077      0       1\n"
    "# swap was on /dev/sda5 during installation\n"
    "UUID=0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0 none            swap    sw              0       0\n"
    "/dev/sr0        /media/cdrom0   udf,iso9660 user,noauto     0       0\n";
  struct fstab f = parse_ok (text, 4);
  if (f.n != 4)
    return;
  CHECK_ENTRY (&f.entries[0], 12, "UUID=3E1A2B4C-5D6E-4F70-8192-A3B4C5D6E7F8", "/", "ext4",
               "errors=remount-ro", FSTAB_UUID, "3e1a2b4c-5d6e-4f70-8192-a3b4c5d6e7f8",
               NULL, NULL);
  CHECK_ENTRY (&f.entries[1], 14, "UUID=1A2B-3C4D", "/boot/efi", "vfat", "umask=0077",
               FSTAB_UUID, "1a2b-3c4d", NULL, NULL);
  CHECK_ENTRY (&f.entries[2], 16, "UUID=0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0", "none", "swap",
               "sw", FSTAB_UUID, "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0", NULL, "swap");
  CHECK_ENTRY (&f.entries[3], 17, "/dev/sr0", "/media/cdrom0", "udf,iso9660", "user,noauto",
               FSTAB_DEVICE, "/dev/sr0", NULL, "noauto");
  fstab_free (&f);
  CHECK (f.entries == NULL && f.n == 0);
}

/* Tabs, runs of spaces, blanks at both ends, CRLF, no final newline,
 * quoted labels, fields left out. */
static void
test_labels_and_spacing (void)
{
  static const char text[] =
    "LABEL=root\t/\text4\tdefaults\t0 1\r\n"
    "  LABEL=\"my\\040data\"   /srv//data/   xfs  noatime  \r\n"
    "\r\n"
    "\t# a comment after a tab\r\n"
    " \t \r\n"
    "LABEL='boot'\t\t /boot/./ ext2\r\n"
    "PARTLABEL=EFI\\040System /boot/efi\r\n"
    "PARTUUID=0A1B2C3D-02 /home btrfs ro,subvol=@home";
  struct fstab f = parse_ok (text, 5);
  if (f.n != 5)
    return;
  CHECK_ENTRY (&f.entries[0], 1, "LABEL=root", "/", "ext4", "defaults", FSTAB_LABEL, "root",
               NULL, NULL);
  CHECK_ENTRY (&f.entries[1], 2, "LABEL=\"my data\"", "/srv/data", "xfs", "noatime",
               FSTAB_LABEL, "my data", NULL, NULL);
  CHECK_ENTRY (&f.entries[2], 6, "LABEL='boot'", "/boot", "ext2", "defaults", FSTAB_LABEL,
               "boot", NULL, NULL);
  CHECK_ENTRY (&f.entries[3], 7, "PARTLABEL=EFI System", "/boot/efi", "auto", "defaults",
               FSTAB_PARTLABEL, "EFI System", NULL, NULL);
  CHECK_ENTRY (&f.entries[4], 8, "PARTUUID=0A1B2C3D-02", "/home", "btrfs", "ro,subvol=@home",
               FSTAB_PARTUUID, "0a1b2c3d-02", "@home", NULL);
  fstab_free (&f);
}

/* \NNN in spec and file; a NUL or a newline from one makes the line
 * malformed; \400 and above are no escapes. */
static void
test_octal_escapes (void)
{
  static const char text[] =
    "/dev/sdb1 /mnt/my\\040disk ext4\n"
    "LABEL=a\\040b /mnt/tab\\011x ext4\n"
    "/dev/sdc1 /mnt/back\\134slash ext4\n"
    "/dev/sdd1 /mnt/new\\012line ext4\n"
    "/dev/sde1 /mnt/nul\\000 ext4\n"
    "/dev/sdf\\000 /mnt/f ext4\n"
    "/dev/sdg1 /mnt/\\400\\08\\04 ext4\n"
    "/dev/sdh1 /mnt/\\057x\\057\\056\\056 ext4 \\040\n";
  struct fstab f = parse_ok (text, 8);
  if (f.n != 8)
    return;
  CHECK_ENTRY (&f.entries[0], 1, "/dev/sdb1", "/mnt/my disk", "ext4", "defaults",
               FSTAB_DEVICE, "/dev/sdb1", NULL, NULL);
  CHECK_ENTRY (&f.entries[1], 2, "LABEL=a b", "/mnt/tab\tx", "ext4", "defaults", FSTAB_LABEL,
               "a b", NULL, NULL);
  CHECK_ENTRY (&f.entries[2], 3, "/dev/sdc1", "/mnt/back\\slash", "ext4", "defaults",
               FSTAB_DEVICE, "/dev/sdc1", NULL, NULL);
  CHECK_ENTRY (&f.entries[3], 4, "/dev/sdd1", "", "ext4", "defaults", FSTAB_DEVICE,
               "/dev/sdd1", NULL, "a malformed line");
  CHECK_ENTRY (&f.entries[4], 5, "/dev/sde1", "", "ext4", "defaults", FSTAB_DEVICE,
               "/dev/sde1", NULL, "a malformed line");
  CHECK_ENTRY (&f.entries[5], 6, "", "/mnt/f", "ext4", "defaults", FSTAB_OTHER, "", NULL,
               "a malformed line");
  CHECK_ENTRY (&f.entries[6], 7, "/dev/sdg1", "/mnt/\\400\\08\\04", "ext4", "defaults",
               FSTAB_DEVICE, "/dev/sdg1", NULL, NULL);
  /* decoded first, normalised after: an escaped ".." is still "..";
   * vfstype and options are taken as written */
  CHECK_ENTRY (&f.entries[7], 8, "/dev/sdh1", "/mnt//x/..", "ext4", "\\040", FSTAB_DEVICE,
               "/dev/sdh1", NULL, "not a mount point");
  fstab_free (&f);
}

/* The /dev/disk/by-* links, udev's \xNN decoded in their names. */
static void
test_by_links (void)
{
  static const char text[] =
    "/dev/disk/by-label/my\\x20disk /data ext4\n"
    "/dev/disk/by-label/a\\x2fb\\x5C /a ext4\n"
    "/dev/disk/by-uuid/ABCD-EF01 /boot/efi vfat\n"
    "/dev/disk/by-partuuid/6C3A1F2E-0B4D-4E5F-8A9B-0C1D2E3F4A5B /p ext4\n"
    "/dev/disk/by-partlabel/EFI\\x20System /e vfat\n"
    "/dev/disk/by-label/bad\\x00 /b ext4\n"
    "/dev/disk/by-label/nl\\x0a /n ext4\n"
    "/dev/disk/by-label/ /c ext4\n"
    "/dev/disk/by-id/ata-QEMU_HARDDISK_QM00001-part1 /d ext4\n"
    "/dev/disk/by-label/x\\xZZ\\x4 /x ext4\n";
  struct fstab f = parse_ok (text, 10);
  if (f.n != 10)
    return;
  CHECK (f.entries[0].kind == FSTAB_LABEL);
  CHECK_STR (f.entries[0].key, "my disk");
  CHECK_STR (f.entries[0].spec, "/dev/disk/by-label/my\\x20disk");
  CHECK (f.entries[0].skip == NULL);
  CHECK (f.entries[1].kind == FSTAB_LABEL);
  CHECK_STR (f.entries[1].key, "a/b\\");
  CHECK (f.entries[2].kind == FSTAB_UUID);
  CHECK_STR (f.entries[2].key, "abcd-ef01");
  CHECK (f.entries[3].kind == FSTAB_PARTUUID);
  CHECK_STR (f.entries[3].key, "6c3a1f2e-0b4d-4e5f-8a9b-0c1d2e3f4a5b");
  CHECK (f.entries[4].kind == FSTAB_PARTLABEL);
  CHECK_STR (f.entries[4].key, "EFI System");
  CHECK (f.entries[4].skip == NULL);
  for (size_t k = 5; k <= 7; k++) {
    CHECK (f.entries[k].kind == FSTAB_LABEL);
    CHECK_STR (f.entries[k].key, "");
    CHECK_OPT_STR (f.entries[k].skip, "a malformed line");
  }
  CHECK_STR (f.entries[5].spec, "/dev/disk/by-label/bad\\x00");
  CHECK (f.entries[8].kind == FSTAB_DEVICE);
  CHECK_STR (f.entries[8].key, "/dev/disk/by-id/ata-QEMU_HARDDISK_QM00001-part1");
  CHECK (f.entries[9].kind == FSTAB_LABEL);
  CHECK_STR (f.entries[9].key, "x\\xZZ\\x4");
  fstab_free (&f);
}

/* LABEL=, UUID= and the like with nothing to find by. */
static void
test_empty_keys (void)
{
  static const char text[] =
    "LABEL= /a ext4\n"
    "UUID=\"\" /b ext4\n"
    "PARTUUID=' /c ext4\n"
    "PARTLABEL= /d ext4\n"
    "label=x /e ext4\n";
  struct fstab f = parse_ok (text, 5);
  if (f.n != 5)
    return;
  CHECK_ENTRY (&f.entries[0], 1, "LABEL=", "/a", "ext4", "defaults", FSTAB_LABEL, "", NULL,
               "a malformed line");
  CHECK_ENTRY (&f.entries[1], 2, "UUID=\"\"", "/b", "ext4", "defaults", FSTAB_UUID, "", NULL,
               "a malformed line");
  /* a lone quote is no pair: it is the key */
  CHECK_ENTRY (&f.entries[2], 3, "PARTUUID='", "/c", "ext4", "defaults", FSTAB_PARTUUID, "'",
               NULL, NULL);
  CHECK (f.entries[3].kind == FSTAB_PARTLABEL);
  CHECK_OPT_STR (f.entries[3].skip, "a malformed line");
  /* tags are upper case, as libblkid has them */
  CHECK_ENTRY (&f.entries[4], 5, "label=x", "/e", "ext4", "defaults", FSTAB_OTHER, "label=x",
               NULL, "a pseudo filesystem");
  fstab_free (&f);
}

/* /dev/mapper/VG-LV as /dev/VG/LV; what is not one such pair stays. */
static void
test_mapper (void)
{
  static const struct {
    const char *spec, *key;
  } cases[] = {
    { "/dev/mapper/my--vg-my--lv", "/dev/my-vg/my-lv" },
    { "/dev/mapper/debian--vg-root", "/dev/debian-vg/root" },
    { "/dev/mapper/vg0-swap_1", "/dev/vg0/swap_1" },
    { "/dev/mapper/vg---lv", "/dev/vg-/lv" },
    { "/dev/mapper/a--b--c-d----e", "/dev/a-b-c/d--e" },
    { "/dev/mapper/control", "/dev/mapper/control" },
    { "/dev/mapper/cryptroot", "/dev/mapper/cryptroot" },
    { "/dev/mapper/only--doubled", "/dev/mapper/only--doubled" },
    { "/dev/mapper/luks-0f1e2d3c-4b5a", "/dev/mapper/luks-0f1e2d3c-4b5a" },
    { "/dev/mapper/vg-lv-real", "/dev/mapper/vg-lv-real" },
    { "/dev/mapper/-lv", "/dev/mapper/-lv" },
    { "/dev/mapper/vg-", "/dev/mapper/vg-" },
    { "/dev/mapper/vg-lv--", "/dev/vg/lv-" },
    { "/dev/mapper/vg-lv-", "/dev/mapper/vg-lv-" },
    { "/dev/mapper/a/b-c", "/dev/mapper/a/b-c" },
    { "/dev/mapper/", "/dev/mapper/" },
  };
  for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
    char text[128];
    snprintf (text, sizeof text, "%s /m ext4\n", cases[k].spec);
    struct fstab f = parse_ok (text, 1);
    if (f.n != 1)
      continue;
    CHECK_ENTRY (&f.entries[0], 1, cases[k].spec, "/m", "ext4", "defaults", FSTAB_DEVICE,
                 cases[k].key, NULL, NULL);
    fstab_free (&f);
  }
}

/* subvol=: the last one, without its leading '/', none for the top. */
static void
test_subvol (void)
{
  static const char text[] =
    "UUID=b0a1 / btrfs defaults,subvol=@ 0 0\n"
    "UUID=b0a1 /home btrfs subvol=/@home,compress=zstd 0 0\n"
    "UUID=b0a1 /a btrfs subvol=x,subvol=y\n"
    "UUID=b0a1 /b btrfs subvol=/\n"
    "UUID=b0a1 /c btrfs subvol=\n"
    "UUID=b0a1 /d btrfs subvol=x,subvol=/\n"
    "UUID=b0a1 /e btrfs subvolid=5\n"
    "UUID=b0a1 /f btrfs nosubvol=x,subvol\n"
    "UUID=b0a1 /g btrfs subvol=//@/snap/1\n";
  static const char *const want[] = {
    "@", "@home", "y", NULL, NULL, NULL, NULL, NULL, "@/snap/1"
  };
  struct fstab f = parse_ok (text, 9);
  if (f.n != 9)
    return;
  for (size_t k = 0; k < f.n; k++) {
    CHECK_OPT_STR (f.entries[k].subvol, want[k]);
    CHECK (f.entries[k].skip == NULL);
    CHECK (f.entries[k].kind == FSTAB_UUID);
  }
  fstab_free (&f);
}

/* Each reason to skip, and which wins when several apply. */
static void
test_skip_reasons (void)
{
  static const struct {
    const char *line, *skip;
  } cases[] = {
    { "/dev/sda2 none swap sw", "swap" },
    { "/swapfile swap swap defaults", "swap" },
    { "/dev/sda3 none swap noauto", "swap" },
    { "/dev/sdb1 /mnt/usb vfat noauto,user", "noauto" },
    { "/dev/sdb1 /mnt/usb vfat user,noauto", "noauto" },
    { "/dev/sdb2 /mnt/x ext4 x-noauto-later", NULL },
    { "/dev/sdb2 /mnt/x ext4 context=\"a,noauto\",rw", NULL },
    { "/dev/sdb2 /mnt/x ext4 context=\"a,b\",noauto", "noauto" },
    { "/srv/data /data none bind", "a bind mount" },
    { "/srv/a /b none rbind,ro", "a bind mount" },
    { "/dev/sdb1 /c ext4 rebind", NULL },
    { "/dev/sdb1 /c none defaults,bind", "a bind mount" },
    { "/srv/a /b none noauto,bind", "noauto" },
    { "host:/export /mnt/nfs nfs defaults", "a network filesystem" },
    { "server:/x /mnt/x auto", "a network filesystem" },
    { "[fe80::1]:/e /mnt/v6 nfs4", "a network filesystem" },
    { "//server/share /mnt/smb cifs credentials=/root/c", "a network filesystem" },
    { "//server/share /mnt/s auto", "a network filesystem" },
    { "/dev/sdb1 /mnt/iscsi ext4 _netdev", "a network filesystem" },
    { "/dev/sdb1 /mnt/iscsi ext4 x_netdev", NULL },
    { "u@h:/ /mnt/ssh fuse.sshfs", "a network filesystem" },
    { "LABEL=g /mnt/g glusterfs", "a network filesystem" },
    { "mon1:6789:/ /mnt/ceph ceph name=admin", "a network filesystem" },
    { "hostshare /mnt/9p 9p trans=virtio", "a network filesystem" },
    { "/dev/sdb1 /mnt/p nfs", "a network filesystem" },
    { "/srv/enc /mnt/enc fuse.gocryptfs", "a pseudo filesystem" },
    { "tmpfs /tmp tmpfs mode=1777,nosuid", "a pseudo filesystem" },
    { "proc /proc proc defaults", "a pseudo filesystem" },
    { "none /dev/shm tmpfs", "a pseudo filesystem" },
    { "sysfs /sys sysfs", "a pseudo filesystem" },
    { "overlay /merged overlay lowerdir=/a,upperdir=/b,workdir=/c", "a pseudo filesystem" },
    { "/dev/sdb1 /ov overlay", "a pseudo filesystem" },
    { "none /mnt/x ext4", "a pseudo filesystem" },
    { "ext4 /mnt/y", "a pseudo filesystem" },
    { "/dev/sdb1 none ext4", "not a mount point" },
    { "tmpfs none tmpfs", "not a mount point" },
    { "/dev/sdb1 none ext4 noauto", "not a mount point" },
    { "/dev/sdb1 /mnt/../etc ext4", "not a mount point" },
    { "/dev/sdb1 /mnt/.. ext4", "not a mount point" },
    { "/dev/sdb1 /.. ext4", "not a mount point" },
    { "/dev/sdb1 mnt/data ext4", "not a mount point" },
    { "/dev/sdb1 ./data ext4", "not a mount point" },
    { "/dev/sdb1 /mnt/..x ext4", NULL },
    { "/dev/sdb1 /mnt/... ext4", NULL },
    { "/dev/sdb1 /data auto defaults", NULL },
  };
  for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
    struct fstab f = parse_ok (cases[k].line, 1);
    if (f.n != 1)
      continue;
    const char *skip = f.entries[0].skip;
    if ((skip || cases[k].skip) && (!skip || !cases[k].skip || strcmp (skip, cases[k].skip))) {
      fprintf (stderr, "\"%s\": skip %s, wanted %s\n", cases[k].line, skip ? skip : "NULL",
               cases[k].skip ? cases[k].skip : "NULL");
      check_failures++;
    }
    fstab_free (&f);
  }
}

/* Mount points: normalised when absolute and free of "..", otherwise
 * left as written. */
static void
test_mount_points (void)
{
  static const struct {
    const char *file, *want;
  } cases[] = {
    { "/", "/" },
    { "//", "/" },
    { "/.", "/" },
    { "/./", "/" },
    { "/./a//b/./", "/a/b" },
    { "///srv///data///", "/srv/data" },
    { "/mnt/.hidden/", "/mnt/.hidden" },
    { "/mnt/..x", "/mnt/..x" },
    { "/mnt/../etc", "/mnt/../etc" },
    { "mnt/data", "mnt/data" },
    { "none", "none" },
  };
  for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
    char text[128];
    snprintf (text, sizeof text, "/dev/sdb1 %s ext4", cases[k].file);
    struct fstab f = parse_ok (text, 1);
    if (f.n != 1)
      continue;
    CHECK_STR (f.entries[0].file, cases[k].want);
    fstab_free (&f);
  }
}

/* Fields left out, fields past the sixth, and lines of one field. */
static void
test_fields (void)
{
  static const char text[] =
    "/dev/sdb1 /data\n"
    "/dev/sdb2 /data2 ext4\n"
    "/dev/sdb3 /data3 ext4 ro 0 not-a-number and more\n"
    "/dev/sdb4\n"
    "   lonely   \r\n"
    "#\n"
    "# /dev/sdb5 /commented ext4\n"
    "/dev/sdb6 /data6 ext4 ro # not a comment\n";
  struct fstab f = parse_ok (text, 6);
  if (f.n != 6)
    return;
  CHECK_ENTRY (&f.entries[0], 1, "/dev/sdb1", "/data", "auto", "defaults", FSTAB_DEVICE,
               "/dev/sdb1", NULL, NULL);
  CHECK_ENTRY (&f.entries[1], 2, "/dev/sdb2", "/data2", "ext4", "defaults", FSTAB_DEVICE,
               "/dev/sdb2", NULL, NULL);
  CHECK_ENTRY (&f.entries[2], 3, "/dev/sdb3", "/data3", "ext4", "ro", FSTAB_DEVICE,
               "/dev/sdb3", NULL, NULL);
  CHECK_ENTRY (&f.entries[3], 4, "/dev/sdb4", "", "auto", "defaults", FSTAB_DEVICE,
               "/dev/sdb4", NULL, "a malformed line");
  CHECK_ENTRY (&f.entries[4], 5, "lonely", "", "auto", "defaults", FSTAB_OTHER, "lonely", NULL,
               "a malformed line");
  CHECK_ENTRY (&f.entries[5], 8, "/dev/sdb6", "/data6", "ext4", "ro", FSTAB_DEVICE,
               "/dev/sdb6", NULL, NULL);
  fstab_free (&f);
}

/* A field of 4096 bytes is taken, one of 4097 makes its line malformed
 * wherever it is. */
static void
test_long_fields (void)
{
  char *text = malloc (3 * 4200);
  char *file = malloc (4098);
  file[0] = '/';
  memset (file + 1, 'a', 4096);
  file[4096] = '\0';                     /* 4096 bytes */
  snprintf (text, 3 * 4200, "/dev/sdb1 %s ext4\n/dev/sdb2 %sa ext4\n/dev/sdb3 /x ext4 ro 0 %sa\n",
            file, file, file);
  struct fstab f = parse_ok (text, 3);
  if (f.n == 3) {
    CHECK_STR (f.entries[0].file, file);
    CHECK (f.entries[0].skip == NULL);
    CHECK_ENTRY (&f.entries[1], 2, "/dev/sdb2", "", "ext4", "defaults", FSTAB_DEVICE,
                 "/dev/sdb2", NULL, "a malformed line");
    CHECK_ENTRY (&f.entries[2], 3, "/dev/sdb3", "/x", "ext4", "ro", FSTAB_DEVICE, "/dev/sdb3",
                 NULL, "a malformed line");
    fstab_free (&f);
  }
  free (file);
  free (text);
}

/* Line numbers count every line, blank, comment or last without a
 * newline. */
static void
test_line_numbers (void)
{
  struct fstab f = parse_ok ("\n\n# c\n/dev/a /b\n\n\t\n/dev/c /d\r\n\r\n/dev/e /f", 3);
  if (f.n == 3) {
    CHECK (f.entries[0].line == 4);
    CHECK (f.entries[1].line == 7);
    CHECK (f.entries[2].line == 9);
    fstab_free (&f);
  }
  f = parse_ok ("", 0);
  CHECK (f.entries == NULL);
  f = parse_ok ("\n\n# only comments\n   \n", 0);
  fstab_free (&f);
  char *err = NULL;
  CHECK (fstab_parse (NULL, 0, &f, &err) == 0 && f.n == 0 && err == NULL);
}

/* The limits: a NUL byte anywhere, more than 64 KiB, more than 256
 * entries. */
static void
test_limits (void)
{
  check_refused ("/dev/sda1 / ext4\n/dev/sdb1 /b\0x ext4\n", 34, "NUL");
  check_refused ("# \0", 3, "NUL");
  check_refused ("\0", 1, "NUL");

  /* 64 KiB exactly, one entry and a long comment, passes; a byte more
   * does not */
  size_t max = FSTAB_MAX_BYTES;
  char *big = malloc (max + 2);
  memset (big, ' ', max + 1);
  memcpy (big, "/dev/sda1 / ext4\n#", 18);
  big[max - 1] = '\n';
  big[max] = '\0';
  struct fstab f = parse_ok (big, 1);
  fstab_free (&f);
  big[max] = '\n';
  big[max + 1] = '\0';
  check_refused (big, max + 1, "65537 bytes");
  free (big);

  /* 256 entries, among comments and blank lines, pass; one more, even
   * a malformed one, does not */
  size_t size = 300 * 32;
  char *text = malloc (size);
  size_t len = 0;
  for (int k = 0; k < 256; k++)
    len += snprintf (text + len, size - len, "# %d\n\n/dev/sd%d /m%d\n", k, k, k);
  f = parse_ok (text, 256);
  if (f.n == 256) {
    CHECK (f.entries[255].line == 3 * 256);
    CHECK_STR (f.entries[255].file, "/m255");
    fstab_free (&f);
  }
  snprintf (text + len, size - len, "x\n");
  check_refused (text, strlen (text), "more than 256 entries");
  free (text);
}

/* blkid's export escapes, as guestfs_blkid and the agent pass them on. */
static void
test_blkid_decode (void)
{
  static const struct { const char *in, *out; } cases[] = {
    { "plain", "plain" },
    { "my\\ data", "my data" },
    { "a\\$b\\\"c", "a$b\"c" },
    { "my\\ cafM-CM-)", "my caf\xc3\xa9" },     /* UTF-8 e-acute */
    { "tab^Iend", "tab\tend" },
    { "M-^A", "\x81" },
    { "x\\", "x\\" },                         /* a trailing backslash stays */
    { "M-", "M-" },
    { "", "" },
  };
  for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
    char *got = fstab_blkid_decode (cases[k].in);
    CHECK_STR (got, cases[k].out);
    free (got);
  }
}

int
main (void)
{
  test_blkid_decode ();
  test_debian_installer ();
  test_labels_and_spacing ();
  test_octal_escapes ();
  test_by_links ();
  test_empty_keys ();
  test_mapper ();
  test_subvol ();
  test_skip_reasons ();
  test_mount_points ();
  test_fields ();
  test_long_fields ();
  test_line_numbers ();
  test_limits ();
  return CHECK_DONE ();
}
