#!/usr/bin/env bash
# bench/cook-per-step.sh - the runtime's own cost per step, and how it scales.
#
# Cooks generated recipes of 10,000 and 100,000 steps at --unit-ms 0 (every step takes
# no time, so the makespan is pure runtime cost) with 2 cooks, for tasks and
# tasks-counted. Each process cooks R times after a warm-up and reports its median;
# the sizes alternate across P processes so that machine drift (on a shared VM a
# process now and then runs 2-3x slower throughout) hits both alike; the table gives
# the median over processes.
#
# usage: bench/cook-per-step.sh [path/to/mapo] [processes P, default 5] [repeats R, default 5]
set -euo pipefail
mapo=${1:-build/release/mapo}
procs=${2:-5}
repeat=${3:-5}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
for n in 10000 100000; do
  "$mapo" recipe generate --steps "$n" --seed 1 > "$dir/g$n.recipe"
done
for p in $(seq "$procs"); do
  for model in tasks tasks-counted; do
    for n in 10000 100000; do
      "$mapo" cook --model "$model" --recipe "$dir/g$n.recipe" --unit-ms 0 --cooks 2 \
        --repeat "$repeat" --json > "$dir/$model.$n.$p.json"
    done
  done
done
python3 - "$dir" "$procs" <<'PY'
import json, statistics, sys
d, procs = sys.argv[1], int(sys.argv[2])
print(f"{'model':14} {'steps':>7} {'makespan ms':>12} {'us/step':>8} {'100k/10k':>9}   (median of {procs} processes)")
for model in ("tasks", "tasks-counted"):
    med = {}
    for n in (10000, 100000):
        v = [json.load(open(f"{d}/{model}.{n}.{p}.json"))["spread"]["makespan_ms"]["median"]
             for p in range(1, procs + 1)]
        med[n] = statistics.median(v)
        ratio = f"{med[100000] / med[10000]:9.2f}" if n == 100000 else " " * 9
        print(f"{model:14} {n:7d} {med[n]:12.3f} {med[n] * 1000 / n:8.3f} {ratio}")
PY
