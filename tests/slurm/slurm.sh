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

die() { echo "slurm.sh: $*" >&2; exit 1; }
skip() { echo "slurm.sh: skipped: $*" >&2; exit 77; }

[[ -n "${MAPO_SLURM_DIR:-}" ]] || die "set MAPO_SLURM_DIR to the harness folder"
D=$MAPO_SLURM_DIR
NODE=mapo1
export SLURM_CONF=$D/etc/slurm.conf
# sbatch exports the submitting environment (--export=ALL) to the job: Open MPI, run by
# srun as root here, needs these (a real cluster's users are not root).
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1

need_slurm() {
  local p
  for p in munged mungekey slurmctld slurmd sbatch srun scontrol sinfo; do
    command -v "$p" >/dev/null 2>&1 || PATH=$PATH:/usr/sbin:/sbin command -v "$p" >/dev/null 2>&1 \
      || skip "$p not found (apt-get install slurm-wlm munge)"
  done
  [[ $(id -u) -eq 0 ]] || skip "the test Slurm runs its daemons as root"
  PATH=$PATH:/usr/sbin:/sbin
}

# A free TCP port on 127.0.0.1 (the kernel's choice), so that two build trees' Slurms
# never clash.
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Is PID alive and running the program NAME (a recycled pid is not ours)?
is_ours() {
  local pid=$1 name=$2
  [[ -r /proc/$pid/comm ]] && [[ $(cat "/proc/$pid/comm" 2>/dev/null) == "$name"* ]]
}

