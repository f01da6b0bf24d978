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

/* How the processes that see the image's data are confined
 * (backend-select/hv/confine.h). */
enum sandbox_mode {
  SANDBOX_ON,       /* what the host has; -v says what is missing */
  SANDBOX_STRICT,   /* all of it, or refuse to start */
  SANDBOX_OFF,      /* none of imgmount's (to measure it, or to debug) */
};

/* Each returns 0 and sets the value, or -1 when NAME is not one. */
int backend_kind_from_name (const char *name, enum backend_kind *kind);
int cache_mode_from_name (const char *name, enum cache_mode *mode);
int sandbox_mode_from_name (const char *name, enum sandbox_mode *mode);
const char *backend_kind_name (enum backend_kind kind);
const char *cache_mode_name (enum cache_mode mode);
const char *sandbox_mode_name (enum sandbox_mode mode);

#endif
