# shellcheck shell=bash
# Sourced by tests/slurm/slurm.sh (one node) and tests/cluster/cluster.sh (N nodes in
# namespaces): what both test Slurms do the same way. Not a program of its own.
#
# In:  D, the harness folder; ME, the program's name for messages; slurm_client, a
#      function that runs one Slurm client command (slurm.sh: as it is; cluster.sh: only
#      inside node1's namespaces, with SLURM_CONF set).
# What to notice: every daemon started is recorded in D/run/pids ("NAME PID") and
# stopped by that pid only, after checking that the pid still runs NAME.

die() { echo "$ME: $*" >&2; exit 1; }
skip() { echo "$ME: skipped: $*" >&2; exit 77; }

# Close every descriptor above 2 that this shell inherited (but bash's own 255, which
# reads the script): the daemons started after this would hold them open for as long as
# they live. `flock /tmp/mapo-cpu.lock ctest ...` hands its lock down as descriptor 3: a
# daemon left by a killed run held the machine's CPU lock until the next start swept it.
close_inherited_fds() {
  local fd
  for fd in /proc/$BASHPID/fd/*; do
    fd=${fd##*/}
    [[ $fd -gt 2 && $fd -ne 255 ]] || continue
    eval "exec $fd>&-" 2>/dev/null || true
  done
}

# Slurm and munge installed, and we are root (the daemons run as root here), or skip.
need_slurm() {
  local p
  PATH=$PATH:/usr/sbin:/sbin
  for p in munged mungekey slurmctld slurmd sbatch srun scontrol sinfo scancel; do
    command -v "$p" >/dev/null 2>&1 || skip "$p not found (apt-get install slurm-wlm munge)"
  done
  [[ $(id -u) -eq 0 ]] || skip "the test Slurm runs its daemons as root"
}

