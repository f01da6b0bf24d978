#!/usr/bin/env python3
# make-seeds.py: writes the hand-made seed inputs, corpus/NAME/seed-*, in
# the input formats the fuzz-NAME.c header comments describe.  Run it after
# changing a format; inputs a fuzzing run found are kept beside the seeds.
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))


def u8(v): return struct.pack('<B', v)
def u16(v): return struct.pack('<H', v)
def u32(v): return struct.pack('<I', v)
def u64(v): return struct.pack('<Q', v)


def write(target, name, data):
    d = os.path.join(HERE, 'corpus', target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, 'seed-' + name), 'wb') as f:
        f.write(data)


def strings(*args):
    return b'\0'.join(a.encode() for a in args)


def options():
    write('options', 'mount', strings('', 'disk.img', '/mnt'))
    write('options', 'specs', strings('tcg', '-m', '/dev/sda1:/boot:ro:ext4', '--mount',
                                      '/dev/VG/LV', '--ro', '-o', 'allow_other,nonempty,rw',
                                      '-a', 'a.img', 'b.img', '/mnt'))
    write('options', 'list', strings('', '--list', '--json', 'a.img', 'b.img'))
    write('options', 'unmount', strings('', '-u', '--lazy', '/mnt'))
    write('options', 'choices', strings('uml', '--format=qcow2', '--cache', 'none',
                                        '--backend=kvm', '-vvq', '--trace', '-f',
                                        '--pid-file', 'p', 'x', '/m'))
    write('options', 'version', strings('', '--version', '--json', '-h'))
    write('options', 'errors', strings('xen', '--bogus', '-m'))


def mountspec():
    for name, arg in [('device', '/dev/sda1'), ('all', '/dev/VG/LV:/boot:noatime,acl:ext4'),
                      ('empty-path', '/dev/sdb::ro'), ('too-many', '/dev/a:/b:c:d:e'),
                      ('relative', '/dev/sda1:boot')]:
        write('mountspec', name, arg.encode())


def drive_spec():
    write('drive-spec', 'libguestfs', strings(
        'file', '/a,b', 'file=/var/a,,b.img,cache=writeback,format=raw,id=hd0,if=none'))
    write('drive-spec', 'in-value', strings('cache', 'none', 'file=x,,cache=unsafe,id=hd1'))
    write('drive-spec', 'remove', strings('format', '', 'format=qcow2,id=hd0,'))


# ---- virtqueue ----
VRING_DESC_F_NEXT, VRING_DESC_F_WRITE = 1, 2


def desc(addr, length, flags, nxt):
    return u64(addr) + u32(length) + u16(flags) + u16(nxt)


def ring_image(num, descs, avail_heads, avail_off, used_off, size):
    """Guest memory with a descriptor table at 0 and the rings at the offsets."""
    mem = bytearray(size)
    for i, d in enumerate(descs):
        mem[16 * i:16 * i + 16] = d
    avail = u16(0) + u16(len(avail_heads)) + b''.join(u16(h) for h in avail_heads)
    mem[avail_off:avail_off + len(avail)] = avail
    return bytes(mem)


def virtqueue():
    gpa, uva, size = 0x100000, 0x7f0000000000, 2048
    for name, flags, writable in [('writable', VRING_DESC_F_WRITE, 1), ('readable', 0, 0)]:
        descs = [desc(gpa + 1024, 100, flags | VRING_DESC_F_NEXT, 1),
                 desc(gpa + 1500, 50, flags, 0),
                 desc(gpa + 1800, 16, flags, 0),
                 desc(gpa + 2000, 200, flags, 0)]      # past the region's end
        header = (u8(0) + u64(gpa) + u64(uva) + u16(size - 1) + u8(3)
                  + u8(0) + u16(0) + u8(0) + u16(256) + u8(0) + u16(512)
                  + u16(0) + u8(writable)
                  + u8(2) + u64(gpa + 10) + u64(20) + u64(gpa + size - 1) + u64(2))
        write('virtqueue', name, header + ring_image(8, descs, [0, 2, 3], 256, 512, size))


# ---- virtio-console ----
DEVICE_READY, PORT_READY, PORT_OPEN = 0, 3, 6
Q_RX, Q_TX, Q_CTL_RX, Q_CTL_TX = 0, 1, 2, 3


