#!/usr/bin/env bash
# contrib/completion/imgmount.bash: what it offers for options, their
# values (with = as a word break or not), image files, mountpoints and, after
# -u, the current imgmount mounts, called as bash's completion would.
. "$(dirname "$0")/../lib/common.sh"
[ "${IMGMOUNT_BACKEND:-}" = uml ] && skip "does not depend on the backend"

COMPLETION=$TOP/contrib/completion/imgmount.bash
check "bash -n" bash -n "$COMPLETION"

# complete WORD...: COMPREPLY, sorted, space-separated, for the command line
# "imgmount WORD..." with the cursor at the end of the last word.
complete_words () {
  bash -c '
    source "$1" || exit 1
    [ "$(complete -p imgmount)" = "complete -F _imgmount imgmount" ] || exit 1
    shift
    COMP_WORDS=(imgmount "$@"); COMP_CWORD=$#
    _imgmount "$IMGMOUNT" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
    for r in "${COMPREPLY[@]}"; do printf "%s\n" "$r"; done' _ "$COMPLETION" "$@" |
    sort | tr '\n' ' '
}
export IMGMOUNT

assert_eq "an option" "--backend= " "$(complete_words --backe)"
assert_eq "options sharing a prefix" "--backend= --backing= " "$(complete_words --ba)"
help=$("$IMGMOUNT" --help | grep -oE -- '--[a-z][a-z-]*' | sort -u | tr '\n' ' ')
assert_eq "every long option --help names" "$help" "$(complete_words -- | tr -d =)"
assert_eq "--backend=, = a word break" "auto kvm tcg uml " "$(complete_words --backend = '')"
assert_eq "--backend=t, = a word break" "tcg " "$(complete_words --backend = t)"
assert_eq "--cache=n, one word" "--cache=none " "$(complete_words --cache=n)"
assert_eq "--cache VALUE" "none unsafe writeback " "$(complete_words --cache '')"
assert_eq "--format=q" "qcow qcow2 qed " "$(complete_words --format = q)"
assert_eq "-o" "allow_other " "$(complete_words --ro -o al)"
assert_eq "-m: nothing to guess" "" "$(complete_words -m '')"

mkdir -p "$T/files/mnt dir"
touch "$T/files/disk.img" "$T/files/other.qcow2"
assert_eq "images" "$T/files/disk.img $T/files/mnt dir $T/files/other.qcow2 " "$(complete_words "$T/files/")"
assert_eq "the mountpoint" "$T/files/mnt dir " "$(complete_words "$T/files/disk.img" "$T/files/m")"
assert_eq "--pid-file FILE" "$T/files/disk.img " "$(complete_words --pid-file "$T/files/d")"
assert_eq "--backing=FILE, = a word break" "$T/files/other.qcow2 " "$(complete_words --backing = "$T/files/o")"
assert_eq "--backing=FILE, one word" "--backing=$T/files/other.qcow2 " "$(complete_words --backing="$T/files/o")"

# -u offers only fuse.imgmount mountpoints, decoded from /proc/mounts's
# octal escapes; a table stands in for /proc/mounts.
printf '%s\n' '/img/a.img /mnt/with\040space\134 fuse.imgmount rw 0 0' \
  '/dev/sda1 /mnt/other ext4 rw 0 0' '/img/b.img /srv/b fuse.imgmount ro 0 0' \
  'sshfs#x /mnt/sshfs fuse.sshfs rw 0 0' > "$T/mounts"
export _imgmount_proc_mounts=$T/mounts
assert_eq "-u: imgmount mounts" '/mnt/with space\ /srv/b ' "$(complete_words -u '')"
assert_eq "--unmount --lazy /m" '/mnt/with space\ ' "$(complete_words --unmount --lazy /m)"
unset _imgmount_proc_mounts
check "-u with the real /proc/mounts" complete_words -u ''
finish
