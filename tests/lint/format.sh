#!/bin/sh
# format.sh - the layout in .clang-format, checked or applied.
#
# Run:    tests/lint/format.sh [SOURCE_DIR]          (check: lists every drift, exit 1)
#         tests/lint/format.sh --fix [SOURCE_DIR]    (formats the tree in place)
# Notice: clang-format-14 exactly: another version lays out some lines differently, and the
#         check must give one answer on every machine. Exit 77 (skipped) without it.
set -eu
fix=0
if [ "${1:-}" = "--fix" ]; then fix=1; shift; fi
cd "${1:-$(dirname "$0")/../..}"
. tests/lint/sources.sh
mapo_lint_need clang-format-14
# shellcheck disable=SC2086 # the folder list is split on purpose
files=$(mapo_lint_sources $MAPO_LINT_FORMAT_DIRS)
if [ "$fix" = 1 ]; then
  echo "$files" | xargs clang-format-14 -i --style=file
  echo "format: formatted $(echo "$files" | wc -l) files in place"
  exit 0
fi
if echo "$files" | xargs clang-format-14 --dry-run --Werror --style=file; then
  echo "format: $(echo "$files" | wc -l) files follow .clang-format"
else
  echo "format: the files above drift from .clang-format; tests/lint/format.sh --fix formats them" >&2
  exit 1
fi