def chain(q, segs):
    out = u8(0) + u8(q) + u8(len(segs) - 1)
    for off, length, writable in segs:
        out += u16(off) + u16(length) + u8(writable)
    return out


def control(event, value, port=0):
    return u8(1) + u32(port) + u16(event) + u16(value)


def virtio_console():
    handshake = (u8(3) + u8(24)
                 + b''.join(chain(Q_CTL_RX, [(1024 * k, 263, 1)]) for k in range(3))
                 + control(DEVICE_READY, 1) + control(PORT_READY, 1) + control(PORT_OPEN, 1))
    data = (chain(Q_RX, [(4096, 10, 1), (8192, 100, 1)]) + u8(4) + u8(5) + b'hello'
            + u8(6) + u8(1)                                  # POLLIN
            + chain(Q_TX, [(12288, 7, 0)]) + u8(2) + u8(Q_TX) + u8(5))
    write('virtio-console', 'handshake', handshake)
    write('virtio-console', 'data', handshake + data)
    # a receive buffer of no length, with data waiting: the device breaks
    write('virtio-console', 'zero-length-rx', handshake + chain(Q_RX, [(4096, 0, 1)])
          + u8(4) + u8(5) + b'hello' + u8(6) + u8(1) + data)
    # a chain that loops, poked into queue 3's descriptor table
    write('virtio-console', 'loop', u8(3) + u8(4) + chain(Q_CTL_TX, [(0, 8, 0), (8, 8, 0)])
          + u8(3) + u16(3 * 8192 + 16 + 12) + u8(4) + u16(1) + u16(0) + u8(2) + u8(Q_CTL_TX))


# ---- vhost-user ----
GPA, UVA, MEM = 0x40000000, 0x7f1200000000, 65536


def message(req, payload=b'', fd_spec=0, flags=1, size=None):
    return (u8(0) + u32(req) + u32(flags) + u32(len(payload) if size is None else size)
            + u16(len(payload)) + u8(fd_spec) + payload)


def poke(off, data):
    return u8(1) + u16(off) + u8(len(data)) + data


def vhost_user():
    setup = (message(1) + message(2, u64(1 << 32 | 1 << 30)) + message(15)
             + message(16, u64(1 << 9 | 1 << 5)) + message(3) + message(17)
             + message(24, u32(0) + u32(8) + u32(0) + bytes(8))
             + message(5, u32(1) + u32(0) + u64(GPA) + u64(MEM) + u64(UVA) + u64(0), 0x01))
    for q in range(4):
        base = UVA + q * 4096
        setup += (message(8, u32(q) + u32(8))
                  + message(9, u32(q) + u32(0) + u64(base) + u64(base + 512) + u64(base + 256)
                            + u64(0))
                  + message(10, u32(q) + u32(0))
                  + message(13, u64(q), 0x11) + message(12, u64(q), 0x11)
                  + message(18, u32(q) + u32(1)))
    write('vhost-user', 'setup', setup)
    # the guest queues DEVICE_READY on the control transmit queue (3)
    ready = (poke(3 * 4096, desc(GPA + 16384, 8, 0, 0))
             + poke(16384, u32(0) + u16(DEVICE_READY) + u16(1))
             + poke(3 * 4096 + 256, u16(0) + u16(1) + u16(0))
             + u8(2) + u8(3) + message(3))
    write('vhost-user', 'control', setup + ready + message(11, u32(3) + u32(0)))
    write('vhost-user', 'framing', message(5, bytes(8), 0x0c, size=40) + message(1, size=4097)
          + u8(3) + u8(3) + b'abc')


def sector(n, contents):
    """A metadata-probe chunk: sector N holding CONTENTS (padded to 512)."""
    return u32(n) + contents.ljust(512, b'\0')[:512]


def mbr_entry(ptype, lba, count):
    return bytes(4) + u8(ptype) + bytes(3) + u32(lba) + u32(count)


def table(*entries):
    body = b''.join(entries).ljust(64, b'\0')
    return bytes(446) + body + b'\x55\xaa'


