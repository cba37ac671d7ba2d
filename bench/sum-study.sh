#!/usr/bin/env bash
# bench/sum-study.sh - the CPU-bound benchmark's claims, measured: each figure the
# median of interleaved runs (A B A B ...) so that machine drift hits both sides alike.
#
#  1. mapo sum --model serial against an independent -O3 -march=native kernel
#     (bench/sum-reference.c), at the notebook's size;
#  2. reduction at 2 threads against 1 thread, --base 50000000 (runs of 100+ ms: at the
#     notebook's size a run is a few ms and the machine's noise is as large as the effect);
#  3. doubling --base doubles the time (the work is real, not a closed form);
#  4. every model at 2 threads (--base 500000: critical and atomic take the lock per term);
#  5. with a second mapo (say a clang build: cmake --workflow --preset clang), the
#     same figures for it beside the first.
#
# usage: bench/sum-study.sh [MAPO [REFERENCE [MAPO2]]] [RUNS]
#   defaults: build/release/mapo build/release/sum-reference (no MAPO2), 11 runs
set -euo pipefail
mapo=${1:-build/release/mapo}
ref=${2:-build/release/sum-reference}
mapo2=${3:-}
runs=${4:-11}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
json() { "$@" --json; }

for r in $(seq "$runs"); do
  json "$mapo" sum --model serial --threads 1 --repeat 5 > "$dir/serial.$r.json"
  "$ref" 5000000 20 5 > "$dir/ref.$r.txt"
  json "$mapo" sum --model reduction --threads 1 --base 50000000 --repeat 1 > "$dir/red1.$r.json"
  json "$mapo" sum --model reduction --threads 2 --base 50000000 --repeat 1 > "$dir/red2.$r.json"
  json "$mapo" sum --model serial --threads 1 --base 10000000 --repeat 5 > "$dir/serial2x.$r.json"
  if [ -n "$mapo2" ]; then
    json "$mapo2" sum --model serial --threads 1 --repeat 5 > "$dir/b.serial.$r.json"
    json "$mapo2" sum --model reduction --threads 2 --base 50000000 --repeat 1 > "$dir/b.red2.$r.json"
  fi
done
for r in $(seq 3); do
  for m in critical atomic false-sharing padded reduction; do
    json "$mapo" sum --model "$m" --threads 2 --base 500000 --repeat 3 > "$dir/model.$m.$r.json"
  done
done

python3 - "$dir" "$runs" "$mapo2" <<'PY'
import json, statistics, sys
d, runs, two = sys.argv[1], int(sys.argv[2]), sys.argv[3]
def med(name):
    v = []
    for r in range(1, runs + 1):
        doc = json.load(open(f"{d}/{name}.{r}.json"))
        if not doc["verified"]:
            sys.exit(f"{name}: run {r} did not verify")
        v.append(doc["seconds_median"])
    return statistics.median(v)
ref = statistics.median(float(open(f"{d}/ref.{r}.txt").read()) for r in range(1, runs + 1))
serial, red1, red2, serial2x = med("serial"), med("red1"), med("red2"), med("serial2x")
print(f"medians of {runs} interleaved runs")
print(f"  serial, notebook size (20 x 5e6)      {serial*1e3:9.3f} ms")
print(f"  reference -O3 -march=native kernel    {ref*1e3:9.3f} ms   serial / reference = {serial/ref:.2f}")
print(f"  serial, --base 10000000               {serial2x*1e3:9.3f} ms   x{serial2x/serial:.2f} for twice the n")
print(f"  reduction, --base 5e7, 1 thread       {red1*1e3:9.3f} ms")
print(f"  reduction, --base 5e7, 2 threads      {red2*1e3:9.3f} ms   speedup {red1/red2:.2f}")
if two:
    b_serial, b_red2 = med("b.serial"), med("b.red2")
    print(f"  second build: serial                  {b_serial*1e3:9.3f} ms   / first = {b_serial/serial:.2f}")
    print(f"  second build: reduction, 2 threads    {b_red2*1e3:9.3f} ms   / first = {b_red2/red2:.2f}")
print("every model at 2 threads, --base 500000 (median of 3 runs of 3)")
for m in ("critical", "atomic", "false-sharing", "padded", "reduction"):
    v = statistics.median(json.load(open(f"{d}/model.{m}.{r}.json"))["seconds_median"] for r in (1, 2, 3))
    print(f"  {m:14} {v*1e3:9.3f} ms")
PY
