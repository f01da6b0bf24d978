#!/usr/bin/env bash
# The random-operations soak (contrib/soak.sh, tests/soak/soak.c) for
# $IMGMOUNT_SOAK_SECONDS (default 60): no mismatch against the model, no
# error, no operation over the stall bound, e2fsck clean after unmount,
# and a new mount shows exactly the model's final tree.
. "$(dirname "$0")/../lib/common.sh"

seconds=${IMGMOUNT_SOAK_SECONDS:-60}
bash "$TOP/contrib/soak.sh" --backend "${IMGMOUNT_BACKEND:-tcg}" --seconds "$seconds" \
  --image-size 1G --workdir "$T/soak" > "$T/out" 2>&1
rc=$?
sed 's/^/    /' "$T/out"
assert_eq "soak.sh passes (mismatches, errors, stalls, e2fsck, state after a new mount)" 0 "$rc"
check "the soak ran operations of every kind" \
  sh -c "grep '^soak: ok ' '$T/out' | grep -qv '=0 '"
check "unmount, e2fsck and the new mount were checked" grep -q "mounted again: all" "$T/out"
check "nothing left" nothing_left
finish