def metadata_probe():
    disk = u32(131072 - 1)   # 64 MiB
    write('metadata-probe', 'bare-lvm', disk + sector(1, b'LABELONE' + bytes(16) + b'LVM2 001'))
    write('metadata-probe', 'mbr-logical',
          disk + sector(0, table(mbr_entry(0x83, 2048, 20480), mbr_entry(0x05, 22528, 40960)))
          + sector(22528, table(mbr_entry(0x83, 2048, 8192), mbr_entry(0x05, 20480, 16384)))
          + sector(43008, table(mbr_entry(0x8e, 2048, 8192)))
          + sector(45057, b'LABELONE'))
    write('metadata-probe', 'md-end', disk + sector(131072 - 16, u32(0xa92b4efc)))
    gpt_header = b'EFI PART' + bytes(64) + u64(2) + u32(128) + u32(128)
    linux_fs = bytes.fromhex('af3dc60f838472478e793d69d8477de4')
    ldm = bytes.fromhex('aac808588f7ee04285d2e1e90434cfb3')
    write('metadata-probe', 'gpt',
          disk + sector(0, table(mbr_entry(0xee, 1, 131071))) + sector(1, gpt_header)
          + sector(2, linux_fs + bytes(16) + u64(2048) + u64(10239)
                   + ldm + bytes(16) + u64(34) + u64(2047))
          + sector(10240 + 8, u32(0xa92b4efc)))
    write('metadata-probe', 'nested-bsd', disk + sector(0, table(mbr_entry(0xa5, 2048, 4096))))


def image_header_input(fmt, head, tail_len=0):
    return u8(['qcow2', 'qcow', 'qed', 'vmdk', 'vpc', 'raw'].index(fmt)) + u16(tail_len) + head


def image_header():
    be32 = lambda v: struct.pack('>I', v)
    be64 = lambda v: struct.pack('>Q', v)
    # qcow2 v3, 64 KiB clusters, a backing format extension, a backing file.
    ext = be32(0xe2792aca) + be32(3) + b'raw' + bytes(5) + be32(0) + be32(0)
    qcow2 = (b'QFI\xfb' + be32(3) + be64(112 + len(ext)) + be32(8) + be32(16)
             + bytes(72 - 24) + be64(0) + bytes(20) + be32(112)).ljust(112, b'\0')
    write('image-header', 'qcow2-backing', image_header_input('qcow2', qcow2 + ext + b'base.img'))
    data_file = be32(0x44415441) + be32(8) + b'data.raw' + be32(0) + be32(0)
    qcow2_df = bytearray(qcow2)
    qcow2_df[8:16] = be64(0)
    qcow2_df[72:80] = be64(4)
    write('image-header', 'qcow2-data-file', image_header_input('qcow2', bytes(qcow2_df) + data_file))
    write('image-header', 'qcow', image_header_input(
        'qcow', b'QFI\xfb' + be32(1) + be64(48) + be32(4) + bytes(28) + b'base'))
    write('image-header', 'qed', image_header_input(
        'qed', b'QED\0' + bytes(12) + u64(5) + bytes(32) + u32(64) + u32(4) + b'base'))
    vmdk = (b'KDMV' + u32(1) + u32(3) + u64(131072) + u64(128) + u64(1) + u64(20)).ljust(512, b'\0')
    write('image-header', 'vmdk-parent', image_header_input(
        'vmdk', vmdk + b'parentFileNameHint="/img/base.vmdk"\n'))
    write('image-header', 'vmdk-descriptor', image_header_input(
        'vmdk', b'createType="monolithicFlat"\nRW 100 FLAT "flat.raw" 0\n'))
    footer = (b'conectix' + bytes(52) + be32(4)).ljust(512, b'\0')
    write('image-header', 'vpc-differencing', image_header_input('vpc', footer, 512))


def guest_replies():
    # flags, then per operation: node, op, its arguments, and one byte per
    # appliance call (below 128: honest).  Zeros past the end are honest.
    honest = bytes(1)
    write('guest-replies', 'honest-walk', u8(0) + bytes([0, 0, 0, 0]) * 8)
    write('guest-replies', 'mount-code', u8(3) + bytes(16))
    # each call hostile: 0x80 + kind
    write('guest-replies', 'hostile-kinds', u8(1) + bytes(range(0x80, 0x8c)) * 8)
    # the btrfs disk: its subvolumes listed, the root found among them
    write('guest-replies', 'btrfs-disk', u8(17) + bytes(16))
    write('guest-replies', 'btrfs-hostile', u8(17) + bytes(range(0x80, 0x8c)) * 4)
    # lookups, then a read and a write with oversize replies
    write('guest-replies', 'read-write', u8(0) + u8(0) + u8(0) + u8(0) + honest * 4
          + u8(1) + u8(4) + u16(4096) + u16(0) + honest * 2 + u8(0x82) * 2
          + u8(1) + u8(5) + u16(10) + u16(0) + honest * 2 + u8(0x82) * 2)


