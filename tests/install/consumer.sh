#!/bin/sh
# consumer.sh - install mapo into a scratch prefix and build a consumer against it:
# examples/exercise through find_package(mapo), and the same file through pkg-config.
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
         share/mapo/slurm/mpi-cook.sbatch share/mapo/slurm/mapo-job.sh; do
  [ -f "$prefix/$f" ] || fail "$prefix/$f was not installed"
done
[ -x "$prefix/bin/mapo" ] || fail "bin/mapo is not executable"
[ -x "$prefix/share/mapo/slurm/mapo-job.sh" ] || fail "mapo-job.sh is not executable"
if [ -x "$build/mapo-mpi" ]; then
  [ -x "$prefix/bin/mapo-mpi" ] || fail "bin/mapo-mpi was not installed"
  [ -f "$prefix/share/man/man1/mapo-mpi.1" ] || fail "mapo-mpi.1 was not installed"
fi
"$prefix/bin/mapo" --version | grep -q '^mapo [0-9]' || fail "installed mapo --version"

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

# 2. pkg-config: the same file in one compiler command, as the README shows.
PKG_CONFIG_PATH=$prefix/lib/pkgconfig
export PKG_CONFIG_PATH
pc=$(pkg-config --cflags --libs mapo) || fail "pkg-config --cflags --libs mapo failed"
# shellcheck disable=SC2086 # the flags are words
"$cc" $opt $flags "$src/examples/exercise/my_models.c" $pc -o "$scratch/my_models_pc" \
  > "$scratch/pc.log" 2>&1 || { cat "$scratch/pc.log"; fail "pkg-config build failed ($pc)"; }
"$scratch/my_models_pc" 0 > "$scratch/run_pc.log" 2>&1 ||
  { cat "$scratch/run_pc.log"; fail "my_models (pkg-config build) did not verify"; }

echo "install.consumer: installed to $prefix; the exercise built with CMake and with" \
     "pkg-config ($pc) and verified"
