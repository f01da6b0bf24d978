/* cache-dir.h: where imgmount keeps what it learns or builds once per host
 * (the KVM probe's answer, the appliances). */
#ifndef IMGMOUNT_CACHE_DIR_H
#define IMGMOUNT_CACHE_DIR_H

/* A malloc'd path NAME inside imgmount's cache directory (created, with
 * the directories above it, if needed): $IMGMOUNT_CACHE_DIR if set, else
 * /var/cache/imgmount for root, else $XDG_CACHE_HOME/imgmount or
 * ~/.cache/imgmount.  NULL when there is no such place. */
char *cache_dir_path (const char *name);

#endif
