/* mountspec.h: the -m DEV[:PATH[:OPTIONS[:FSTYPE]]] argument. */
#ifndef IMGMOUNT_MOUNTSPEC_H
#define IMGMOUNT_MOUNTSPEC_H

struct mount_spec {
  char *device;     /* /dev/sda1, /dev/VG/LV, ... as the appliance names it */
  char *path;       /* where inside the mount, "/" by default */
  char *options;    /* mount options for the appliance, NULL for none */
  char *fstype;     /* forced filesystem type, NULL to let the kernel probe */
};

/* Parses ARG into *SPEC.  Returns 0, or -1 with a message in *ERR
 * (malloc'd, one line, no trailing newline). */
int mountspec_parse (const char *arg, struct mount_spec *spec, char **err);
void mountspec_free (struct mount_spec *spec);

#endif
