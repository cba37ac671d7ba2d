#!/usr/bin/env bash
# imb-pingpong.sh - `mapo-mpi pingpong` against the Intel MPI Benchmarks' PingPong
# (IMB-MPI1), two ranks on one node: best of 5 alternating runs of each, 0-byte latency
# and 1 MiB bandwidth side by side, with the ratios and issue 14's targets (mapo's
# latency within 1.2x IMB's, its bandwidth at least 0.95x).
#
#   IMB_SRC=/tmp/imb bench/imb-pingpong.sh [MAPO_MPI]
#
# IMB_SRC is a folder holding the benchmarks' public source (its top Makefile and
# src_cpp/), e.g. from a bare mirror:
#   mkdir /tmp/imb && git --git-dir=MIRROR archive HEAD | tar x -C /tmp/imb
# It is built in a copy under /tmp with mpicc and mpicxx as its Makefile builds it
# (-O0, its default; OMPI_SKIP_MPICXX because Open MPI's C++ bindings do not build with
# its -Werror). Nothing of it is copied into mapo. IMB_BIN=path skips the build.
# MAPO_MPI defaults to build/release/mapo-mpi. RUNS (default 5) runs of each alternate, so
# that a busy moment of the machine hits both. Both run as `mpirun -n 2 --bind-to core`
# (one core each) with the same iteration rule (1000 round trips below 64 KiB, 40 MB
# moved above, IMB's defaults, which mapo-mpi copies). The bandwidth of both is computed
# here from their time at 1 MiB (1 MB = 1e6 bytes).
# Run it alone on the machine (here: flock /tmp/mapo-cpu.lock bench/imb-pingpong.sh).
# Exits 2 when IMB_SRC is not given, 1 when a build or a run fails, else 0 (a target
# missed is reported, not an error: this measures, it does not test).
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
mapo=${1:-$here/build/release/mapo-mpi}
runs=${RUNS:-5}
big=1048576

if [[ -z "${IMB_BIN:-}" && -z "${IMB_SRC:-}" ]]; then
  cat >&2 <<'TXT'
imb-pingpong.sh: set IMB_SRC to a folder with the Intel MPI Benchmarks' source (its
Makefile and src_cpp/), e.g. from a bare mirror of github.com/intel/mpi-benchmarks:
  mkdir /tmp/imb && git --git-dir=MIRROR archive HEAD | tar x -C /tmp/imb
  IMB_SRC=/tmp/imb bench/imb-pingpong.sh
or IMB_BIN to an IMB-MPI1 already built.
TXT
  exit 2
fi
[[ -x "$mapo" ]] || { echo "imb-pingpong.sh: no mapo-mpi at $mapo (build first)" >&2; exit 2; }

export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
work=$(mktemp -d /tmp/imb-pingpong.XXXXXX)
trap 'rm -rf "$work"' EXIT

imb=${IMB_BIN:-}
if [[ -z "$imb" ]]; then
  [[ -f "$IMB_SRC/Makefile" && -d "$IMB_SRC/src_cpp" ]] ||
    { echo "imb-pingpong.sh: $IMB_SRC has no Makefile and src_cpp/" >&2; exit 2; }
  cp -r "$IMB_SRC" "$work/src"
  echo "building IMB-MPI1 from $IMB_SRC (log: $work/build.log) ..." >&2
  if ! make -C "$work/src" IMB-MPI1 CC=mpicc CXX=mpicxx CPPFLAGS=-DOMPI_SKIP_MPICXX=1 \
      >"$work/build.log" 2>&1; then
    tail -20 "$work/build.log" >&2
    echo "imb-pingpong.sh: IMB-MPI1 did not build" >&2
    exit 1
  fi
  imb=$work/src/IMB-MPI1
fi
printf '0\n%d\n' "$big" >"$work/lengths"

launch=(mpirun -n 2 --bind-to core --map-by core)

# One run of each: "latency_usec time_at_1MiB_usec" on stdout.
imb_once() {
  "${launch[@]}" "$imb" PingPong -msglen "$work/lengths" -iter 1000,40 -time 10 >"$work/imb.out"
  awk -v big="$big" '/Benchmarking PingPong/ { on = 1 }
    on && $1 == "0" && NF >= 4 { lat = $3 }
    on && $1 == big && NF >= 4 { t = $3 }
    END { if (lat == "" || t == "") exit 1; print lat, t }' "$work/imb.out"
}
mapo_once() {
  "${launch[@]}" "$mapo" pingpong --max-bytes "$big" --json >"$work/mapo.json"
  python3 - "$work/mapo.json" "$big" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
rows = {r["bytes"]: r["usec"] for r in doc["rows"]}
print(rows[0], rows[int(sys.argv[2])])
PY
}

: >"$work/imb.txt"
: >"$work/mapo.txt"
for i in $(seq "$runs"); do
  imb_once >>"$work/imb.txt" || { cat "$work/imb.out" >&2; echo "imb-pingpong.sh: IMB failed" >&2; exit 1; }
  mapo_once >>"$work/mapo.txt" || { echo "imb-pingpong.sh: mapo-mpi failed" >&2; exit 1; }
  echo "run $i of $runs: IMB $(tail -1 "$work/imb.txt"), mapo $(tail -1 "$work/mapo.txt") (us)" >&2
done

python3 - "$work/imb.txt" "$work/mapo.txt" "$big" "$runs" <<'PY'
import sys
def best(path):
    rows = [tuple(map(float, l.split())) for l in open(path) if l.strip()]
    return min(r[0] for r in rows), min(r[1] for r in rows), rows
big, runs = int(sys.argv[3]), sys.argv[4]
il, it, irows = best(sys.argv[1])
ml, mt, mrows = best(sys.argv[2])
ibw, mbw = big / it, big / mt  # bytes/us = MB/s
lat_ratio, bw_ratio = ml / il, mbw / ibw
print(f"\nPingPong, 2 ranks on one node, best of {runs} alternating runs of each\n")
print(f"  {'':22s} {'IMB-MPI1':>10s} {'mapo-mpi':>10s} {'mapo/IMB':>9s}  target")
print(f"  {'latency 0 B (us)':22s} {il:10.3f} {ml:10.3f} {lat_ratio:9.2f}  <= 1.20: "
      f"{'met' if lat_ratio <= 1.2 else 'MISSED'}")
print(f"  {'bandwidth 1 MiB (MB/s)':22s} {ibw:10.0f} {mbw:10.0f} {bw_ratio:9.2f}  >= 0.95: "
      f"{'met' if bw_ratio >= 0.95 else 'MISSED'}")
spread = lambda rows, k: f"{min(r[k] for r in rows):.3f}-{max(r[k] for r in rows):.3f}"
print(f"\n  every run (us): IMB 0 B {spread(irows, 0)}, 1 MiB {spread(irows, 1)}; "
      f"mapo 0 B {spread(mrows, 0)}, 1 MiB {spread(mrows, 1)}")
PY
