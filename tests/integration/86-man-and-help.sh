#!/usr/bin/env bash
# doc/imgmount.1 and `imgmount --help` name the same long options, each of
# which imgmount accepts; the man page renders without warnings and names
# every environment variable imgmount reads.
. "$(dirname "$0")/../lib/common.sh"
[ "${IMGMOUNT_BACKEND:-}" = uml ] && skip "does not depend on the backend"

MAN=$TOP/doc/imgmount.1
long_options () { grep -oE -- '--[a-z][a-z-]*' | sort -u; }
# The text of one section of the man page, roff's \- made plain -.
man_section () { sed -n "/^\.SH \"\?$1\"\?\$/,/^\.SH /p" "$MAN" | sed 's/\\-/-/g'; }

help=$("$IMGMOUNT" --help | long_options)
man=$(man_section OPTIONS | long_options)
[ -n "$help" ] && [ -n "$man" ] || fail "no options found (help: '$help', man: '$man')"
missing=$(comm -23 <(echo "$help") <(echo "$man") | tr '\n' ' ')
assert_eq "every long option in --help is in the man page" "" "$missing"
extra=$(comm -13 <(echo "$help") <(echo "$man") | tr '\n' ' ')
assert_eq "every long option in the man page is in --help" "" "$extra"

# Given alone, no option is unknown (and none reaches an appliance: each
# lacks an image, a mountpoint or an argument, or just prints).
unknown=
for o in $help; do
  "$IMGMOUNT" "$o" 2>&1 | grep -q "unknown option" && unknown="$unknown $o"
done
assert_eq "imgmount accepts every option --help names" "" "$unknown"

vars=$(grep -rhoE '"IMGMOUNT_[A-Z_]+"' "$TOP"/mount "$TOP"/image "$TOP"/backend-select "$TOP"/fsops \
         "$TOP"/common |
       tr -d '"' | grep -v '^IMGMOUNT_HV_' | sort -u)   # _HV_: imgmount to imgmount-hv
[ -n "$vars" ] || fail "no environment variables found in the sources"
undocumented=
for v in $vars TMPDIR; do
  man_section ENVIRONMENT | grep -q "^\.B $v\$" || undocumented="$undocumented $v"
done
assert_eq "every environment variable is in ENVIRONMENT" "" "$undocumented"
codes=$(man_section "EXIT STATUS" | grep -E '^\.B [0-9]+$' | cut -d' ' -f2 | tr '\n' ' ')
assert_eq "exit statuses documented" "0 1 2 " "$codes"

warnings=$(LC_ALL=C.UTF-8 groff -man -ww -z "$MAN" 2>&1)
assert_eq "groff -ww: no warnings" "" "$warnings"
rendered=$(MANWIDTH=80 man -l "$MAN" 2>&1)
case $rendered in *"imgmount --list --json"*) ok "man -l renders it" ;; *) fail "man -l: $rendered" ;; esac
finish
