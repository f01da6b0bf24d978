#!/usr/bin/env bash
# Hostile headers: for every format through which qemu 7.2 opens another
# host file (qcow2, qcow and qed backing files, a qcow2 external data file,
# a vmdk parent, vmdk extents named by a descriptor file or by the
# descriptor embedded in a sparse header, a VHD differencing disk, a VHDX
# differencing disk), imgmount refuses the image with one line naming it,
# read-write and --ro, and neither imgmount nor the hypervisor ever opens
# the named files (inotify watches them).  The same images given as raw
# (the default; never probed) are attached and read as plain bytes: on
# every backend, UML included, the named files stay unopened.
. "$(dirname "$0")/../lib/common.sh"
command -v inotifywait >/dev/null || skip "inotifywait (inotify-tools) is not installed"
command -v python3 >/dev/null || skip "python3 is not installed"
M=$T/mnt
mkdir -p "$M" "$T/named"
N=$T/named      # every file a hostile header names is in here

# ---- the named files ----
make_ext4 "$N/secret.raw" 32M
qemu-img create -q -f vmdk "$N/secret.vmdk" 32M
make_ext4 "$N/extent.raw" 32M
qemu-img create -q -f vpc "$N/parent.vhd" 32M
qemu-img create -q -f vhdx "$N/parent.vhdx" 32M

# ---- the hostile images (creating them may open the named files; the
# watch starts after) ----
qemu-img create -q -f qcow2 -b "$N/secret.raw" -F raw "$T/backing.qcow2" 32M
# Relative name, resolved against the image's directory as qemu does.
(cd "$T" && qemu-img create -q -f qcow2 -b named/secret.raw -F raw relative.qcow2 32M)
qemu-img create -q -f qcow2 -o data_file="$N/data.raw" "$T/datafile.qcow2" 32M
qemu-img create -q -f qcow -b "$N/secret.raw" -F raw "$T/backing.qcow" 32M
qemu-img create -q -f qed -b "$N/secret.raw" -F raw "$T/backing.qed" 32M
qemu-img create -q -f vmdk -b "$N/secret.vmdk" -F vmdk "$T/parent.vmdk" 32M
printf '# Disk DescriptorFile\nversion=1\nCID=fffffffe\nparentCID=ffffffff\ncreateType="monolithicFlat"\nRW 65536 FLAT "%s" 0\n' \
  "$N/extent.raw" > "$T/descriptor.vmdk"
qemu-img create -q -f vmdk "$T/embedded.vmdk" 32M
qemu-img create -q -f vpc "$T/differencing.vhd" 32M
qemu-img create -q -f vhdx "$T/differencing.vhdx" 32M
python3 - "$T" "$N" <<'PY' || { fail "crafting images"; finish; }
import struct, sys, uuid
t, n = sys.argv[1], sys.argv[2]

# embedded.vmdk: capacity 0 and an embedded descriptor naming an extent.
with open(t + "/embedded.vmdk", "r+b") as f:
    head = bytearray(f.read(1024 * 1024))
    head[12:20] = struct.pack("<Q", 0)
    desc = ('# Disk DescriptorFile\nversion=1\ncreateType="monolithicFlat"\n'
            'RW 65536 FLAT "%s/extent.raw" 0\n' % n).encode()
    desc_sector = struct.unpack("<Q", head[28:36])[0]
    head[desc_sector * 512:desc_sector * 512 + 10240] = desc.ljust(10240, b"\0")
    f.seek(0); f.write(head)

# differencing.vhd: a dynamic VHD turned differencing, its parent named.
with open(t + "/differencing.vhd", "r+b") as f:
    data = bytearray(f.read())
    for off in (0, len(data) - 512):
        data[off + 60:off + 64] = struct.pack(">I", 4)
        data[off + 64:off + 68] = b"\0" * 4
        data[off + 64:off + 68] = struct.pack(">I", ~sum(data[off:off + 512]) & 0xffffffff)
    dyn = struct.unpack(">Q", data[16:24])[0]
    name = (n + "/parent.vhd").encode("utf-16-be")
    data[dyn + 64:dyn + 64 + len(name)] = name
    f.seek(0); f.write(data)

# differencing.vhdx: the HasParent flag of its file parameters set, and the
# parent's path in the metadata region's free space.
meta_guid = uuid.UUID("8B7CA206-4790-4B9A-B8FE-575F050F886E").bytes_le
params_guid = uuid.UUID("CAA16737-FA36-4D43-B3B6-33F0AA44E76B").bytes_le
with open(t + "/differencing.vhdx", "r+b") as f:
    data = bytearray(f.read())
    rt = 192 * 1024
    for i in range(struct.unpack("<I", data[rt + 8:rt + 12])[0]):
        e = rt + 16 + 32 * i
        if data[e:e + 16] == meta_guid:
            meta = struct.unpack("<Q", data[e + 16:e + 24])[0]
    for i in range(struct.unpack("<H", data[meta + 10:meta + 12])[0]):
        e = meta + 32 + 32 * i
        if data[e:e + 16] == params_guid:
            p = meta + struct.unpack("<I", data[e + 16:e + 20])[0]
            data[p + 4:p + 8] = struct.pack("<I", struct.unpack("<I", data[p + 4:p + 8])[0] | 2)
    name = (n + "/parent.vhdx").encode("utf-16-le")
    data[meta + 65536:meta + 65536 + len(name)] = name
    f.seek(0); f.write(data)