# ---- agent-replies ----
AGENT_OPS = ['hello', 'nop', 'lookup', 'forget', 'getattr', 'readdir', 'read', 'readlink', 'statfs',
             'bye', 'devices', 'fsync', 'write', 'create', 'setattr', 'remove',
             'rename', 'link', 'getxattr', 'listxattr', 'setxattr',
             'removexattr', 'fallocate', 'lseek', 'copy_range', 'sync']
OP_NUM = {name: k + 1 for k, name in enumerate(AGENT_OPS)}
S_IFDIR, S_IFREG, S_IFLNK = 0o040000, 0o100000, 0o120000


def agent_msg(op, body=b'', error=0, msg_id=1, flags=0):
    return u32(24 + len(body)) + u16(OP_NUM[op]) + u16(flags) + u32(error) + u32(0) + u64(msg_id) + body


def agent_attr(ino, mode, size=0):
    return (u64(7) + u64(ino) + u64(size) + u64(0) + u64(1) + u64(0) + u32(mode) + u32(0) + u32(0)
            + u32(4096) + u64(1700000000) * 3 + u32(0) * 3 + u32(0))


def agent_dirent(cookie, handle, name, attr):
    name = name.encode()
    return u64(cookie) + u64(handle) + attr + u32(len(name)) + u32(0) + name + bytes(-len(name) % 8)


READDIR_PLUS, READDIR_ATTRS = 1, 2


def agent_input(op, stream, size=4096, max_bytes=4096, flags=0):
    return u8(AGENT_OPS.index(op)) + u32(size - 1) + u32(max_bytes) + u8(flags) + stream


def agent_replies():
    root = agent_attr(2, S_IFDIR | 0o755, 4096)
    f = agent_attr(12, S_IFREG | 0o644, 10)
    write('agent-replies', 'hello', agent_input('hello', agent_msg(
        'hello', u32(0x41474d49) + u32(1) + u32(4) + u32(0) + root, msg_id=0)))
    write('agent-replies', 'nop', agent_input('nop', agent_msg('nop')))
    write('agent-replies', 'lookup', agent_input('lookup', agent_msg('lookup', u64(5) + f)))
    write('agent-replies', 'forget', agent_input('forget', agent_msg('forget')))
    write('agent-replies', 'getattr', agent_input('getattr', agent_msg('getattr', f)))
    entries = agent_dirent(1, 5, 'f', f) + agent_dirent(2, 6, 'longer-name', f)
    write('agent-replies', 'readdir-plus', agent_input('readdir', agent_msg(
        'readdir', u32(2) + u32(1) + entries), flags=READDIR_PLUS))
    # with ATTRS: the attributes, handle 0
    entries = agent_dirent(1, 0, 'f', f) + agent_dirent(2, 0, 'longer-name', f)
    write('agent-replies', 'readdir-attrs', agent_input('readdir', agent_msg(
        'readdir', u32(2) + u32(1) + entries), flags=READDIR_ATTRS))
    # without PLUS: handle 0, only the inode number and type
    plain = agent_dirent(1, 0, 'f', u64(0) + u64(12) + bytes(32) + u32(S_IFREG) + bytes(52))
    write('agent-replies', 'readdir', agent_input('readdir', agent_msg(
        'readdir', u32(1) + u32(0) + plain)))
    write('agent-replies', 'read', agent_input('read', agent_msg('read', b'0123456789'), size=16))
    write('agent-replies', 'readlink', agent_input('readlink', agent_msg('readlink', b'../target')))
    write('agent-replies', 'statfs', agent_input('statfs', agent_msg(
        'statfs', u64(1000) + u64(500) + u64(400) + u64(100) + u64(50) + u32(4096) * 2
        + u32(255) + u32(0))))
    write('agent-replies', 'write', agent_input('write', agent_msg(
        'write', agent_attr(12, S_IFREG | 0o644, 4096)), size=16))
    d = agent_attr(13, S_IFDIR | 0o755, 4096)
    write('agent-replies', 'create', agent_input('create', agent_msg(
        'create', u64(5) + d + root), flags=1))
    write('agent-replies', 'setattr-size', agent_input('setattr', agent_msg(
        'setattr', agent_attr(12, S_IFREG | 0o644, 16)), size=16, flags=1))
    write('agent-replies', 'setattr-mode', agent_input('setattr', agent_msg(
        'setattr', agent_attr(12, S_IFREG | 0o600, 16))))
    write('agent-replies', 'remove', agent_input('remove', agent_msg(
        'remove', agent_attr(5, S_IFDIR | 0o755, 4096)), flags=1))
    write('agent-replies', 'rename', agent_input('rename', agent_msg(
        'rename', agent_attr(5, S_IFDIR | 0o755, 4096) + root)))
    write('agent-replies', 'link', agent_input('link', agent_msg(
        'link', u64(5) + agent_attr(12, S_IFREG | 0o644, 10) + root)))
    write('agent-replies', 'getxattr', agent_input('getxattr', agent_msg('getxattr', b'v\0lue')))
    write('agent-replies', 'listxattr', agent_input('listxattr', agent_msg(
        'listxattr', b'user.a\0security.selinux\0')))
    write('agent-replies', 'setxattr', agent_input('setxattr', agent_msg('setxattr')))
    write('agent-replies', 'fallocate', agent_input('fallocate', agent_msg(
        'fallocate', agent_attr(12, S_IFREG | 0o644, 65536))))
    write('agent-replies', 'lseek', agent_input('lseek', agent_msg('lseek', u64(8192)), size=4097))
    write('agent-replies', 'sync', agent_input('sync', agent_msg('sync')))
    write('agent-replies', 'copy-range', agent_input('copy_range', agent_msg(
        'copy_range', u64(1000) + agent_attr(12, S_IFREG | 0o644, 8192)), size=1000))
    # an error; a reply to another id; two replies to one
    write('agent-replies', 'error', agent_input('getattr', agent_msg('getattr', error=2)))
    write('agent-replies', 'other-id', agent_input('nop', agent_msg('nop', msg_id=9)))
    write('agent-replies', 'twice', agent_input('read', agent_msg('read', b'ab') * 2, size=8))


