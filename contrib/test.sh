#!/usr/bin/env bash
# contrib/test.sh: the README's second command.  Installs what is missing,
# builds (normal, and with ASan/UBSan), and runs the whole test suite:
# unit tests (also under valgrind and the sanitizers), the fuzz targets for
# a few seconds each (tests/run-fuzz.sh builds them with clang), then
# integration tests that mount real images.  Ends with "N passed, N failed,
# N skipped".
set -uo pipefail
cd "$(dirname "$0")/.."

bash contrib/deps.sh --tests || { echo "0 passed, 1 failed"; exit 1; }
[ -d build ] || meson setup build >/dev/null
[ -d build-asan ] || meson setup build-asan -Db_sanitize=address,undefined -Db_lundef=false >/dev/null
ninja -C build >/dev/null && ninja -C build-asan >/dev/null || { echo "0 passed, 1 failed"; exit 1; }

exec bash tests/run.sh "$@"