# Stop the daemons recorded in run/pids (all, or those named), slurmd first, and wait
# for each to be gone: SIGTERM, then SIGKILL after 10 s.
stop_daemons() {
  local pids=$D/run/pids name pid i kept=()
  [[ -f $pids ]] || return 0
  while read -r name pid; do
    if [[ $# -gt 0 && " $* " != *" $name "* ]]; then kept+=("$name $pid"); continue; fi
    if is_ours "$pid" "$name"; then kill -TERM "$pid" 2>/dev/null || true; fi
    for ((i = 0; i < 100; i++)); do is_ours "$pid" "$name" || break; sleep 0.1; done
    if is_ours "$pid" "$name"; then
      echo "slurm.sh: $name ($pid) ignored SIGTERM for 10 s: SIGKILL" >&2
      kill -KILL "$pid" 2>/dev/null || true
    fi
  done < <(tac "$pids")
  if [[ ${#kept[@]} -gt 0 ]]; then printf '%s\n' "${kept[@]}" | tac >"$pids"; else rm -f "$pids"; fi
}

cmd_stop() {
  stop_daemons
  echo "slurm.sh: stopped the daemons of $D"
}

# Record the pid of daemon NAME from its PIDFILE (waiting up to 10 s for it), or fail
# with the end of its LOG.
record() {
  local name=$1 pidfile=$2 log=$3 i
  for ((i = 0; i < 100; i++)); do
    if [[ -s $pidfile ]] && is_ours "$(cat "$pidfile")" "$name"; then
      echo "$name $(cat "$pidfile")" >>"$D/run/pids"
      return 0
    fi
    sleep 0.1
  done
  die "$name did not start: $(tail -5 "$log" 2>/dev/null)"
}

write_conf() {
  local ctld_port=$1 d_port=$2 task=$3
  cat >"$SLURM_CONF" <<EOF
# Written by tests/slurm/slurm.sh: a single-node Slurm without systemd or cgroups.
ClusterName=mapo
SlurmctldHost=$(hostname -s)(127.0.0.1)
SlurmUser=root
SlurmdUser=root
SlurmctldPort=$ctld_port
SlurmdPort=$d_port
AuthType=auth/munge
AuthInfo=socket=$D/munge/socket/munge.socket
CredType=cred/munge
StateSaveLocation=$D/state
SlurmdSpoolDir=$D/spool/%n
SlurmctldPidFile=$D/run/slurmctld.pid
SlurmdPidFile=$D/run/slurmd.pid
SlurmctldLogFile=$D/log/slurmctld.log
SlurmdLogFile=$D/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=$task
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SlurmdParameters=config_overrides
EnforcePartLimits=ALL
SchedulerParameters=batch_sched_delay=0,sched_interval=1
MpiDefault=none
ReturnToService=2
MinJobAge=600
KillWait=2
MailProg=/bin/true
JobCompType=jobcomp/none
AccountingStorageType=accounting_storage/none
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
  stop_daemons # leftovers of a run that was killed before its cleanup
  rm -rf "$D"
  mkdir -p "$D"/{etc,state,spool,log,run,munge/socket}
  chmod 755 "$D" "$D/munge" "$D/munge/socket" # the socket folder: world-executable

  # munge: our own key (root, 600), socket, pid and log
  mungekey --create --keyfile="$D/munge/munge.key"
  chmod 600 "$D/munge/munge.key"
  munged --socket="$D/munge/socket/munge.socket" --key-file="$D/munge/munge.key" \
    --pid-file="$D/munge/munged.pid" --log-file="$D/munge/munged.log" \
    --seed-file="$D/munge/munged.seed" --force
  record munged "$D/munge/munged.pid" "$D/munge/munged.log"

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

# The job's exit code from `scontrol show job`: ExitCode=E:S (S: the signal).
cmd_submit() {
  need_slurm
  [[ $# -ge 1 ]] || die "usage: slurm.sh submit SCRIPT [SBATCH ARGS] [-- SCRIPT ARGS]"
  [[ -f $SLURM_CONF ]] || die "no Slurm running in $D: run slurm.sh start"
  local script=$1 sbatch_args=() script_args=() id info state code sig out i
  shift
  while [[ $# -gt 0 && $1 != -- ]]; do sbatch_args+=("$1"); shift; done
  [[ $# -gt 0 ]] && shift
  script_args=("$@")
  mkdir -p "$D/jobs"
  id=$(sbatch --parsable --output="$D/jobs/%x-%j.out" "${sbatch_args[@]}" \
    "$script" "${script_args[@]}") || return 1
  id=${id%%;*}
  echo "slurm.sh: job $id: $(basename "$script") ${sbatch_args[*]} ${script_args[*]}" >&2
  local timeout=${MAPO_SLURM_TIMEOUT:-120}
  for ((i = 0; i < timeout * 10; i++)); do
    info=$(scontrol show job "$id" 2>/dev/null || true)
    state=$(sed -n 's/.*JobState=\([A-Z_]*\).*/\1/p' <<<"$info")
    case $state in
      PENDING | CONFIGURING | RUNNING | COMPLETING | SUSPENDED | "") sleep 0.1 ;;
      *) break ;;
    esac
  done
  out=$(sed -n 's/^ *StdOut=//p' <<<"$info")
  if [[ $i -ge $((timeout * 10)) ]]; then
    scancel "$id" 2>/dev/null || true
    echo "slurm.sh: job $id still $state after ${timeout} s: cancelled. Its output:" >&2
    cat "$out" >&2 2>/dev/null || true
    return 124
  fi
  code=$(sed -n 's/.* ExitCode=\([0-9]*\):\([0-9]*\).*/\1/p' <<<"$info")
  sig=$(sed -n 's/.* ExitCode=\([0-9]*\):\([0-9]*\).*/\2/p' <<<"$info")
  [[ ${sig:-0} -ne 0 ]] && code=$((128 + sig))
  [[ $state != COMPLETED && ${code:-0} -eq 0 ]] && code=1 # cancelled, timed out, ...
  echo "slurm.sh: job $id $state, exit code ${code:-?}" >&2
  if [[ ${code:-1} -ne 0 ]]; then
    echo "----- output of job $id ($out) -----" >&2
    cat "$out" >&2 2>/dev/null || true
    echo "-----" >&2
  fi
  return "${code:-1}"
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
  submit) shift; cmd_submit "$@" ;;
  test-only) shift; cmd_test_only "$@" ;;
  *) die "usage: slurm.sh start|stop|submit SCRIPT [SBATCH ARGS] [-- SCRIPT ARGS]" ;;
esac
