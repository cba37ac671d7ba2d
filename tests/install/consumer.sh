#!/bin/sh
# consumer.sh - install mapo into a scratch prefix, move the prefix elsewhere, and use it
# from there: `mapo compare` with its Python column (the notebook's scripts found from the
# program's own path, nothing run from the source tree), examples/exercise through
# find_package(mapo) (my_models, and the graded exercises' checker on the starting
# files), and my_models.c through pkg-config.
#
# Run:    ctest -L install   (or by hand, arguments as in tests/CMakeLists.txt)
# Usage:  consumer.sh CMAKE BUILD_DIR SOURCE_DIR SCRATCH C_COMPILER BUILD_TYPE [SANITIZE]
# Notice: libmapo.a built with sanitizers carries their instrumentation, and the
#         installed package deliberately does not pass -fsanitize on (mapo_options'
#         $<BUILD_INTERFACE>): so the consumer is built here with the build's own
#         -fsanitize flags, as README tells a student to.
set -eu
cmake=$1 build=$2 src=$3 scratch=$4 cc=$5 build_type=$6 sanitize=${7:-}

fail() { echo "install.consumer: $*" >&2; exit 1; }

rm -rf "$scratch"
mkdir -p "$scratch"
prefix=$scratch/prefix

"$cmake" --install "$build" --prefix "$prefix" > "$scratch/install.log" ||
  { cat "$scratch/install.log"; fail "cmake --install failed"; }

for f in bin/mapo include/mapo/mapo.h include/mapo/cook.h include/mapo/sum.h \
         lib/libmapo.a lib/cmake/mapo/mapoConfig.cmake \
         lib/cmake/mapo/mapoConfigVersion.cmake lib/cmake/mapo/mapoTargets.cmake \
         lib/pkgconfig/mapo.pc share/man/man1/mapo.1 \
         share/mapo/slurm/mpi-cook.sbatch share/mapo/slurm/mapo-job.sh \
         share/mapo/python/notebook_sum.py share/mapo/python/notebook_io.py \
         share/mapo/python/notebook_cook.py; do
  [ -f "$prefix/$f" ] || fail "$prefix/$f was not installed"
done
[ -x "$prefix/bin/mapo" ] || fail "bin/mapo is not executable"
[ -x "$prefix/share/mapo/slurm/mapo-job.sh" ] || fail "mapo-job.sh is not executable"
if [ -x "$build/mapo-mpi" ]; then
  [ -x "$prefix/bin/mapo-mpi" ] || fail "bin/mapo-mpi was not installed"
  [ -f "$prefix/share/man/man1/mapo-mpi.1" ] || fail "mapo-mpi.1 was not installed"
fi
"$prefix/bin/mapo" --version | grep -q '^mapo [0-9]' || fail "installed mapo --version"

# Relocatable: the prefix is moved, and everything below runs from where it went.
mv "$prefix" "$scratch/moved"
prefix=$scratch/moved

# Nothing runs from the source tree. Its path is not in the program, apart from the
# names of its source files in debugging information (stripped here) and in a sanitized
# build's diagnostics ("src/core/env.c:12: runtime error"): names for a report, never a
# folder anything is run from. mapo compare then measures the notebook's Python from the
# moved prefix.
bin=$prefix/bin/mapo stripped=
if command -v objcopy > /dev/null 2>&1; then
  objcopy --strip-debug "$bin" "$scratch/mapo-nodebug" || fail "objcopy --strip-debug failed"
  bin=$scratch/mapo-nodebug stripped=yes
fi
if [ -z "$sanitize" ] && [ -n "$stripped" ]; then
  n=$(grep -c -a -F -e "$src" "$bin" || true)
  [ "$n" = 0 ] || fail "bin/mapo holds the source tree's path ($src) $n times"
elif command -v strings > /dev/null 2>&1; then
  strings -a "$bin" | awk -v src="$src" '
    index($0, src) {
      rest = substr($0, index($0, src) + length(src))
      if (rest !~ /^\/(src|mpi|include)\/[A-Za-z0-9_.\/-]+\.[ch]$/) { print; bad = 1 }
    }
    END { exit bad }' > "$scratch/paths.log" ||
    { cat "$scratch/paths.log"; fail "bin/mapo holds the source tree's path, not as a file name"; }
else
  echo "neither objcopy nor strings found: bin/mapo not searched for the source tree's path"
