/* backend-name.c: mapping between backend names and enum backend_kind. */
#include <string.h>
#include "backend-select/backend-name.h"

static const char *const names[] = {
  [BACKEND_AUTO] = "auto",
  [BACKEND_KVM] = "kvm",
  [BACKEND_TCG] = "tcg",
};

int
backend_kind_from_name (const char *name, enum backend_kind *kind)
{
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
    if (strcmp (name, names[i]) == 0) {
      *kind = (enum backend_kind) i;
      return 0;
    }
  return -1;
}

const char *
backend_kind_name (enum backend_kind kind)
{
  return names[kind];
}
