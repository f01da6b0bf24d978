# imgmount.bash: bash completion for imgmount: its options, the values of
# --backend, --cache, --format and -o, image files (also for --backing),
# directories for the
# mountpoint, and after -u the mountpoints of the current imgmount mounts.
# Installed as share/bash-completion/completions/imgmount.

# The mountpoints of fuse.imgmount mounts, one a line.  /proc/mounts writes
# a space in a path as \040 and a backslash as \134; printf %b decodes
# octal only after \0.  (_imgmount_proc_mounts lets the tests feed a table.)
_imgmount_mountpoints ()
{
    local _ mountpoint type rest
    while read -r _ mountpoint type rest; do
        [[ $type == fuse.imgmount ]] && printf '%b\n' "${mountpoint//\\/\\0}"
    done < "${_imgmount_proc_mounts:-/proc/mounts}"
}

_imgmount ()
{
    local cur=${COMP_WORDS[COMP_CWORD]} prev='' prefix='' values='' word
    ((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD - 1]}
    COMPREPLY=()

    # "--cache=no" is three words, "--cache" "=" "no", when = is in
    # COMP_WORDBREAKS (the default), and one word when it is not.
    if [[ $cur == = ]]; then
        cur=
    elif [[ $prev == = ]] && ((COMP_CWORD >= 2)); then
        prev=${COMP_WORDS[COMP_CWORD - 2]}
    elif [[ $cur == --*=* ]]; then
        prev=${cur%%=*} prefix=${cur%%=*}= cur=${cur#*=}
    fi

    case $prev in
        --backend) values="auto kvm tcg uml" ;;
        --cache) values="writeback none unsafe" ;;
        --sandbox) values="on strict off" ;;
        # The formats options.c knows.
        --format) values="raw qcow2 qcow vmdk vdi vhdx vpc qed parallels" ;;
        -o | --option) values="allow_other nonempty fakeroot ro rw noatime nosuid nodev noexec" ;;
        -a | --add | --pid-file | --backing)
            compopt -o filenames 2>/dev/null
            mapfile -t COMPREPLY < <(compgen -P "$prefix" -f -- "$cur")
            return ;;
        -m | --mount) return ;;   # devices inside the image: see --list
    esac
    if [[ -n $values ]]; then
        mapfile -t COMPREPLY < <(compgen -P "$prefix" -W "$values" -- "$cur")
        return
    fi

    if [[ $cur == -* ]]; then
        # The options --help names, so that this never falls behind; those
        # written --opt=VALUE there complete with the "=".
        local options
        options=$("${1:-imgmount}" --help 2>/dev/null | grep -oE -- '(^|[ ,])-(-[a-z][a-z-]*=?|[a-z])' | tr -d ' ,' | sort -u)
        mapfile -t COMPREPLY < <(compgen -W "$options" -- "$cur")
        [[ ${#COMPREPLY[@]} -eq 1 && ${COMPREPLY[0]} == *= ]] && compopt -o nospace 2>/dev/null
        return
    fi

    compopt -o filenames 2>/dev/null
    for word in "${COMP_WORDS[@]:1:COMP_CWORD-1}"; do
        if [[ $word == -u || $word == --unmount ]]; then
            local mountpoint
            while IFS= read -r mountpoint; do
                [[ $mountpoint == "$cur"* ]] && COMPREPLY+=("$mountpoint")
            done < <(_imgmount_mountpoints)
            return
        fi
    done
    # Images, and the mountpoint: files and directories.
    mapfile -t COMPREPLY < <(compgen -f -- "$cur")
}

complete -F _imgmount imgmount
