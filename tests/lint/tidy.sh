#!/bin/sh
# tidy.sh - clang-tidy (the checks in .clang-tidy) over src/ and mpi/, with the build's
# compile flags; any finding fails.
#
# Run:    tests/lint/tidy.sh BUILD_DIR [SOURCE_DIR]
# Notice: it reads BUILD_DIR/compile_commands.json (CMAKE_EXPORT_COMPILE_COMMANDS, on in
#         every build that has tests), so each file is analysed with the flags it is
#         compiled with; files the build does not compile (mpi/ without MPI) are left out.
#         Exit 77 (skipped) without clang-tidy-14 or the compile database.
set -eu
build=$(cd "$1" && pwd)
cd "${2:-$(dirname "$0")/../..}"
. tests/lint/sources.sh
mapo_lint_need clang-tidy-14
if [ ! -f "$build/compile_commands.json" ]; then
  echo "tidy: no $build/compile_commands.json (configure with -DCMAKE_EXPORT_COMPILE_COMMANDS=ON): skipped" >&2
  exit 77
fi
files=$(for f in $(mapo_lint_sources src mpi | grep '\.c$'); do
  grep -q "\"file\": \"$PWD/$f\"" "$build/compile_commands.json" && echo "$f"
done || true)
out=$(mktemp)
trap 'rm -f "$out"' EXIT
# One clang-tidy per file, two at a time; the findings of all of them are collected, then
# judged: --warnings-as-errors makes each one fail its file.
echo "$files" | xargs -P 2 -n 1 clang-tidy-14 -p "$build" --quiet --use-color=false \
  --warnings-as-errors='*' >"$out" 2>&1 || true
# A header's finding is reported from every file that includes it: count it once.
found=$(grep -E ': (warning|error): ' "$out" | sed "s|^$PWD/||; s|,-warnings-as-errors\]$|]|" |
  sort -u || true)
if [ -n "$found" ]; then
  echo "$found"
  echo "tidy: $(echo "$found" | wc -l) findings in src/ and mpi/ ($(echo "$files" | wc -l) files)" >&2
  exit 1
fi
if grep -q 'Error while processing' "$out"; then cat "$out"; exit 1; fi
echo "tidy: $(echo "$files" | wc -l) files clean"
