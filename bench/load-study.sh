#!/usr/bin/env bash
# bench/load-study.sh - "too much load will strangle your system", reproducibly (issue 15):
# RUNS processes of `mapo load --part strangle`, each its own median of 5 timed runs per
# cell, and for each the spinning team at 4x the processors against the team at the
# processors (slowdown_spinning in its JSON). The claim: at least 2x slower in at least 9
# of 10 runs. Also prints the blocking team's slowdown beside it (the polite barrier),
# and, once, the grain crossover (`mapo load --part grain`).
#
# usage: bench/load-study.sh [--build DIR] [--runs N] [--need K]
#   --build DIR  the build holding mapo                   (default build/release)
#   --runs N     processes                               (default 10)
#   --need K     runs that must reach 2x for exit 0       (default: 9 of 10, scaled)
# Takes about 1 minute on 2 cores; run it on a quiet machine (on a shared one, under its
# lock: flock /tmp/mapo-cpu.lock bench/load-study.sh). Exit 0 when the claim held, 1 when
# it did not, 2 on bad usage.
set -euo pipefail
build=build/release runs=10 need=""
while [ $# -gt 0 ]; do
  case $1 in
    --build) build=$2 ;;
    --runs) runs=$2 ;;
    --need) need=$2 ;;
    *) echo "usage: $0 [--build DIR] [--runs N] [--need K]" >&2; exit 2 ;;
  esac
  shift 2
done
[ -n "$need" ] || need=$(( (runs * 9 + 9) / 10 ))
mapo=$build/mapo
[ -x "$mapo" ] || { echo "$0: no $mapo (cmake --preset release && cmake --build build/release)" >&2; exit 2; }
read_json() { python3 -c 'import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1]))' "$1"; }

echo "machine: $(uname -n), $(nproc) processors online, $("$mapo" --version)"
echo "run  spinning 4x/1x  blocking 4x/1x  spinning 1x s  spinning 4x s  verdict class"
held=0
for i in $(seq 1 "$runs"); do
  out=$("$mapo" load --part strangle --json)
  ratio=$(read_json 'd["strangle"]["slowdown_spinning"]' <<<"$out")
  polite=$(read_json 'd["strangle"]["slowdown_blocking"]' <<<"$out")
  one=$(read_json 'd["strangle"]["rows"][0]["spinning"]["seconds_median"]' <<<"$out")
  four=$(read_json 'd["strangle"]["rows"][-1]["spinning"]["seconds_median"]' <<<"$out")
  cls=$(read_json 'd["strangle"]["verdict_spinning_class"]' <<<"$out")
  printf '%3d  %15.2f  %14.2f  %13.4f  %13.4f  %s\n' "$i" "$ratio" "$polite" "$one" "$four" "$cls"
  if python3 -c 'import sys; sys.exit(0 if float(sys.argv[1]) >= 2 else 1)' "$ratio"; then
    held=$((held + 1))
  fi
done
echo "at 4x the processors, at least 2x slower than at the processors: $held of $runs runs (need $need)"

out=$("$mapo" load --part grain --json)
echo "grain: $(read_json '" ".join("%d:%.4f" % (r["grain"], r["seconds_median"]) for r in d["grain"]["rows"])' <<<"$out")"
echo "grain: best $(read_json 'd["grain"]["best_grain"]' <<<"$out"), crossover $(read_json 'd["grain"]["crossover_grain"]' <<<"$out"), tiniest $(read_json '"%.1fx" % d["grain"]["tiniest_slowdown"]' <<<"$out") the best, largest $(read_json '"%.2fx" % d["grain"]["largest_slowdown"]' <<<"$out")"
[ "$held" -ge "$need" ]
