/* backend-name.h: the names of the hypervisor backends and host cache
 * modes imgmount offers.  Kept apart from backend.c so that option parsing
 * (and its unit tests) need no libguestfs handle. */
#ifndef IMGMOUNT_BACKEND_NAME_H
#define IMGMOUNT_BACKEND_NAME_H

enum backend_kind {
  BACKEND_AUTO,   /* KVM where a guest really boots, else UML, else TCG */
  BACKEND_KVM,    /* qemu with hardware virtualization */
  BACKEND_TCG,    /* qemu with software emulation */
  BACKEND_UML,    /* User-Mode Linux */
};

/* How the hypervisor uses the host page cache for the image files. */
enum cache_mode {
  CACHE_WRITEBACK,  /* host page cache; each guest flush is an fdatasync */
  CACHE_NONE,       /* O_DIRECT; each guest flush is an fdatasync */
  CACHE_UNSAFE,     /* host page cache; guest flushes are ignored */
};

/* Each returns 0 and sets the value, or -1 when NAME is not one. */
int backend_kind_from_name (const char *name, enum backend_kind *kind);
int cache_mode_from_name (const char *name, enum cache_mode *mode);
const char *backend_kind_name (enum backend_kind kind);
const char *cache_mode_name (enum cache_mode mode);

#endif