PY
sums=$(sha256sum "$N"/*)

inotifywait -q -m -e open,access,modify --format '%e %w' "$N"/* > "$T/touched" 2>/dev/null &
watcher=$!
sleep 0.5

refused () {   # refused FORMAT IMAGE EXPECTED-TEXT: refused, read-write and --ro
  local fmt=$1 img=$2 text=$3 mode err
  for mode in --rw --ro; do
    err=$("$IMGMOUNT" "$mode" --format="$fmt" "$T/$img" "$M" 2>&1 >/dev/null)
    case $err in
      "imgmount: $T/$img: "*"$text"*) [ "$(printf '%s\n' "$err" | wc -l)" -eq 1 ] &&
        ok "$mode $fmt $img: refused (${err:0:150}...)" || fail "$mode $img: not one line: $err" ;;
      *) fail "$mode $fmt $img: expected '$text', got: $err" ;;
    esac
  done
}
# Each message names the file and the way out.
refused qcow2 backing.qcow2 "backing file $N/secret.raw, which imgmount does not open unless allowed: if you trust that file, add --backing=$N/secret.raw"
refused qcow2 relative.qcow2 "backing file $T/named/secret.raw"
refused qcow2 datafile.qcow2 "external data file $N/data.raw, which imgmount never opens"
refused qcow backing.qcow "backing file $N/secret.raw"
refused qed backing.qed "backing file $N/secret.raw"
refused vmdk parent.vmdk "backing file $N/secret.vmdk"
refused vmdk descriptor.vmdk "extents are other files ($N/extent.raw)"
refused vmdk embedded.vmdk "extents are other files ($N/extent.raw)"
refused vpc differencing.vhd "VHD differencing disk"
# A --backing naming another file does not let the named one through.
err=$("$IMGMOUNT" --format=qcow2 --backing="$N/extent.raw" "$T/backing.qcow2" "$M" 2>&1)
case $err in *"add --backing=$N/secret.raw"*) ok "--backing of another file: still refused" ;;
  *) fail "--backing of another file: $err" ;; esac
# What --list does with them is the same check.
refuse "--list of a hostile qcow2" "$IMGMOUNT" --list --format=qcow2 "$T/backing.qcow2"
# The refusals leak nothing (LeakSanitizer, with the sanitizer build).
if [ -x "$TOP/build-asan/imgmount" ]; then
  for img in backing.qcow2:qcow2 datafile.qcow2:qcow2 descriptor.vmdk:vmdk differencing.vhd:vpc; do
    args=(--format="${img#*:}" --backing="$N/extent.raw" "$T/${img%:*}")
    err=$("$TOP/build-asan/imgmount" "${args[@]}" "$M" 2>&1; "$TOP/build-asan/imgmount" --list "${args[@]}" 2>&1)
    [[ $err == *Sanitizer* ]] && fail "sanitizer on refusing $img: $err"
  done
  ok "refusals under the sanitizers: no leak, no error"
fi

# qemu 7.2 refuses a VHDX differencing disk itself (it cannot read the
# parent); imgmount then fails at launch, without opening the parent, on
# every backend.
# On UML it is qemu-storage-daemon that refuses it.
for mode in --ro --rw; do
  err=$("$IMGMOUNT" "$mode" --format=vhdx "$T/differencing.vhdx" "$M" 2>&1 >/dev/null)
  case $err in
    "imgmount: starting the appliance ("*) [ "$(printf '%s\n' "$err" | wc -l)" -eq 1 ] &&
      ok "$mode vhdx differencing: qemu refuses it ($err)" || fail "$mode vhdx: not one line: $err" ;;
    *) fail "$mode vhdx differencing: expected qemu to refuse it at launch, got: $err" ;;
  esac
done

# As raw, every one of them is plain bytes: one appliance per mode reads
# them all (a filesystem is looked for on each, none is found).
images=("$T"/backing.qcow2 "$T"/relative.qcow2 "$T"/datafile.qcow2 "$T"/backing.qcow "$T"/backing.qed \
        "$T"/parent.vmdk "$T"/embedded.vmdk "$T"/differencing.vhd "$T"/differencing.vhdx)
refuse "--ro: the hostile images as raw hold no filesystem" "$IMGMOUNT" --ro "${images[@]}" "$M"
refuse "--rw: the hostile images as raw hold no filesystem" "$IMGMOUNT" --rw "${images[@]}" "$M"

sleep 0.5
kill "$watcher"; wait "$watcher" 2>/dev/null
assert_eq "no named file was opened" "" "$(cat "$T/touched")"
assert_eq "no named file changed" "$sums" "$(sha256sum "$N"/*)"
check "nothing left" nothing_left
finish
