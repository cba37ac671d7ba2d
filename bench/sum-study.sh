#!/usr/bin/env bash
# bench/sum-study.sh - the CPU-bound benchmark's claims, measured: each figure the median
# over RUNS processes of each one's median of 11 timed runs, the processes interleaved
# (A B C A B C ...) so that machine drift hits every side alike.
#
#  1. mapo sum --model serial against the plain reference kernel (bench/sum-reference.c)
#     built by gcc and by clang, -O3 -march=native, at the notebook's size (issue 12:
#     serial at most 1.0x the faster reference);
#  2. with --portable, a portable build's serial (`cmake -B b && cmake --build b`: no
#     -march=native, the kernel's copy chosen when mapo is loaded) beside the release
#     build's (issue 12: within 1.05x);
#  3. doubling --base doubles the time, mapo's and each reference's (the work is real,
#     not a closed form: the script stops if a reference's time does not grow);
#  4. reduction at 2 threads against 1 thread, --base 50000000 (runs of 100+ ms: at the
#     notebook's size a run is a few ms and the machine's noise is as large as the effect);
#  5. every model at 2 threads (--base 500000: critical and atomic take the lock per term);
#  6. with --second, another mapo (say the clang preset's, build/clang) beside the first.
#
# usage: bench/sum-study.sh [--build DIR] [--portable DIR] [--second DIR] [--runs N]
#   --build DIR     the release build: DIR/mapo, DIR/sum-reference-{gcc,clang}
#                   (default build/release; cmake --preset release && cmake --build
#                   build/release builds them all)
#   --portable DIR  a portable build's DIR/mapo            (default: none)
#   --second DIR    another build's DIR/mapo                (default: none)
#   --runs N        processes per figure                    (default 11)
# Takes about 30 s; run it on a quiet machine (on a shared one, under its lock: flock
# /tmp/mapo-cpu.lock bench/sum-study.sh ...).
set -euo pipefail
build=build/release portable="" second="" runs=11
while [ $# -gt 0 ]; do
  case $1 in
    --build) build=$2 ;;
    --portable) portable=$2 ;;
    --second) second=$2 ;;
    --runs) runs=$2 ;;
    *) echo "usage: $0 [--build DIR] [--portable DIR] [--second DIR] [--runs N]" >&2; exit 2 ;;
  esac
  shift 2
done
refs=""
for cc in gcc clang; do
  if [ -x "$build/sum-reference-$cc" ]; then refs="$refs $cc"; fi
done
if [ ! -x "$build/mapo" ] || [ -z "$refs" ]; then
  echo "$0: $build/mapo or $build/sum-reference-{gcc,clang} missing (build $build first)" >&2
  exit 2
fi
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
serial() { "$1" sum --model serial --threads 1 --repeat 11 --json "${@:2}"; }
reduction() { "$1" sum --model reduction --threads "$2" --base 50000000 --repeat 1 --json; }

for r in $(seq "$runs"); do
  serial "$build/mapo" > "$dir/serial.$r.json"
  [ -z "$portable" ] || serial "$portable/mapo" > "$dir/portable.$r.json"
  for cc in $refs; do "$build/sum-reference-$cc" 5000000 20 11 > "$dir/ref-$cc.$r.txt"; done
  [ -z "$second" ] || serial "$second/mapo" > "$dir/second.$r.json"
  serial "$build/mapo" --base 10000000 > "$dir/serial2x.$r.json"
  for cc in $refs; do "$build/sum-reference-$cc" 10000000 20 11 > "$dir/ref2x-$cc.$r.txt"; done
  reduction "$build/mapo" 1 > "$dir/red1.$r.json"
  reduction "$build/mapo" 2 > "$dir/red2.$r.json"
  [ -z "$second" ] || reduction "$second/mapo" 2 > "$dir/second-red2.$r.json"
done
for r in $(seq 3); do
  for m in critical atomic false-sharing padded reduction; do
    "$build/mapo" sum --model "$m" --threads 2 --base 500000 --repeat 3 --json \
      > "$dir/model.$m.$r.json"
  done
done

python3 - "$dir" "$runs" "$refs" "$portable" "$second" <<'PY'
import json, statistics, sys
d, runs, refs, portable, second = sys.argv[1], int(sys.argv[2]), sys.argv[3].split(), *sys.argv[4:]
def doc(name, r):
    j = json.load(open(f"{d}/{name}.{r}.json"))
    if not j["verified"]:
        sys.exit(f"{name}: run {r} did not verify")
    return j
def med(name):
    return statistics.median(doc(name, r)["seconds_median"] for r in range(1, runs + 1))
def ref(name):
    return statistics.median(float(open(f"{d}/{name}.{r}.txt").read()) for r in range(1, runs + 1))
def line(label, seconds, note=""):
    print(f"  {label:48} {seconds * 1e3:8.3f} ms   {note}".rstrip())
serial, serial2x = med("serial"), med("serial2x")
kernel = doc("serial", 1)["environment"].get("sum_kernel", "?")
print(f"medians of {runs} interleaved processes, each the median of its 11 runs")
line(f"mapo serial, 20 x 5e6 (kernel {kernel})", serial)
best = None
for cc in refs:
    t, t2 = ref(f"ref-{cc}"), ref(f"ref2x-{cc}")
    line(f"reference, {cc} -O3 -march=native", t, f"serial / it = {serial / t:.2f}")
    line(f"reference, {cc}, --base 10000000", t2, f"x{t2 / t:.2f} for twice the n")
    if t2 / t < 1.5:
        sys.exit(f"reference {cc}: twice the n did not take about twice the time: no real work")
    best = t if best is None else min(best, t)
print(f"  {'serial / the faster reference':48} {serial / best:8.2f}      (issue 12: at most 1.00)")
line("mapo serial, --base 10000000", serial2x, f"x{serial2x / serial:.2f} for twice the n")
if portable:
    p = med("portable")
    pk = doc("portable", 1)["environment"].get("sum_kernel", "?")
    line(f"portable build's serial (kernel {pk})", p,
         f"/ release = {p / serial:.2f} (issue 12: at most 1.05)")
red1, red2 = med("red1"), med("red2")
line("reduction, --base 5e7, 1 thread", red1)
line("reduction, --base 5e7, 2 threads", red2, f"speedup {red1 / red2:.2f}")
if second:
    s, s2 = med("second"), med("second-red2")
    comp = doc("second", 1)["environment"]["compiler"].strip()
    line(f"second build ({comp}): serial", s, f"/ first = {s / serial:.2f}")
    line("second build: reduction, 2 threads", s2, f"/ first = {s2 / red2:.2f}")
print("every model at 2 threads, --base 500000 (median of 3 processes of 3 runs)")
for m in ("critical", "atomic", "false-sharing", "padded", "reduction"):
    line(m, statistics.median(doc(f"model.{m}", r)["seconds_median"] for r in (1, 2, 3)))
PY