# Is PID alive and running the program NAME with D in its arguments (every daemon here is
# started with a path under D: a recycled pid, or the same daemon of another build tree's
# harness, is not ours)? A zombie has ended: only its parent (often pid 1, for a daemon)
# has yet to reap it.
is_ours() {
  local pid=$1 name=$2 stat
  stat=$(cat "/proc/$pid/stat" 2>/dev/null) || return 1
  [[ ${stat##*) } != [ZX]* ]] || return 1
  [[ $(cat "/proc/$pid/comm" 2>/dev/null) == "$name"* ]] || return 1
  [[ $({ tr '\0' ' ' <"/proc/$pid/cmdline"; } 2>/dev/null) == *"$D/"* ]]
}

# Stop the daemons recorded in run/pids (all, or those named), last started first, and
# wait for them to be gone: SIGTERM, then SIGKILL after 10 s. The daemons of one name
# (the slurmd of every node) are stopped together: each takes a second or two. With
# MAPO_STOP_AT_ONCE=1, all of them together; MAPO_STOP_SIGNAL=KILL for leftovers.
stop_daemons() {
  local pids=$D/run/pids name pid kept=() group=() gname=
  [[ -f $pids ]] || return 0
  while read -r name pid; do
    if [[ $# -gt 0 && " $* " != *" $name "* ]]; then kept+=("$name $pid"); continue; fi
    if [[ $name != "$gname" && ${#group[@]} -gt 0 && ${MAPO_STOP_AT_ONCE:-0} != 1 ]]; then
      stop_group "${group[@]}"
      group=()
    fi
    gname=$name
    group+=("$name:$pid")
  done < <(tac "$pids")
  [[ ${#group[@]} -eq 0 ]] || stop_group "${group[@]}"
  if [[ ${#kept[@]} -gt 0 ]]; then printf '%s\n' "${kept[@]}" | tac >"$pids"; else rm -f "$pids"; fi
}

# stop_group NAME:PID...: SIGTERM to each PID still running NAME, wait, SIGKILL.
stop_group() {
  local e i alive
  for e in "$@"; do
    is_ours "${e#*:}" "${e%%:*}" && kill "-${MAPO_STOP_SIGNAL:-TERM}" "${e#*:}" 2>/dev/null
  done
  for ((i = 0; i < 100; i++)); do
    alive=0
    for e in "$@"; do is_ours "${e#*:}" "${e%%:*}" && alive=1; done
    [[ $alive -eq 0 ]] && return 0
    sleep 0.1
  done
  for e in "$@"; do
    if is_ours "${e#*:}" "${e%%:*}"; then
      echo "$ME: ${e%%:*} (${e#*:}) ignored SIGTERM for 10 s: SIGKILL" >&2
      kill -KILL "${e#*:}" 2>/dev/null || true
    fi
  done
}

# Record the pid of daemon NAME from its PIDFILE (waiting up to 30 s for it: well under
# a second is usual), or fail with the end of its LOG.
record() {
  local name=$1 pidfile=$2 log=$3 i
  for ((i = 0; i < 300; i++)); do
    if [[ -s $pidfile ]] && is_ours "$(cat "$pidfile")" "$name"; then
      echo "$name $(cat "$pidfile")" >>"$D/run/pids"
      return 0
    fi
    sleep 0.1
  done
  die "$name did not start: $(tail -5 "$log" 2>/dev/null)"
}

# A fresh D with our own munged: its own key (root, 600), socket, pid and log. Its Unix
# socket is reached by path, so one munged serves every node of cluster.sh too.
start_munge() {
  rm -rf "$D"
  mkdir -p "$D"/{etc,state,spool,log,run,munge/socket}
  chmod 755 "$D" "$D/munge" "$D/munge/socket" # the socket folder: world-executable
  mungekey --create --keyfile="$D/munge/munge.key"
  chmod 600 "$D/munge/munge.key"
  munged --socket="$D/munge/socket/munge.socket" --key-file="$D/munge/munge.key" \
    --pid-file="$D/munge/munged.pid" --log-file="$D/munge/munged.log" \
    --seed-file="$D/munge/munged.seed" --force
  record munged "$D/munge/munged.pid" "$D/munge/munged.log"
}

# The slurm.conf lines both harnesses share: no systemd, no cgroups, no accounting, a
# scheduler that looks at the queue every second.
conf_common() {
  cat <<EOF
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$D/munge/socket/munge.socket
CredType=cred/munge
StateSaveLocation=$D/state
SlurmdSpoolDir=$D/spool/%n
SlurmctldPidFile=$D/run/slurmctld.pid
SlurmctldLogFile=$D/log/slurmctld.log
ProctrackType=proctrack/linuxproc
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
EOF
}

# submit SCRIPT [SBATCH ARGS] [-- SCRIPT ARGS]: sbatch, poll `scontrol show job` (sbatch
# --wait polls slowly) until the job ends; return its exit code, from ExitCode=E:S (S:
# the signal). MAPO_SLURM_TIMEOUT (default 120 s) bounds the wait: then scancel, 124.
submit() {
  [[ $# -ge 1 ]] || die "usage: $ME submit SCRIPT [SBATCH ARGS] [-- SCRIPT ARGS]"
  [[ -f $SLURM_CONF ]] || die "no Slurm running in $D: run $ME start"
  local script=$1 sbatch_args=() script_args=() id info state code sig out i
  shift
  while [[ $# -gt 0 && $1 != -- ]]; do sbatch_args+=("$1"); shift; done
  [[ $# -gt 0 ]] && shift
  script_args=("$@")
  mkdir -p "$D/jobs"
  id=$(slurm_client sbatch --parsable --output="$D/jobs/%x-%j.out" "${sbatch_args[@]}" \
    "$script" "${script_args[@]}") || return 1
  id=${id%%;*}
  echo "$ME: job $id: $(basename "$script") ${sbatch_args[*]} ${script_args[*]}" >&2
  local timeout=${MAPO_SLURM_TIMEOUT:-120}
  for ((i = 0; i < timeout * 10; i++)); do
    info=$(slurm_client scontrol show job "$id" 2>/dev/null || true)
    state=$(sed -n 's/.*JobState=\([A-Z_]*\).*/\1/p' <<<"$info")
    case $state in
      PENDING | CONFIGURING | RUNNING | COMPLETING | SUSPENDED | "") sleep 0.1 ;;
      *) break ;;
    esac
  done
  out=$(sed -n 's/^ *StdOut=//p' <<<"$info")
  if [[ $i -ge $((timeout * 10)) ]]; then
    slurm_client scancel "$id" 2>/dev/null || true
    echo "$ME: job $id still $state after ${timeout} s: cancelled. Its output:" >&2
    cat "$out" >&2 2>/dev/null || true
    return 124
  fi
  code=$(sed -n 's/.* ExitCode=\([0-9]*\):\([0-9]*\).*/\1/p' <<<"$info")
  sig=$(sed -n 's/.* ExitCode=\([0-9]*\):\([0-9]*\).*/\2/p' <<<"$info")
  [[ ${sig:-0} -ne 0 ]] && code=$((128 + sig))
  [[ $state != COMPLETED && ${code:-0} -eq 0 ]] && code=1 # cancelled, timed out, ...
  echo "$ME: job $id $state, exit code ${code:-?}" >&2
  if [[ ${code:-1} -ne 0 ]]; then
    echo "----- output of job $id ($out) -----" >&2
    cat "$out" >&2 2>/dev/null || true
    echo "-----" >&2
  fi
  return "${code:-1}"
}