# ---- agent-ops ----
# agent-double.h's kinds in order, AD_FAIL to AD_ENDLESS: those the target
# picks, kind byte 0x80 + index.
AD_KINDS = ['fail', 'garbage', 'unknown_id', 'wrong_op', 'twice', 'len_huge', 'len_short',
            'oversize', 'truncated', 'error_body', 'errno_999', 'flags', 'reserved', 'bad_mode',
            'bad_nsec', 'handle_zero', 'root_impostor', 'root_elsewhere', 'self', 'name_slash',
            'name_dot', 'name_dotdot', 'name_nul', 'name_long', 'name_empty', 'count_more',
            'count_less', 'bad_pad', 'eof_2', 'cookie_zero', 'no_progress', 'link_nul',
            'statfs_bad', 'write_short', 'not_file', 'not_dir', 'seek_back', 'copy_more',
            'endless']
# fuzz-agent-ops.c's operations; names: f, l, d, new, x, a 255-byte one.
F, L, D, NEW, X = range(5)


def kind(name, errno=None):
    return u8(0x80 + AD_KINDS.index(name)) + (u8(errno) if errno is not None else b'')


def agent_ops_input(ops, kinds=b'', flags=7):
    return u8(flags) + u16(len(ops)) + ops + kinds


def agent_ops():
    # the root's names looked up: nodes 1 (f), 2 (l) and 3 (d)
    lookups = b''.join(u8(0) + u8(0) + u8(n) for n in (F, L, D))
    listings = u8(4) + u8(0) + u8(255) + u8(5) + u8(0) + u8(2)
    looks = (u8(18) + u8(0) + u8(18) + u8(1) + u8(26) + u8(2) + u8(25) + u8(0)
             + u8(21) + u8(1) + u8(0) + u8(0) + u8(22) + u8(1) + u8(0) + u8(1))
    # read 64 KiB at 0, write 2 MiB at 1000, then the other open-file ops
    file_ops = (u8(12) + u8(1) + u16(0xffff) + u8(0) + u32(0)
                + u8(13) + u8(1) + u16(0xffff) + u8(5) + u32(1000)
                + u8(14) + u8(1) + u8(1) + u32(0) + u16(4096) + u8(0)
                + u8(15) + u8(1) + u32(100) + u8(1)
                + u8(16) + u8(1) + u8(1) + u16(100) + u8(0) + u32(0) + u32(5000)
                + u8(17) + u8(1) + u8(1))
    # made in d and the root, linked, renamed, removed, forgotten
    changes = (u8(6) + u8(3) + u8(NEW) + u8(7) + u8(0) + u8(X) + u8(8) + u8(3) + u8(X)
               + u8(0) + u8(0) + u8(0) + u8(9) + u8(0) + u8(NEW) + u8(2)
               + u8(10) + u8(0) + u8(X) + u8(0) + u8(1)
               + u8(27) + u8(0) + u8(3) + u8(F) + u8(NEW) + u8(2)
               + u8(20) + u8(1) + u8(0x0f) + u16(0o600) + u8(1) + u8(1) + u32(10)
               + u8(23) + u8(1) + u8(0) + u8(3) + b'abc' + u8(1) + u8(24) + u8(1) + u8(0)
               + u8(11) + u8(0) + u8(0) + u8(F) + u8(11) + u8(3) + u8(1) + u8(D)
               + u8(28) + u8(0) + u8(1) + u8(29) + u8(0) + u8(30) + u8(1))
    walk = lookups + listings + looks
    write('agent-ops', 'honest-walk', agent_ops_input(walk))
    write('agent-ops', 'honest-files', agent_ops_input(lookups + file_ops))
    write('agent-ops', 'honest-changes', agent_ops_input(lookups + changes))
    # each kind once, in order, over the walk; then the same with the
    # honest replies between them that a broken stream would not reach
    every = b''.join(kind(k, 5) if k == 'fail' else kind(k) for k in AD_KINDS)
    write('agent-ops', 'hostile-walk', agent_ops_input(walk * 2, every))
    spaced = b''.join(u8(0) * 6 + kind(k, 2 if k == 'fail' else None) for k in AD_KINDS
                      if k not in ('garbage', 'unknown_id', 'wrong_op', 'twice', 'len_huge',
                                   'len_short', 'endless'))
    write('agent-ops', 'hostile-changes', agent_ops_input(lookups + changes + file_ops, spaced))
    write('agent-ops', 'errnos', agent_ops_input(lookups + file_ops, b''.join(
        kind('fail', e) for e in (0, 1, 2, 5, 12, 28, 95, 133, 134, 255))))
    write('agent-ops', 'one-credit', agent_ops_input(lookups + file_ops, flags=8))
    # "f" looked up, then its xattrs listed: an empty body (AD_FAIL of errno
    # 0).  The fuzzer's first find: agent_xattr_list_check made NULL + 0.
    write('agent-ops', 'listxattr-empty-body', bytes.fromhex('07070000000016010001008000'))


