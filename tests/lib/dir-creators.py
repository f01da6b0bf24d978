#!/usr/bin/env python3
"""tests/lib/dir-creators.py DIR GLOB: who makes directories in DIR.

For tests/run-integration.sh, which must blame a libguestfs socket
directory on a test only if the test made it: when it appears is no
proof, as a guestfish or a guestmount beside the suite makes its own.
Watches DIR with fanotify (root, Linux 5.9 or later) and, for each
directory made there whose name matches GLOB, prints a line "NAME ours"
when the process that made it has $DIR_CREATORS_MARK (VAR=VALUE) in its
environment, else
"NAME other" (also when that process is already gone: what cannot be
told is not blamed).  Prints "ready" once watching; exits 1 with a reason
on stderr if it cannot watch.
"""
import ctypes
import fnmatch
import os
import struct
import sys

FAN_CLOEXEC = 0x1
FAN_REPORT_DFID_NAME = 0xC00
FAN_MARK_ADD = 0x1
FAN_CREATE = 0x100
FAN_ONDIR = 0x40000000
AT_FDCWD = -100
# struct fanotify_event_metadata, then a struct fanotify_event_info_fid:
# its header, fsid and struct file_handle, then the NUL-terminated name.
METADATA = struct.Struct("=IBBHQii")
INFO_HDR = struct.Struct("=BBH")
HANDLE_HDR = struct.Struct("=Ii")
FSID_SIZE = 8


def made_by_us(pid, wanted):
    try:
        with open("/proc/%d/environ" % pid, "rb") as f:
            return wanted in f.read().split(b"\0")
    except OSError:
        return False


def names(buf):
    """(pid, name) for each directory creation in BUF."""
    off = 0
    while off + METADATA.size <= len(buf):
        event_len, _, _, metadata_len, mask, _, pid = METADATA.unpack_from(buf, off)
        info = off + metadata_len
        if mask & FAN_ONDIR and info + INFO_HDR.size <= off + event_len:
            _, _, info_len = INFO_HDR.unpack_from(buf, info)
            handle = info + INFO_HDR.size + FSID_SIZE
            handle_bytes, _ = HANDLE_HDR.unpack_from(buf, handle)
            name = buf[handle + HANDLE_HDR.size + handle_bytes:info + info_len]
            yield pid, name.split(b"\0")[0].decode(errors="replace")
        off += event_len


def main():
    directory, glob = sys.argv[1], sys.argv[2]
    wanted = os.environ["DIR_CREATORS_MARK"].encode()
    libc = ctypes.CDLL(None, use_errno=True)
    fd = libc.fanotify_init(FAN_CLOEXEC | FAN_REPORT_DFID_NAME, os.O_RDONLY)
    if fd < 0 or libc.fanotify_mark(fd, FAN_MARK_ADD, ctypes.c_uint64(FAN_CREATE | FAN_ONDIR),
                                    AT_FDCWD, directory.encode()) < 0:
        sys.exit("dir-creators: fanotify on %s: %s" % (directory, os.strerror(ctypes.get_errno())))
    print("ready", flush=True)
    while True:
        for pid, name in names(os.read(fd, 65536)):
            if fnmatch.fnmatchcase(name, glob):
                print(name, "ours" if made_by_us(pid, wanted) else "other", flush=True)


if __name__ == "__main__":
    main()
