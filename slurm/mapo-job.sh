# Sourced by the job scripts of this folder (not a job script itself): the checks that
# make a misconfigured job fail at once with a message naming the fix, the results
# folder, and the record of the environment the results were measured in.
#
# In:  MAPO_HERE (this folder), MAPO_BIN (the folder of mapo and mapo-mpi; default
#      MAPO_HERE/../build/release), MAPO_RESULTS (default: results, relative to the
#      folder the job was submitted from).
# Out: MAPO_OUT, the job's results folder: RESULTS/JOBNAME-JOBID, with environment.txt
#      and status.txt (running, ok, or failed (exit N)).

mapo_die() {
  echo "mapo job ${SLURM_JOB_ID:-}: error: $*" >&2
  exit 2
}

# mapo_start PROGRAM...: check that we run in a job and that the programs exist, make
# the results folder and record the environment in it.
mapo_start() {
  [[ -n ${SLURM_JOB_ID:-} ]] || mapo_die "not inside a Slurm job: submit the script with sbatch"
  MAPO_BIN=${MAPO_BIN:-$(cd "$MAPO_HERE/.." && pwd)/build/release}
  local p
  for p in "$@"; do
    [[ -x $MAPO_BIN/$p ]] || mapo_die "$MAPO_BIN/$p not found: build mapo (see slurm/README.md) or set MAPO_BIN to the folder that holds $p, e.g. sbatch --export=ALL,MAPO_BIN=\$PWD/build/release ..."
  done
  MAPO_OUT=${MAPO_RESULTS:-results}/${SLURM_JOB_NAME}-${SLURM_JOB_ID}
  mkdir -p "$MAPO_OUT" || mapo_die "cannot make the results folder $MAPO_OUT: set MAPO_RESULTS to a writable folder"
  {
    echo "MAPO_HOST=$(hostname)"
    echo "MAPO_VERSION=$("$MAPO_BIN/$1" --version)"
    echo "MAPO_BIN=$MAPO_BIN"
    env | grep -E '^(SLURM|SRUN|OMP)_' | sort
  } >"$MAPO_OUT/environment.txt"
  # status.txt says whether the job ended well: "running" until the script exits (a
  # script killed outright leaves it so), then "ok" or "failed (exit N)", so that a
  # folder of partial results never passes for a finished one.
  # Slurm ends a cancelled or failed job with SIGTERM: exit, so that the trap says so.
  echo running >"$MAPO_OUT/status.txt"
  trap 'mapo_status $?' EXIT
  trap 'exit 143' TERM
  echo "mapo job $SLURM_JOB_ID: results in $MAPO_OUT"
}

# mapo_status CODE: the script's exit code, into status.txt (the EXIT trap).
mapo_status() {
  if [[ $1 -eq 0 ]]; then echo ok; else echo "failed (exit $1)"; fi >"$MAPO_OUT/status.txt"
}

# mapo_threads: the job's threads per task come from --cpus-per-task. Since Slurm 22.05
# srun no longer inherits --cpus-per-task from the job: export SRUN_CPUS_PER_TASK.
mapo_threads() {
  [[ -n ${SLURM_CPUS_PER_TASK:-} ]] || mapo_die "no --cpus-per-task: give the threads per task, e.g. sbatch --cpus-per-task=4 $(basename "${MAPO_SCRIPT:-script}")"
  export SRUN_CPUS_PER_TASK=$SLURM_CPUS_PER_TASK
  export OMP_NUM_THREADS=$SLURM_CPUS_PER_TASK
  export OMP_PROC_BIND=${OMP_PROC_BIND:-close}
  export OMP_PLACES=${OMP_PLACES:-cores}
}

# mapo_check_cores SRUN_ARGS...: run one step shaped like the real one and fail if a task
# may use fewer CPUs than it has threads (its threads would share them).
mapo_check_cores() {
  local seen
  # nproc counts the CPUs the task may use, but obeys OMP_NUM_THREADS: unset it there
  seen=$(srun "$@" bash -c 'echo "$SLURM_PROCID $(env -u OMP_NUM_THREADS -u OMP_THREAD_LIMIT nproc) $(taskset -cp $$ 2>/dev/null | sed "s/.*: //")"') \
    || mapo_die "the step 'srun $*' did not start: see the job's output above"
  echo "$seen" | sed 's/^/  task, cpus, affinity: /'
  local rank n cpus
  while read -r rank n cpus; do
    [[ $n -ge $SLURM_CPUS_PER_TASK ]] || mapo_die "task $rank may use $n CPU(s) ($cpus) for $SLURM_CPUS_PER_TASK threads: its threads would share them. Fix: ask for no more --cpus-per-task than a node has cores, export SRUN_CPUS_PER_TASK=\$SLURM_CPUS_PER_TASK (srun ignores the job's --cpus-per-task since Slurm 22.05) and launch with srun --cpu-bind=cores"
  done <<<"$seen"
}