def write_errors():
    def pieces(text, size):
        data = text.encode()
        return b''.join(u8(len(data[k:k + size])) + data[k:k + size]
                        for k in range(0, len(data), size))
    write('write-errors', 'enospc', pieces(
        '[  12.3] critical space allocation error, dev ubda, sector 81396 op 0x1:(WRITE) flags 0x0\n', 200))
    write('write-errors', 'eio-split', pieces(
        'I/O error, dev sda, sector 8 op 0x1:(WRITE) flags 0x800\r\nEXT4-fs warning: I/O error 10 writing to inode 12\n', 7))
    write('write-errors', 'noise', pieces('\x1b[2Jrandom console text\n' * 3, 255))


def fstab():
    write('fstab', 'debian', (
        '# /etc/fstab: static file system information.\n'
        '#\n'
        '# <file system> <mount point>   <type>  <options>       <dump>  <pass>\n'
        '# / was on /dev/sda1 during installation\n'
        'UUID=3e1a2b4c-5d6e-4f70-8192-a3b4c5d6e7f8 /               ext4    errors=remount-ro 0       1\n'
        '# /boot/efi was on /dev/sda2 during installation\n'
        'UUID=1A2B-3C4D  /boot/efi       vfat    umask=0077      0       1\n'
        'UUID=0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0 none            swap    sw              0       0\n'
        '/dev/sr0        /media/cdrom0   udf,iso9660 user,noauto     0       0\n').encode())
    write('fstab', 'labels-crlf', (
        'LABEL=root\t/\text4\tdefaults\t0 1\r\n'
        '  LABEL="my\\040data"   /srv//data/   xfs  noatime  \r\n'
        '\r\n\t# a comment\r\n'
        "LABEL='boot'\t\t /boot/./ ext2\r\n"
        'PARTLABEL=EFI\\040System /boot/efi\r\n'
        'PARTUUID=0A1B2C3D-02 /home').encode())
    write('fstab', 'escapes', (
        '/dev/sdb1 /mnt/my\\040disk ext4\n'
        '/dev/sdc1 /mnt/back\\134slash ext4\n'
        '/dev/sdd1 /mnt/new\\012line ext4\n'
        '/dev/sde\\000 /mnt/nul ext4\n'
        '/dev/disk/by-label/my\\x20disk /data ext4\n'
        '/dev/disk/by-uuid/ABCD-EF01 /boot/efi vfat\n'
        '/dev/disk/by-partlabel/bad\\x00 /p ext4\n').encode())
    write('fstab', 'lvm-btrfs', (
        '/dev/mapper/my--vg-root / ext4 errors=remount-ro 0 1\n'
        '/dev/mapper/luks-0f1e2d3c-4b5a /srv ext4 defaults 0 2\n'
        '/dev/mapper/vg0-swap_1 none swap sw 0 0\n'
        'UUID=b0a1 /home btrfs defaults,subvol=/@home,compress=zstd 0 0\n'
        'UUID=b0a1 /.snapshots btrfs subvol=@snapshots,subvol=/ 0 0\n').encode())
    write('fstab', 'skips', (
        'proc /proc proc defaults 0 0\n'
        'tmpfs /tmp tmpfs mode=1777,nosuid 0 0\n'
        'host:/export /mnt/nfs nfs4 _netdev 0 0\n'
        '//server/share /mnt/smb cifs credentials=/root/c 0 0\n'
        'u@h:/ /mnt/ssh fuse.sshfs noauto 0 0\n'
        '/srv/data /data none bind 0 0\n'
        '/dev/sdb1 /mnt/../etc ext4\n'
        '/dev/sdb1 relative ext4 context="a,noauto"\n').encode())
    write('fstab', 'malformed', (
        '/dev/sdb4\n'
        'LABEL= /a ext4\n'
        'UUID="" /b\n'
        '/dev/sdb6 /data6 ext4 ro 0 not-a-number and more\n').encode())
    write('fstab', 'nul', b'/dev/sda1 / ext4\n\0\n')
    # a mount point one byte over the bound of a field, which mutation
    # alone seldom grows to
    write('fstab', 'long-field', ('/dev/sdb1 /' + 'a' * 4096 + ' ext4\n/dev/sdc1 /c\n').encode())


