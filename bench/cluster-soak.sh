#!/usr/bin/env bash
# cluster-soak.sh - many MPI starts across the test cluster's nodes, beside a CPU hog on
# every core: the check that Open MPI 4.1.4 no longer loses a rank in MPI_Init across
# nodes under load (DEVELOPERS.md, "start-up crash"). As root, Slurm and Open MPI
# installed, the release build made.
#
#   bench/cluster-soak.sh srun|mpirun [RUNS] [MAPO_MPI]
#
# srun: `srun --mpi=pmix` steps in a 3-node cluster (tests/cluster/cluster.sh, which sets
# SLURM_PMIX_FENCE=ring unless the environment does), in turn pingpong on 2 nodes, sum
# with 3 ranks on 2 nodes, cook with 4 ranks on 3 nodes. mpirun: `mpirun --hostfile`
# runs (no Slurm), in turn sum with 3 ranks, cook and pingpong with 4 ranks, over two
# nodes. RUNS defaults to 150. Prints each failed run's last lines and a summary line;
# exits 1 if any failed. Figures of 2026-12-03 (2 cores): srun 0 failed of 150 (180 s),
# mpirun 0 failed of 200 (291 s). HOGS=0 runs without the hogs.
# Run it alone on the machine (here: flock /tmp/mapo-cpu.lock bench/cluster-soak.sh ...).
set -u
cd "$(dirname "$0")/.." || exit 2
how=${1:-}
runs=${2:-150}
bin=$(realpath "${3:-build/release/mapo-mpi}")
[[ $how == srun || $how == mpirun ]] || {
  echo "usage: bench/cluster-soak.sh srun|mpirun [RUNS] [MAPO_MPI]" >&2
  exit 2
}
[[ $runs =~ ^[1-9][0-9]*$ ]] || {
  echo "cluster-soak.sh: RUNS must be a positive whole number, not '$runs'" >&2
  exit 2
}
[[ -x $bin ]] || {
  echo "cluster-soak.sh: no mapo-mpi at $bin (build the release preset first)" >&2
  exit 2
}
MAPO_CLUSTER_DIR=$(mktemp -d /tmp/mapo-soak.XXXXXX)
export MAPO_CLUSTER_DIR MAPO_CLUSTER_NODES=3
C=tests/cluster/cluster.sh
hogs=()
stop() {
  [[ ${#hogs[@]} -gt 0 ]] && kill "${hogs[@]}" 2>/dev/null
  $C stop >/dev/null 2>&1
  rm -rf "$MAPO_CLUSTER_DIR"
}
trap stop EXIT
trap 'exit 130' INT TERM
$C start >/dev/null || {
  echo "cluster-soak.sh: the cluster did not start" >&2
  exit 1
}
if [[ ${HOGS:-1} != 0 ]]; then
  for ((c = 0; c < $(nproc); c++)); do
    yes >/dev/null &
    hogs+=($!)
  done
fi

step() { # step I: the command line of run I
  if [[ $how == srun ]]; then
    case $(($1 % 3)) in
      0) echo "client srun --mpi=pmix -N2 -n2 $bin pingpong --max-bytes 64 --json" ;;
      1) echo "client srun --mpi=pmix -N2 -n3 $bin sum --base 1000000 --json" ;;
      2) echo "client srun --mpi=pmix -N3 -n4 $bin cook --unit-ms 5 --json" ;;
    esac
  else
    case $(($1 % 3)) in
      0) echo "mpirun -n 4 $bin pingpong --max-bytes 64 --json" ;;
      1) echo "mpirun -n 3 $bin sum --base 1000000 --json" ;;
      2) echo "mpirun -n 4 $bin cook --unit-ms 5 --json" ;;
    esac
  fi
}

failed=0
t0=$SECONDS
for ((i = 1; i <= runs; i++)); do
  read -ra args <<<"$(step "$i")"
  if ! out=$(timeout 120 "$C" "${args[@]}" 2>&1 >/dev/null); then
    failed=$((failed + 1))
    echo "run $i ($(step "$i" | cut -d' ' -f1-4)...) failed: $(grep -v '^$' <<<"$out" | tail -3 | tr '\n' ' ')"
  fi
done
echo "cluster-soak.sh $how: $failed failed of $runs runs in $((SECONDS - t0)) s" \
  "($([[ ${#hogs[@]} -gt 0 ]] && echo "beside ${#hogs[@]} hogs" || echo "no hogs"))"
[[ $failed -eq 0 ]]
