/* kvm-probe.h: does a KVM guest really boot on this host? */
#ifndef IMGMOUNT_KVM_PROBE_H
#define IMGMOUNT_KVM_PROBE_H

/* Returns 1 when a KVM guest boots here, 0 when not (with the reason in
 * *WHY, malloc'd).  The answer is remembered per host kernel, qemu binary
 * and appliance kernel until one of them changes. */
int kvm_probe (int verbose, char **why);

#endif
