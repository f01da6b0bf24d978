#!/usr/bin/env bash
# contrib/deps.sh: installs, from Debian 12 packages, what imgmount needs to
# build and run (with --tests, also to run its test suite; with --bench, also
# to run contrib/bench/run.sh; both may be given).
set -euo pipefail

build_and_run=(
  gcc libc6-dev meson ninja-build pkg-config   # libc.a: the appliance's udevadm is static
  libguestfs-dev libguestfs0 libguestfs-xfs libfuse3-dev fuse3 libattr1-dev
  libseccomp-dev             # imgmount-hv confines UML and its helpers
  qemu-system-x86 qemu-utils supermin
  user-mode-linux            # --backend=uml
  linux-image-amd64          # the kernel supermin builds the appliance with
  e2fsprogs
)
tests=(
  libguestfs-tools           # guestfish builds test images
  xfsprogs lvm2 parted fdisk rsync attr acl inotify-tools python3
  uml-utilities              # uml_mkcow, for the COW-header test
  groff-base man-db bsdutils # the man page check; script(1) for the progress test
  valgrind libclang-rt-14-dev clang
)
bench=(
  libguestfs-tools           # guestfish and guestmount, the references
  gnuplot-nox                # the chart
  fuse2fs                    # an ext4 reference with no appliance
  rsync python3
  mmdebstrap                 # the OS image (contrib/bench/os-image.sh)
)

want=("${build_and_run[@]}")
for arg in "$@"; do
  case $arg in
    --tests) want+=("${tests[@]}") ;;
    --bench) want+=("${bench[@]}") ;;
    *) echo "deps.sh: unknown argument '$arg' (expected --tests, --bench or nothing)" >&2; exit 2 ;;
  esac
done

missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >/dev/null
  apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
fi
