#!/usr/bin/env bash
# Choosing the backend: auto tests KVM once, within its time limit (when
# there is a /dev/kvm), falls back to UML where installed (else TCG), says
# why it picked what it picked and remembers the answer; --backend=kvm on a
# host where KVM guests do not boot fails with the reason.
. "$(dirname "$0")/../lib/common.sh"
[ "${IMGMOUNT_BACKEND:-}" = uml ] && skip "backend choice is tested in the tcg pass"
unset IMGMOUNT_BACKEND

make_ext4 "$T/disk.img" 32M
M=$T/mnt
mkdir -p "$M"
PROBE_CACHE=/var/cache/imgmount/kvm-probe
[ "$(id -u)" -eq 0 ] || PROBE_CACHE=${XDG_CACHE_HOME:-$HOME/.cache}/imgmount/kvm-probe
[ -f "$PROBE_CACHE" ] && cp "$PROBE_CACHE" "$T/probe-cache.saved"
restore_probe_cache () { [ -f "$T/probe-cache.saved" ] && cp "$T/probe-cache.saved" "$PROBE_CACHE"; }
rm -f "$PROBE_CACHE"

export IMGMOUNT_KVM_PROBE_TIMEOUT=5
have_kvm=no
[ -c /dev/kvm ] && have_kvm=yes
start=$(date +%s)
"$IMGMOUNT" -v --backend=auto "$T/disk.img" "$M" 2> "$T/auto.err" || fail "auto mount: $(cat "$T/auto.err")"
secs=$(( $(date +%s) - start ))
# Without /dev/kvm there is nothing to test (nor to remember): the
# machines these tests run on have a broken /dev/kvm, or none.
if [ "$have_kvm" = yes ]; then
  grep -q "testing whether KVM boots a guest (at most 5 s)" "$T/auto.err" && ok "auto tested KVM" ||
    fail "auto did not test KVM: $(cat "$T/auto.err")"
else
  check "no /dev/kvm: auto did not boot a KVM guest to find out" \
    eval '! grep -q "testing whether KVM" "$T/auto.err"'
  check "no /dev/kvm: auto said so" grep -q "kvm unusable: /dev/kvm: " "$T/auto.err"
fi
chosen=$(sed -n 's/^imgmount: backend \([a-z]*\).*/\1/p' "$T/auto.err")
if [ "$have_kvm" = yes ] && grep -q "(kvm works)" "$T/auto.err"; then
  assert_eq "auto picked kvm, which works here" kvm "$chosen"
  kvm_works=yes
else
  want=tcg
  [ -x /usr/bin/linux.uml ] && want=uml
  assert_eq "auto fell back to $want" "$want" "$chosen"
  grep -q "kvm unusable: " "$T/auto.err" && ok "auto said why ($(grep -o 'kvm unusable: [^;]*' "$T/auto.err"))" ||
    fail "auto did not say why KVM was not used"
  kvm_works=no
fi
echo "  auto mount ready after ${secs}s"
[ "$have_kvm" = yes ] && check "the answer is remembered" test -s "$PROBE_CACHE"
unmount "$M" || fail "unmount after auto"

"$IMGMOUNT" -v --list "$T/disk.img" > /dev/null 2> "$T/again.err"
if grep -q "testing whether KVM" "$T/again.err"; then fail "KVM tested again"; else ok "second run used the remembered answer"; fi

if [ "$kvm_works" = no ]; then
  refuse "--backend=kvm fails with the reason" "$IMGMOUNT" --backend=kvm "$T/disk.img" "$M"
  expect_errno "--backend=kvm suggests another backend" "try --backend=uml" \
    "$IMGMOUNT" --backend=kvm "$T/disk.img" "$M"
fi

restore_probe_cache
check "nothing left" nothing_left
finish