def device_report():
    # what the agent sent for the benchmark's OS image under TCG
    write('device-report', 'os-image', (
        'DEVNAME=/dev/sda\nPTUUID=4c1d6f1e-5b43-4b7f-9c47-93b3c3d6c2a1\nPTTYPE=gpt\n\n'
        'DEVNAME=/dev/sda1\nLABEL=BOOT\nUUID=e59cb248-1615-4b78-9c89-a972ff9a3c50\n'
        'VERSION=1.0\nBLOCK_SIZE=1024\nTYPE=ext2\nUSAGE=filesystem\nPART_ENTRY_SCHEME=gpt\n'
        'PART_ENTRY_UUID=6f2c7e3a-1111-4222-8333-944455556666\nPART_ENTRY_NUMBER=1\n\n'
        'DEVNAME=/dev/sda2\nUUID=VK3uuu-fQUs-1Xfd-pYZQ-e60m-hdJQ-nHeej1\nVERSION=LVM2\\ 001\n'
        'TYPE=LVM2_member\nUSAGE=raid\n\n'
        'DEVNAME=/dev/mapper/vg0-root\nLABEL=ROOTFS\nTYPE=ext4\nUSAGE=filesystem\n').encode())
    write('device-report', 'names', (
        'DEVNAME=/dev/sdzz12\nTYPE=ext4\n\nDEVNAME=/dev/mapper/my--vg-my--lv\nTYPE=xfs\n\n'
        'DEVNAME=/dev/mapper/..-root\n').encode())
    write('device-report', 'shapes', b'DEVNAME=/dev/sda\nTYPE=ext4\nTYPE=xfs\n\n\nLABEL=a\tb\0\n')


options()
mountspec()
drive_spec()
virtqueue()
virtio_console()
vhost_user()
metadata_probe()
image_header()
guest_replies()
agent_replies()
agent_ops()
write_errors()
fstab()
device_report()
