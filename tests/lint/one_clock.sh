#!/bin/sh
# one_clock.sh - mapo asks the kernel for the time in one file: src/core/clock.c
# (include/mapo/clock.h: the monotonic clock, CPU time, timer slack).
#
# Run:    tests/lint/one_clock.sh [SOURCE_DIR]
# Notice: the check is textual, as `grep -rn clock_gettime src mpi` is: even a comment
#         that names clock_gettime elsewhere fails it. Each offending line prints; exit 1.
set -eu
cd "${1:-$(dirname "$0")/../..}"
bad=$(grep -rnE 'clock_gettime|getrusage|PR_SET_TIMERSLACK' src mpi | grep -v '^src/core/clock\.c:' || true)
if [ -n "$bad" ]; then
  echo "$bad"
  echo "one_clock: clock_gettime, getrusage and PR_SET_TIMERSLACK belong in src/core/clock.c only: use mapo/clock.h" >&2
  exit 1
fi
echo "one_clock: clock_gettime, getrusage and PR_SET_TIMERSLACK appear in src/core/clock.c only"
