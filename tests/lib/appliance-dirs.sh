# tests/lib/appliance-dirs.sh: where a mount keeps its directories while it
# runs, for the checks that none is left behind; sourced by
# tests/run-integration.sh and tests/lib/common.sh.

# libguestfs's socket directories: root's are in /tmp whatever $TMPDIR says.
socket_dirs () { ls -d /tmp/libguestfs?????? 2>/dev/null; }

# Those and imgmount's run directories (see backend-select/run-dir.h).
run_dirs () { socket_dirs; ls -d "${TMPDIR:-/tmp}"/imgmount.?????? 2>/dev/null; }
