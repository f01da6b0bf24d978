/* backend-name.c: mapping between names and enum backend_kind / cache_mode. */
#include <string.h>
#include "backend-select/backend-name.h"
#include "common/xalloc.h"

static const char *const backend_names[] = {
  [BACKEND_AUTO] = "auto",
  [BACKEND_KVM] = "kvm",
  [BACKEND_TCG] = "tcg",
  [BACKEND_UML] = "uml",
};

static const char *const cache_names[] = {
  [CACHE_WRITEBACK] = "writeback",
  [CACHE_NONE] = "none",
  [CACHE_UNSAFE] = "unsafe",
};

static const char *const sandbox_names[] = {
  [SANDBOX_ON] = "on",
  [SANDBOX_STRICT] = "strict",
  [SANDBOX_OFF] = "off",
};

static int
index_of (const char *const *names, size_t n, const char *name)
{
  for (size_t i = 0; i < n; i++)
    if (strcmp (name, names[i]) == 0)
      return (int) i;
  return -1;
}

int
backend_kind_from_name (const char *name, enum backend_kind *kind)
{
  int i = index_of (backend_names, ARRAY_SIZE (backend_names), name);
  if (i >= 0)
    *kind = (enum backend_kind) i;
  return i >= 0 ? 0 : -1;
}

int
cache_mode_from_name (const char *name, enum cache_mode *mode)
{
  int i = index_of (cache_names, ARRAY_SIZE (cache_names), name);
  if (i >= 0)
    *mode = (enum cache_mode) i;
  return i >= 0 ? 0 : -1;
}

const char *
backend_kind_name (enum backend_kind kind)
{
  return backend_names[kind];
}

const char *
cache_mode_name (enum cache_mode mode)
{
  return cache_names[mode];
}

int
sandbox_mode_from_name (const char *name, enum sandbox_mode *mode)
{
  int i = index_of (sandbox_names, ARRAY_SIZE (sandbox_names), name);
  if (i >= 0)
    *mode = (enum sandbox_mode) i;
  return i >= 0 ? 0 : -1;
}

const char *
sandbox_mode_name (enum sandbox_mode mode)
{
  return sandbox_names[mode];
}
