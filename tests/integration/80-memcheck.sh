#!/usr/bin/env bash
# A mount session under valgrind memcheck, and one with the ASan/UBSan
# build: no invalid access, no leak, in either.
. "$(dirname "$0")/../lib/common.sh"

M=$T/mnt
make_ext4 "$T/disk.img" 128M

# What the session does: something of every kind of operation.
exercise () {
  mkdir -p "$M/d/e" && echo data > "$M/d/f" && head -c 3M /dev/urandom > "$M/d/big" &&
    cat "$M/d/big" > /dev/null && ln "$M/d/f" "$M/d/h" && ln -s f "$M/d/s" &&
    mv "$M/d/h" "$M/d/e/h2" && ls -lR "$M" > /dev/null && chmod 600 "$M/d/f" &&
    truncate -s 1 "$M/d/f" && touch -d 2000-01-01 "$M/d/f" && setfattr -n user.a -v b "$M/d/f" &&
    getfattr -d "$M/d/f" > /dev/null 2>&1 && setfattr -x user.a "$M/d/f" &&
    python3 -c "import os; fd = os.open('$M/d/tmp', os.O_CREAT | os.O_RDWR); os.write(fd, b'x'); os.unlink('$M/d/tmp'); os.fsync(fd); os.close(fd)" &&
    rm -r "$M/d/e" && df "$M" > /dev/null && sync -f "$M/d/big"
}

mounted_or_gone () { mounted "$M" || gone "$1"; }
# run_session NAME COMMAND...: COMMAND runs imgmount -f; waits for the
# mount, exercises it, unmounts and returns imgmount's exit status.
run_session () {
  local name=$1; shift
  "$@" & local pid=$!
  wait_until 600 mounted_or_gone "$pid"
  if ! mounted "$M"; then fail "$name: did not mount"; wait $pid; return 1; fi
  exercise || fail "$name: operations failed"
  unmount "$M" || fail "$name: unmount"
  wait $pid
}

mkdir -p "$M"
if command -v valgrind >/dev/null; then
  run_session valgrind valgrind -q --leak-check=full --errors-for-leak-kinds=definite \
    --error-exitcode=99 --log-file="$T/valgrind.log" "$IMGMOUNT" -f "$T/disk.img" "$M"
  rc=$?
  assert_eq "valgrind: imgmount exits 0, no errors, no definite leak" 0 "$rc"
  [ "$rc" -eq 0 ] || sed 's/^/    /' "$T/valgrind.log" | head -60
else
  fail "valgrind is not installed"
fi

asan=$TOP/build-asan/imgmount
make_ext4 "$T/disk.img" 128M
if [ -x "$asan" ]; then
  ASAN_OPTIONS="log_path=$T/asan:detect_leaks=1" UBSAN_OPTIONS="log_path=$T/ubsan:print_stacktrace=1" \
    run_session asan "$asan" -f "$T/disk.img" "$M"
  assert_eq "ASan/UBSan build: imgmount exits 0" 0 "$?"
  reports=$(cat "$T"/asan.* "$T"/ubsan.* 2>/dev/null)
  assert_eq "ASan/UBSan: no reports" "" "$reports"
else
  fail "no ASan build at $asan (contrib/test.sh makes it)"
fi
check "e2fsck clean" e2fsck -fn "$T/disk.img"
check "nothing left" nothing_left
finish
