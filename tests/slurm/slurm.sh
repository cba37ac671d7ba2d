#!/usr/bin/env bash
# A real single-node Slurm for the tests: munged, slurmctld and slurmd from Debian's
# packages (munge, slurm-wlm), run as root in a folder of their own.
#
#   MAPO_SLURM_DIR=DIR slurm.sh start                 start the daemons, wait for an idle node
#   MAPO_SLURM_DIR=DIR slurm.sh stop                  stop exactly the pids `start` recorded
#   MAPO_SLURM_DIR=DIR slurm.sh submit SCRIPT [SBATCH ARGS] [-- SCRIPT ARGS]
#                                                    sbatch, poll `scontrol show job` until
#                                                    the job ends; exit with its exit code
#   MAPO_SLURM_DIR=DIR slurm.sh test-only SCRIPT [SBATCH ARGS]   sbatch --test-only
#
# Exit 77 (ctest's SKIP_RETURN_CODE) when Slurm or munge is not installed or we are not
# root. The ctest fixtures (tests/CMakeLists.txt) run `stop` even when a test fails or
# times out: no shell trap is relied on.
#
# The node declares CPUs=4 whatever the machine has (SlurmdParameters=config_overrides),
# so that 4-rank jobs fit on a 2-core machine. A second node, mapo2, is declared in
# State=CLOUD (power saving with /bin/true as resume program) and belongs only to the
# partition `two`: it never runs anything; it lets `sbatch --test-only -p two` accept a
# two-node script (checked: a FUTURE or DOWN node makes --test-only refuse it).
# Nothing is submitted to `two`: a real job there would wait for mapo2 to "resume".
set -euo pipefail

[[ -n "${MAPO_SLURM_DIR:-}" ]] || { echo "slurm.sh: set MAPO_SLURM_DIR to the harness folder" >&2; exit 1; }
D=$MAPO_SLURM_DIR
# shellcheck disable=SC2034 # lib.sh names us with it
ME=slurm.sh
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
NODE=mapo1
export SLURM_CONF=$D/etc/slurm.conf
# sbatch exports the submitting environment (--export=ALL) to the job: Open MPI, run by
# srun as root here, needs these (a real cluster's users are not root).
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1

# A free TCP port on 127.0.0.1 (the kernel's choice), so that two build trees' Slurms
# never clash.
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# One node, run where we are: its clients need only SLURM_CONF.
slurm_client() { "$@"; }

cmd_stop() {
  stop_daemons
  echo "slurm.sh: stopped the daemons of $D"
}

# TmpFS=D/tmp: PMIx's spmix_appdir_* and the job's TMPDIR stay in D, not in the
# machine's /tmp, where they would mix with another build tree's.
write_conf() {
  local ctld_port=$1 d_port=$2 task=$3
  mkdir -p "$D/tmp"
  cat >"$SLURM_CONF" <<EOF
# Written by tests/slurm/slurm.sh: a single-node Slurm without systemd or cgroups.
ClusterName=mapo
SlurmctldHost=$(hostname -s)(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$d_port
SlurmdPidFile=$D/run/slurmd.pid
SlurmdLogFile=$D/log/slurmd.log
TaskPlugin=$task
TmpFS=$D/tmp
$(conf_common)
NodeName=$NODE NodeAddr=127.0.0.1 CPUs=4 State=UNKNOWN
SuspendProgram=/bin/true
ResumeProgram=/bin/true
SuspendExcNodes=$NODE
NodeName=mapo2 NodeAddr=127.0.0.2 CPUs=4 State=CLOUD
PartitionName=local Nodes=$NODE Default=YES MaxTime=10 State=UP
PartitionName=two Nodes=$NODE,mapo2 MaxTime=10 State=UP
EOF
}

start_slurm() {
  local task=$1 i state
  write_conf "$(free_port)" "$(free_port)" "$task"
  slurmctld -i -f "$SLURM_CONF"
  record slurmctld "$D/run/slurmctld.pid" "$D/log/slurmctld.log"
  slurmd -N "$NODE" -f "$SLURM_CONF"
  record slurmd "$D/run/slurmd.pid" "$D/log/slurmd.log"
  for ((i = 0; i < 300; i++)); do
    state=$(sinfo -h -n "$NODE" -o %t 2>/dev/null || true)
    [[ $state == idle ]] && break
    sleep 0.1
  done
  if [[ $state != idle ]]; then
    echo "slurm.sh: node $NODE is '${state:-?}' after 30 s" >&2
    return 1
  fi
  # task/affinity lays tasks out on the CPUs slurmd finds: on a machine with fewer
  # cores than the node declares, a 4-task step fails ("Unable to layout tasks").
  if [[ $task == task/affinity ]] && ! timeout 30 srun -n4 true 2>"$D/log/probe.log"; then
    echo "slurm.sh: 4 tasks do not fit the real CPUs under task/affinity: $(tail -1 "$D/log/probe.log")" >&2
    return 1
  fi
}

cmd_start() {
  need_slurm
  close_inherited_fds
  stop_daemons # leftovers of a run that was killed before its cleanup
  start_munge

  # task/affinity makes --cpu-bind take effect, but lays tasks out on the CPUs slurmd
  # finds: with fewer real CPUs than the node's 4, a 4-task step fails. There (and if
  # the probe fails) task/none: binding is then not enforced.
  local task=task/affinity
  [[ $(nproc --all) -ge 4 ]] || task=task/none # "Unable to layout tasks", checked
  if ! start_slurm $task; then
    [[ $task == task/affinity ]] || die "node $NODE never became idle; see $D/log"
    echo "slurm.sh: retrying with TaskPlugin=task/none" >&2
    stop_daemons slurmctld slurmd
    rm -rf "$D/state"/* "$D/spool"/* "$D/run"/*.pid
    start_slurm task/none || die "node $NODE never became idle; see $D/log"
  fi
  echo "slurm.sh: Slurm up in $D (SLURM_CONF=$SLURM_CONF)"
  sinfo
}

# sbatch --test-only: would the controller accept SCRIPT, and when would it start?
cmd_test_only() {
  need_slurm
  [[ -f $SLURM_CONF ]] || die "no Slurm running in $D: run slurm.sh start"
  sbatch --test-only "${@:2}" "$1"
}

case ${1:-} in
  start) cmd_start ;;
  stop) cmd_stop ;;
  submit) shift; need_slurm; submit "$@" ;;
  test-only) shift; cmd_test_only "$@" ;;
  *) die "usage: slurm.sh start|stop|submit SCRIPT [SBATCH ARGS] [-- SCRIPT ARGS]" ;;
esac
