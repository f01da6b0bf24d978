/* appliance.h: imgmount's appliance: libguestfs's, with imgmount's own
 * /init, built by supermin for the host kernel or for User-Mode Linux. */
#ifndef IMGMOUNT_APPLIANCE_H
#define IMGMOUNT_APPLIANCE_H

#define UML_KERNEL "/usr/bin/linux.uml"
#define UML_MODULES "/usr/lib/uml/modules"

enum appliance_kernel {
  APPLIANCE_HOST_KERNEL,   /* booted by qemu (KVM or TCG) */
  APPLIANCE_UML_KERNEL,    /* booted as a process (UML) */
};

/* Whether UML is installed: 1, or 0 with the reason in *WHY (malloc'd). */
int uml_installed (char **why);

/* The directory of a libguestfs "fixed appliance" (kernel, initrd, root,
 * README.fixed) made by supermin from LIBGUESTFS_PATH's supermin.d, with
 * imgmount-appliance-init as its /init, for KERNEL.  Built on first use
 * and again, once, whenever the kernel, libguestfs or the init changes.
 * Returns the malloc'd path, or NULL with a reason in *ERR. */
char *appliance_dir (enum appliance_kernel kernel, const char *libguestfs_path,
                     int verbose, char **err);

#endif
