#!/usr/bin/env bash
# --list --json and --version --json: valid JSON of the documented shape,
# whatever bytes the image's labels hold, agreeing with --list's lines.
. "$(dirname "$0")/../lib/common.sh"
[ "${IMGMOUNT_BACKEND:-}" = uml ] && skip "does not depend on the backend"

version=$("$IMGMOUNT" --version --json)
kvm=false; [ -e /dev/kvm ] && kvm=true
uml=false; [ -x /usr/bin/linux.uml ] && uml=true
assert_eq "--version --json" "$("$IMGMOUNT" --version | cut -d' ' -f2) $kvm True $uml" "$(
  python3 -c '
import json, sys
v = json.loads(sys.argv[1])
assert set(v) == {"version", "backends"} and set(v["backends"]) == {"kvm", "tcg", "uml"}, v
assert all(isinstance(b, bool) for b in v["backends"].values()), v
print(v["version"], str(v["backends"]["kvm"]).lower(), v["backends"]["tcg"], str(v["backends"]["uml"]).lower())
' "$version" 2>&1)"
refuse "--json alone is a usage error" "$IMGMOUNT" --json "$T/x.img" "$T/mnt"

# Labels an image may hold: JSON's special characters, a control
# character, UTF-8, and a byte that is not UTF-8; no filesystem at all;
# and a C1 control in UTF-8 (CSI, U+009B), which a terminal acts on.
build_labelled () {
  local f=$1
  rm -f "$f"; truncate -s 64M "$f"
  printf 'label: dos\nstart=2048, size=20M, type=83\nsize=20M, type=83\nsize=10M, type=83\nsize=10M, type=83\n' | sfdisk -q "$f"
  mke2fs -q -t ext4 -L 'q"u\o'$'\t''é' -E offset=$((2048 * 512)) "$f" 20M
  mke2fs -q -t ext4 -L $'bad\xff' -E offset=$(((2048 + 40960) * 512)) "$f" 20M
  mke2fs -q -t ext4 -L $'c1\xc2\x9b2J' -E offset=$(((2048 + 2 * 40960 + 20480) * 512)) "$f" 10M
}
img=$(fixture labelled-c1.img build_labelled) || { fail "fixture"; finish; }

json=$("$IMGMOUNT" --list --json "$img") || fail "--list --json exit status"
# One line per filesystem, "DEVICE TYPE LABEL SIZE", with the label as
# JSON writes it, after checking the shape.
summary=$(python3 -c '
import json, sys
d = json.loads(sys.argv[1])
assert isinstance(d, list) and d, d
for e in d:
    assert set(e) == {"device", "type", "label", "size"}, e
    assert isinstance(e["device"], str) and isinstance(e["type"], str), e
    assert e["label"] is None or isinstance(e["label"], str), e
    assert type(e["size"]) is int or e["size"] is None, e
    print(e["device"], e["type"], json.dumps(e["label"]), e["size"])
' "$json" 2>&1)
assert_eq "--list --json" \
"/dev/sda1 ext4 \"q\\\"u\\\\o\\té\" 20971520
/dev/sda2 ext4 \"bad\\ufffd\" 20971520
/dev/sda3 unknown null 10485760
/dev/sda4 ext4 \"c1\\u009b2J\" 10485760" "$(printf '%s\n' "$summary" | sed 's/\\u00e9/é/')"
case $json in
  *$'\xc2\x9b'*) fail "a C1 control left raw in the JSON" ;;
  *'c1\u009b2J'*) ok "a C1 control escaped in the JSON" ;;
  *) fail "the C1 label's JSON: $json" ;;
esac

# The same filesystems as --list's lines (whose labels are raw bytes, and
# here hold a tab: only the first fields and the last are to be trusted).
text=$("$IMGMOUNT" --list "$img" | awk -F'\t' '{ print $1, $2, $NF }')
assert_eq "the same as --list" "$text" "$(printf '%s\n' "$summary" | awk '{ print $1, $2, $NF }')"
check "nothing left" nothing_left
finish
