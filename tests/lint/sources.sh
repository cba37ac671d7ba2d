# sources.sh - sourced by the lint scripts: where mapo's C sources are, and how a part
# says that its tool is missing (exit 77, which tests/CMakeLists.txt declares as a skip).
#
# MAPO_LINT_FORMAT_DIRS: the folders whose *.c and *.h files clang-format checks; the
# analysers (clang-tidy, cppcheck) read src/ and mpi/ only.
MAPO_LINT_FORMAT_DIRS="src include mpi tests/unit tests/cli tests/fuzz tests bench examples/exercise"

# mapo_lint_sources DIR...: the C files under DIRs (tests and tests/cli: only their own
# level; examples/exercise: with its solutions/ and checker/), sorted, one per line, relative to the source root.
mapo_lint_sources() {
  for d in "$@"; do
    case "$d" in
    tests | tests/cli | tests/fuzz | bench)
      find "$d" -maxdepth 1 -type f \( -name '*.c' -o -name '*.h' \) ;;
    *) find "$d" -type f \( -name '*.c' -o -name '*.h' \) ;;
    esac
  done | LC_ALL=C sort -u
}

# mapo_lint_need TOOL: exit 77 (skipped) with one line on stderr when TOOL is not installed.
mapo_lint_need() {
  if ! command -v "$1" >/dev/null 2>&1; then
    echo "lint: $1 is not installed: skipped (Debian: apt-get install ${2:-$1})" >&2
    exit 77
  fi
}
