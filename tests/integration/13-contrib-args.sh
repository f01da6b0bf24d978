#!/usr/bin/env bash
# The README's set-up scripts refuse what they do not understand, with one
# line naming it, before they install or build anything (a mistyped
# --tests once installed only the build dependencies, silently).
. "$(dirname "$0")/../lib/common.sh"
[ "${IMGMOUNT_BACKEND:-}" = uml ] && skip "the scripts are tested in the tcg pass"
top=$(cd "$(dirname "$0")/../.." && pwd)

# Stand-ins for the installers and the build: they note that they ran.
mkdir -p "$T/bin"
for prog in apt-get dpkg-query meson ninja; do
  printf '#!/bin/sh\necho %s >> "%s"\nexit 1\n' "$prog" "$T/ran" > "$T/bin/$prog"
  chmod +x "$T/bin/$prog"
done

# refuse_script WHAT EXPECTED-WORD SCRIPT ARGS...: exit 2, and one line on
# stderr that names the bad argument and says what would do.
refuse_script () {
  local what=$1 word=$2 rc; shift 2
  rm -f "$T/ran"
  PATH=$T/bin:$PATH bash "$@" > "$T/out" 2> "$T/err"; rc=$?
  assert_eq "$what: exit status" 2 "$rc"
  assert_eq "$what: one line" 1 "$(wc -l < "$T/err")"
  check "$what: names it ($(cat "$T/err"))" grep -q -- "$word" "$T/err"
  check "$what: nothing on stdout" test ! -s "$T/out"
  check "$what: nothing installed or built" test ! -e "$T/ran"
}
refuse_script "deps.sh --test" "--tests" "$top/contrib/deps.sh" --test
refuse_script "deps.sh, a good and a bad argument" "--bogus" "$top/contrib/deps.sh" --tests --bogus
refuse_script "setup.sh with an argument" "no arguments" "$top/contrib/setup.sh" sample.img
finish
