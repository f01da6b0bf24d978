/* uml-appliance.h: the libguestfs appliance built for User-Mode Linux. */
#ifndef IMGMOUNT_UML_APPLIANCE_H
#define IMGMOUNT_UML_APPLIANCE_H

#define UML_KERNEL "/usr/bin/linux.uml"
#define UML_MODULES "/usr/lib/uml/modules"

/* Whether UML is installed: 1, or 0 with the reason in *WHY (malloc'd). */
int uml_installed (char **why);

/* The directory of a libguestfs "fixed appliance" (kernel = the UML
 * kernel, initrd, root, README.fixed) made by supermin from LIBGUESTFS_PATH's
 * supermin.d and the UML kernel's modules.  Built on first use and again
 * whenever the UML kernel or libguestfs changes.  Returns the malloc'd
 * path, or NULL with a reason in *ERR. */
char *uml_appliance (const char *libguestfs_path, int verbose, char **err);

#endif
