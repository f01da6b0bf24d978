#!/usr/bin/env bash
# hv-without-parser.sh: imgmount-hv, which libguestfs runs for every
# launch, links the image code (image/) but not imgmount's command-line
# parser (mount/options.c, mount/mountspec.c): a program, its own pieces.
# Built into build/tests/test-hv-without-parser.
set -uo pipefail
hv="@BUILD_ROOT@/imgmount-hv"
[ -x "$hv" ] || { echo "no $hv"; exit 1; }
found=$(nm "$hv" | grep -E ' [TtDdBb] (options_|mountspec_)')
if [ -n "$found" ]; then
  echo "imgmount-hv links the command-line parser:"
  echo "$found"
  exit 1
fi
