#!/bin/sh
# cppcheck.sh - cppcheck's warning, portability and performance checks over src/ and mpi/,
# with the build's compile flags; any finding fails.
#
# Run:    tests/lint/cppcheck.sh BUILD_DIR [SOURCE_DIR]
# Notice: a finding cppcheck gets wrong is suppressed next to the code
#         (`// cppcheck-suppress id` with the reason) or, where it is wrong wherever the
#         code is written, in tests/lint/cppcheck.supp with the reason above it.
#         Exit 77 (skipped) without cppcheck or the compile database.
set -eu
build=$(cd "$1" && pwd)
cd "${2:-$(dirname "$0")/../..}"
. tests/lint/sources.sh
mapo_lint_need cppcheck
if [ ! -f "$build/compile_commands.json" ]; then
  echo "cppcheck: no $build/compile_commands.json (configure with -DCMAKE_EXPORT_COMPILE_COMMANDS=ON): skipped" >&2
  exit 77
fi
# --file-filter matches the database's absolute paths: src/ and mpi/
# only (the tests are not analysed).
if cppcheck --enable=warning,portability,performance --inline-suppr --quiet -j 2 \
     --project="$build/compile_commands.json" --file-filter="$PWD/src/*" --file-filter="$PWD/mpi/*" \
     --suppressions-list=tests/lint/cppcheck.supp --error-exitcode=1 \
     --template='{file}:{line}:{column}: {severity}: {message} [{id}]'; then
  echo "cppcheck: src/ and mpi/ clean"
else
  echo "cppcheck: findings above (tests/lint/cppcheck.supp says how to suppress a wrong one)" >&2
  exit 1
fi