fi
if command -v python3 > /dev/null 2>&1; then
  # mpirun's plug-ins keep memory until exit (see cli.compare): no leak check there.
  ASAN_OPTIONS=detect_leaks=0:halt_on_error=1 \
    "$prefix/bin/mapo" compare --quick --base 2000000 --requests 8 --latency-ms 2 --unit-ms 1 --json \
    > "$scratch/compare.json" 2> "$scratch/compare.err" ||
    { cat "$scratch/compare.err"; fail "mapo compare from the moved prefix failed"; }
  python3 - "$scratch/compare.json" <<'PY' || fail "mapo compare's Python column is not measured"
import json, sys
rows = json.load(open(sys.argv[1]))["rows"]
for row in rows:
    v = row["seconds"]["python"]
    if not isinstance(v, (int, float)) or v <= 0:
        sys.exit(f"{row['workload']}: python = {v}, note: {row['notes'].get('python')}")
PY
else
  echo "python3 not found: the Python column of mapo compare not checked"
fi

# The exported targets must not hand the build's own flags to a consumer.
if grep -E -e '-march=native|-fsanitize|-Wall' "$prefix"/lib/cmake/mapo/mapoTargets*.cmake ||
   grep -F -e "$src/include" "$prefix"/lib/cmake/mapo/mapoTargets*.cmake; then
  fail "mapoTargets.cmake passes the build's own flags or source paths on"
fi

# The man pages render (groff is optional; man -l needs it too).
if command -v groff > /dev/null 2>&1; then
  for page in "$prefix"/share/man/man1/*.1; do
    out=$(groff -man -Tascii -ww "$page" 2>&1 > /dev/null)
    [ -z "$out" ] || fail "groff warns on $page: $out"
    groff -man -Tascii -P-cbou "$page" 2> /dev/null | grep -q 'EXIT STATUS' || fail "$page does not render"
  done
else
  echo "groff not found: man pages not rendered"
fi

flags= opt=-O2
if [ -n "$sanitize" ]; then
  # -O0 as the tsan preset builds: clang's optimiser adds loads that TSan reports.
  flags="-fsanitize=$sanitize -fno-omit-frame-pointer" opt="-O0 -g"
fi

# 1. CMake: find_package(mapo), the README's commands with the build's compiler.
"$cmake" -S "$src/examples/exercise" -B "$scratch/build-ex" \
  -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_C_COMPILER="$cc" -DCMAKE_BUILD_TYPE="$build_type" \
  -DCMAKE_C_FLAGS="$flags" -DCMAKE_EXE_LINKER_FLAGS="$flags" > "$scratch/configure.log" 2>&1 ||
  { cat "$scratch/configure.log"; fail "configuring examples/exercise failed"; }
"$cmake" --build "$scratch/build-ex" > "$scratch/build.log" 2>&1 ||
  { cat "$scratch/build.log"; fail "building examples/exercise failed"; }
"$scratch/build-ex/my_models" 2 > "$scratch/run.log" 2>&1 ||
  { cat "$scratch/run.log"; fail "my_models (CMake build) did not verify"; }
grep -q '^all verified$' "$scratch/run.log" || { cat "$scratch/run.log"; fail "no 'all verified'"; }
grep -q 'my-levels: verified' "$scratch/run.log" || fail "the student's cook model did not run"
grep -q '^my-dynamic .*verified$' "$scratch/run.log" || fail "the student's sum model did not run"
# The graded exercises' checker, as a student builds it: the starting files fail every
# task (exit 1), each with what to fix (--no-speed: never the machine's speed).
rc=0
"$scratch/build-ex/grade" --no-speed > "$scratch/grade.log" 2>&1 || rc=$?
[ "$rc" = 1 ] && grep -q '^0 of 3 passed$' "$scratch/grade.log" ||
  { cat "$scratch/grade.log"; fail "grade (the starting files) did not fail every task"; }

# 2. pkg-config: the same file in one compiler command, as the README shows.
PKG_CONFIG_PATH=$prefix/lib/pkgconfig
export PKG_CONFIG_PATH
pc=$(pkg-config --cflags --libs mapo) || fail "pkg-config --cflags --libs mapo failed"
# shellcheck disable=SC2086 # the flags are words
"$cc" $opt $flags "$src/examples/exercise/my_models.c" $pc -o "$scratch/my_models_pc" \
  > "$scratch/pc.log" 2>&1 || { cat "$scratch/pc.log"; fail "pkg-config build failed ($pc)"; }
"$scratch/my_models_pc" 0 > "$scratch/run_pc.log" 2>&1 ||
  { cat "$scratch/run_pc.log"; fail "my_models (pkg-config build) did not verify"; }

echo "install.consumer: installed and moved to $prefix; mapo compare measured the" \
     "notebook's Python from there; the exercise built with CMake and with pkg-config" \
     "($pc) and verified"
