/* backend-name.h: the names of the hypervisor backends imgmount can use.
 * Kept apart from backend.c so that option parsing (and its unit tests)
 * need no libguestfs handle. */
#ifndef IMGMOUNT_BACKEND_NAME_H
#define IMGMOUNT_BACKEND_NAME_H

enum backend_kind {
  BACKEND_AUTO,   /* KVM where a guest really boots, else TCG */
  BACKEND_KVM,    /* qemu with hardware virtualization */
  BACKEND_TCG,    /* qemu with software emulation */
};

/* Returns 0 and sets *kind, or -1 when NAME is not a backend. */
int backend_kind_from_name (const char *name, enum backend_kind *kind);
const char *backend_kind_name (enum backend_kind kind);

#endif
