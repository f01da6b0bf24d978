#!/usr/bin/env bash
# guest-calls-only.sh: the daemon's code that runs once the appliance is up
# (fsops/, mount/select-fs.c, mount/list.c) calls libguestfs only through
# fsops/guest-calls.c, where every reply is checked (README, "Security").
# A direct call would bypass those checks: this names any.  Freeing what
# guest-calls returned, and the handle's local settings, are not calls to
# the appliance.  Built into build/tests/test-guest-calls-only.
set -uo pipefail
cd "@SOURCE_ROOT@" || exit 1
local_only='guestfs_(free_[a-z_]+|set_error_handler|set_event_callback|get_verbose)[[:space:]]*\('
found=$(grep -nE 'guestfs_[a-z0-9_]+[[:space:]]*\(' fsops/*.c mount/select-fs.c mount/list.c |
        grep -v '^fsops/guest-calls\.c:' | grep -vE "$local_only" |
        grep -vE '^[^:]+:[0-9]+:[[:space:]]*(/?\*|//)')
if [ -n "$found" ]; then
  echo "libguestfs called around fsops/guest-calls.c (its replies go unchecked):"
  echo "$found"
  exit 1
fi
