/* confine-seccomp.c: confine_seccomp (see confine.h), the one list of
 * system calls that neither a hypervisor nor imgmount's daemon makes, in
 * a file of its own because both imgmount-hv (for what it starts) and
 * imgmount (for its daemon) link it, each with libseccomp. */
#include <errno.h>
#include <seccomp.h>
#include <stdbool.h>
#include <stddef.h>
#include "backend-select/hv/confine.h"

/* By name: libseccomp gives each its number on every architecture the
 * filter covers. */
static const char *const denied[] = {
  "init_module", "finit_module", "delete_module",   /* kernel modules */
  "kexec_load", "kexec_file_load",
  "mount", "umount2", "pivot_root",
  "bpf", "perf_event_open",
  "keyctl", "add_key", "request_key",
  "swapon", "swapoff", "reboot",
  "open_by_handle_at",   /* opens any file on a filesystem by its handle */
  "userfaultfd",         /* stretches a kernel race at will */
};

int
confine_seccomp (bool all_threads)
{
  /* 64-bit and also 32-bit and x32 calls (int 0x80 works in a 64-bit
   * process): a denied call must not be reachable by another number.
   * Adding an architecture the host cannot run fails: nothing to cover. */
  scmp_filter_ctx ctx = seccomp_init (SCMP_ACT_ALLOW);
  int r = ctx ? 0 : -ENOMEM;
  if (ctx && seccomp_arch_native () == SCMP_ARCH_X86_64) {
    seccomp_arch_add (ctx, SCMP_ARCH_X86);
    seccomp_arch_add (ctx, SCMP_ARCH_X32);
  }
  if (r == 0 && all_threads)
    r = seccomp_attr_set (ctx, SCMP_FLTATR_CTL_TSYNC, 1);
  for (size_t k = 0; r == 0 && k < sizeof denied / sizeof *denied; k++) {
    int nr = seccomp_syscall_resolve_name (denied[k]);
    if (nr != __NR_SCMP_ERROR)
      r = seccomp_rule_add (ctx, SCMP_ACT_ERRNO (EPERM), nr, 0);
  }
  if (r == 0)
    r = seccomp_load (ctx);
  if (ctx)
    seccomp_release (ctx);
  if (r != 0) {
    errno = r < 0 ? -r : ESRCH;   /* positive: a thread that could not be synced */
    return -1;
  }
  return 0;
}
