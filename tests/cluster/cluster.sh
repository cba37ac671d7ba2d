#!/usr/bin/env bash
# A real Slurm of N nodes (default 2, at most 4) on one machine, each node a set of
# namespaces: the harness of the tests labelled `cluster` (tests/CMakeLists.txt).
#
#   MAPO_CLUSTER_DIR=DIR [MAPO_CLUSTER_NODES=N] cluster.sh start
#   MAPO_CLUSTER_DIR=DIR cluster.sh stop            cancel the jobs, stop the pids `start`
#                                                    recorded, kill what is left in our
#                                                    namespaces, delete them and DIR
#   ... cluster.sh submit SCRIPT [SBATCH ARGS] [-- SCRIPT ARGS]   as tests/slurm/slurm.sh's
#   ... cluster.sh test-only SCRIPT [SBATCH ARGS]                 (run inside node1)
#   ... cluster.sh client PROGRAM [ARGS]            a Slurm client (sinfo, squeue, ...) in node1
#   ... cluster.sh node I COMMAND [ARGS]            any command inside node I's namespaces
#   ... cluster.sh mpirun [MPIRUN ARGS]             mpirun in node1, over ssh-less "ssh": the
#                                                    hostfile DIR/etc/hostfile and the launch
#                                                    agent DIR/bin/node-agent (nsenter)
#   ... cluster.sh crash I                          node I dies: SIGKILL to its slurmd and to
#                                                    every process in its namespaces
#   ... cluster.sh revive I                         start node I's slurmd again, wait for idle
#
# Node I is a network namespace (loopback, and eth0 = 10.77.0.I/24, one end of a veth
# whose other end is plugged into a bridge in a namespace of its own: no default route,
# no address outside our namespaces), a UTS namespace (hostname nodeI), a mount namespace
# (its own /etc/hosts naming the nodes, /etc/resolv.conf pointing at 127.0.0.1 of the
# node itself, and its own /dev/shm, which goes with the node) and a time namespace
# whose CLOCK_MONOTONIC runs I * 1000 s ahead of the machine's, so that no two nodes
# share a monotonic clock, as on a real cluster. A "keeper" process (sleep, named
# mapo-cluster-TAG-nodeI) holds each node's namespaces; nothing is created in the
# machine's own network namespace and nothing is named in /run/netns. TAG is unique to
# the build tree (a hash of DIR), so two trees never meet.
#
# Daemons: one munged on the machine (a Unix socket reached by path serves every node),
# slurmctld in node1 (it checks its hostname against SlurmctldHost), `slurmd -N nodeI`
# in each node (Debian's Slurm is built with multiple-slurmd support). TmpFS=DIR/tmp/%n:
# PMIx and Open MPI put their files under TMPDIR, which slurmstepd sets to it, and the
# "nodes" would otherwise share /tmp.
#
# Safety: a Slurm client started without SLURM_CONF looks up DNS SRV records, which
# sends a query to the machine's resolver. Every Slurm client this harness starts goes
# through slurm_client, which refuses (exit 3, one line, nothing started) unless it runs
# inside node1's namespaces with SLURM_CONF naming this cluster's slurm.conf; there
# resolv.conf points at the node's own loopback and no route leads out. `_client`
# exposes that check to the test that proves it (cluster.refuses).
#
# Exit 77 (skipped) without root, Slurm, munge, iproute2 or the namespaces. The ctest
# fixtures run `stop` even when a test fails or times out, and `start` first sweeps what a
# killed run left (its recorded pids, then every keeper with our TAG and all processes in
# its namespaces).
set -euo pipefail

if [[ -z ${MAPO_CLUSTER_DIR:-} ]]; then
  echo "cluster.sh: set MAPO_CLUSTER_DIR to the harness folder" >&2
  exit 1
fi
D=$(realpath -m "$MAPO_CLUSTER_DIR")
ME=cluster.sh
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SELF=$HERE/$(basename "${BASH_SOURCE[0]}")
# shellcheck source=tests/slurm/lib.sh
source "$HERE/../slurm/lib.sh"
TAG=mapo-cluster-$(printf '%s' "$D" | sha256sum | cut -c1-10)
NET=10.77.0
# The SLURM_CONF we were given: what `_client` judges (see "Safety" above).
GIVEN_CONF=${SLURM_CONF-}
export SLURM_CONF=$D/etc/slurm.conf
# sbatch exports the submitting environment (--export=ALL) to the job: Open MPI, run by
# srun as root here, needs these (a real cluster's users are not root). TMPDIR is left
# to slurmstepd (TmpFS, one folder per node).
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
# Both of Slurm's PMIx fences on one algorithm (ring): with the defaults (the modex fence
# a ring, the bare barrier a tree), Open MPI 4.1.4 sometimes lost rank 0 in MPI_Init
# across nodes under load, or hung a step; beside two CPU hogs, 1 crash and 1 hang in
# about 100 srun steps with the defaults, 0 in 210 with ring (DEVELOPERS.md).
export SLURM_PMIX_FENCE=${SLURM_PMIX_FENCE:-ring}
unset TMPDIR

nodes() { cat "$D/etc/nodes" 2>/dev/null || echo 0; }

# The pid of the keeper NAME (bridge, node1, ...) if it is alive and ours, else nothing.
keeper() {
  local pid
  pid=$(cat "$D/run/$1.keeper" 2>/dev/null) || return 1
  [[ $({ tr '\0' ' ' <"/proc/$pid/cmdline"; } 2>/dev/null) == "$TAG-$1 "* ]] || return 1
  echo "$pid"
}

# Run COMMAND inside node I's namespaces, in the same folder (entering a mount namespace
# moves a process to its root).
in_node() {
  local i=$1 pid
  shift
  pid=$(keeper "node$i") || die "node$i is not running (cluster.sh start)"
  nsenter -t "$pid" --net --uts --mount --time --wd="$PWD" -- "$@"
}

# Are we inside node1's network, UTS and mount namespaces?
in_node1() {
  local pid ns
  pid=$(keeper node1) || return 1
  for ns in net uts mnt; do
    [[ $(readlink "/proc/self/ns/$ns") == "$(readlink "/proc/$pid/ns/$ns")" ]] || return 1
  done
}

# The one way this harness starts a Slurm client: see "Safety" above. The client runs
# with the SLURM_CONF of this process, which `_client` sets to the one it was given.
slurm_client() {
  if [[ -z ${SLURM_CONF:-} || $SLURM_CONF != "$D/etc/slurm.conf" || ! -f $SLURM_CONF ]]; then
    echo "$ME: refused to start $1: SLURM_CONF is not this cluster's ($D/etc/slurm.conf)" >&2
    return 3
  fi
  if ! in_node1; then
    echo "$ME: refused to start $1: not inside node1's namespaces" >&2
    return 3
  fi
  "$@"
}

need_namespaces() {
  local p
  for p in ip nsenter unshare setsid sha256sum; do
    command -v "$p" >/dev/null 2>&1 || skip "$p not found (apt-get install iproute2 util-linux)"
  done
  unshare --net --uts --mount --time --fork true 2>/dev/null \
    || skip "cannot make network, UTS, mount and time namespaces here"
  unshare --net sh -c 'ip link add b0 type bridge && ip link add v0 type veth peer name v1' \
    2>/dev/null || skip "cannot make a bridge and a veth pair in a network namespace here"
}

# Start a keeper NAME: unshare ARGS, then SETUP (bash, inside the new namespaces), then
# sleep forever under the name TAG-NAME. Its pid goes to run/NAME.keeper.
start_keeper() {
  local name=$1 setup=$2 i
  shift 2
  rm -f "$D/run/$name.keeper"
  setsid unshare "$@" --fork -- bash -c "set -e; echo \$\$ >'$D/run/$name.keeper'; $setup
    exec -a '$TAG-$name' sleep infinity" </dev/null >>"$D/log/keepers.log" 2>&1 &
  for ((i = 0; i < 400; i++)); do keeper "$name" >/dev/null && return 0; sleep 0.05; done
  die "the namespaces of $name were not made: $(tail -3 "$D/log/keepers.log")"
}

# kill_namespaces [--with-keepers] KEEPER...: SIGKILL every process in the network
# namespaces of the keepers but the keepers themselves (unless asked), and wait until
# they are gone (10 s at most). One look at /proc per round: find prints each pid's
# network namespace.
kill_namespaces() {
  local with='' ns=() k pid target i left
  [[ ${1:-} == --with-keepers ]] && { with=1; shift; }
  for k in "$@"; do ns+=("$(readlink "/proc/$k/ns/net" 2>/dev/null)") || true; done
  [[ ${#ns[@]} -gt 0 ]] || return 0
  for ((i = 0; i < 100; i++)); do
    left=0
    while read -r pid target; do
      pid=${pid#/proc/}
      pid=${pid%/ns}
      [[ $pid == "$$" || $pid == "$BASHPID" ]] && continue
      [[ -z $with && " $* " == *" $pid "* ]] && continue
      [[ " ${ns[*]} " == *" $target "* ]] || continue
      kill -KILL "$pid" 2>/dev/null || true
      left=1
    done < <(find /proc -mindepth 3 -maxdepth 3 -path '/proc/[0-9]*/ns/net' \
      -printf '%h %l\n' 2>/dev/null)
    [[ $left -eq 0 ]] && return 0
    sleep 0.1
  done
  echo "$ME: processes in ${ns[*]} outlived SIGKILL for 10 s" >&2
}

# Every keeper alive with our TAG: those of this run and of a run killed before its stop.
tagged_keepers() {
  local p
  for p in /proc/[0-9]*/cmdline; do
    [[ $({ tr '\0' ' ' <"$p"; } 2>/dev/null) == "$TAG-"* ]] || continue
    p=${p#/proc/}
    echo "${p%/cmdline}"
  done
  return 0
}

# Stop our daemons by pid, then empty and delete our namespaces (a namespace goes when
# its last process does), then DIR.
teardown() {
  stop_daemons slurmd # first: a slurmctld stopped before them would mark them down
  MAPO_STOP_AT_ONCE=1 stop_daemons
  # shellcheck disable=SC2046 # one pid a word
  kill_namespaces --with-keepers $(tagged_keepers)
  [[ -z $(tagged_keepers) ]] || die "keepers of $TAG outlived SIGKILL"
  if [[ ${MAPO_CLUSTER_KEEP:-0} == 1 ]]; then
    echo "$ME: MAPO_CLUSTER_KEEP=1: $D kept" >&2
  else
    rm -rf "$D"
  fi
}

write_files() {
  local n=$1 i
  mkdir -p "$D"/{bin,jobs,results}
  echo "$n" >"$D/etc/nodes"
  {
    echo "127.0.0.1 localhost"
    for ((i = 1; i <= n; i++)); do echo "$NET.$i node$i"; done
  } >"$D/etc/hosts"
  echo "nameserver 127.0.0.1" >"$D/etc/resolv.conf"
  for ((i = 1; i <= n; i++)); do echo "node$i slots=2"; done >"$D/etc/hostfile"
  {
    echo '#!/bin/sh'
    echo "# Open MPI's launch agent (plm_rsh_agent): \"ssh\" into a node is nsenter."
    printf 'MAPO_CLUSTER_DIR=%q exec %q agent "$@"\n' "$D" "$SELF"
  } >"$D/bin/node-agent"
  chmod 755 "$D/bin/node-agent"
  cat >"$SLURM_CONF" <<EOF
# Written by tests/cluster/cluster.sh: $n nodes, each in namespaces of its own.
ClusterName=mapo
SlurmctldHost=node1($NET.1)
SlurmctldPort=6817
SlurmdPort=6818
SlurmdPidFile=$D/run/slurmd-%n.pid
SlurmdLogFile=$D/log/slurmd-%n.log
TmpFS=$D/tmp/%n
TaskPlugin=task/none
SlurmdTimeout=5
MessageTimeout=4
JobRequeue=0
$(conf_common)
NodeName=DEFAULT CPUs=4 State=UNKNOWN
EOF
  for ((i = 1; i <= n; i++)); do
    mkdir -p "$D/tmp/node$i"
    echo "NodeName=node$i NodeAddr=$NET.$i" >>"$SLURM_CONF"
  done
  echo "PartitionName=all Nodes=node[1-$n] Default=YES MaxTime=10 State=UP" >>"$SLURM_CONF"
}

# Node I: its keeper, its eth0 on the bridge.
start_node() {
  local i=$1 bridge node
  start_keeper "node$i" "hostname node$i
    mount --bind '$D/etc/hosts' /etc/hosts
    mount --bind '$D/etc/resolv.conf' /etc/resolv.conf
    mount -t tmpfs -o size=256m,mode=1777 tmpfs /dev/shm
    ip link set lo up" \
    --net --uts --mount --propagation private \
    --time --monotonic $((i * 1000)) --boottime $((i * 1000))
  bridge=$(keeper bridge)
  node=$(keeper "node$i")
  nsenter -t "$bridge" --net ip link add "veth$i" type veth peer name eth0 netns "$node"
  nsenter -t "$bridge" --net ip link set "veth$i" master br0 up
  nsenter -t "$node" --net sh -c "sysctl -qw net.ipv6.conf.all.disable_ipv6=1
    ip addr add $NET.$i/24 dev eth0 && ip link set eth0 up"
}

start_slurmd() {
  local i=$1
  in_node "$i" slurmd -N "node$i" -f "$SLURM_CONF"
  record slurmd "$D/run/slurmd-node$i.pid" "$D/log/slurmd-node$i.log"
}

# Wait until every node is idle (60 s at most: about 1 s is usual).
wait_idle() {
  local n i states
  n=$(nodes)
  for ((i = 0; i < 600; i++)); do
    states=$(in_node 1 "$SELF" _client sinfo -h -N -o '%N %t' 2>/dev/null || true)
    [[ $(grep -c ' idle$' <<<"$states") -eq $n ]] && return 0
    sleep 0.1
  done
  die "not all $n nodes are idle after 60 s: $(tr '\n' ' ' <<<"$states"); see $D/log"
}

cmd_start() {
  local n=${MAPO_CLUSTER_NODES:-2} i
  [[ $n =~ ^[1-4]$ ]] || die "MAPO_CLUSTER_NODES is $n: give 1 to 4"
  close_inherited_fds
  # What a run killed before its stop left: SIGKILL, its state is thrown away.
  if [[ -s $D/run/pids || -n $(tagged_keepers) ]]; then
    echo "$ME: sweeping what a killed run left: $(wc -l <"$D/run/pids" 2>/dev/null || echo 0)" \
      "daemon(s), keepers $(tagged_keepers | tr '\n' ' ')"
  fi
  MAPO_STOP_SIGNAL=KILL teardown
  start_munge
  write_files "$n"
  start_keeper bridge "ip link set lo up; ip link add br0 type bridge; ip link set br0 up" --net
  for ((i = 1; i <= n; i++)); do start_node "$i"; done
  in_node 1 slurmctld -i -f "$SLURM_CONF"
  record slurmctld "$D/run/slurmctld.pid" "$D/log/slurmctld.log"
  for ((i = 1; i <= n; i++)); do start_slurmd "$i"; done
  wait_idle
  echo "$ME: $n nodes up in $D ($TAG); their CLOCK_MONOTONIC, read at once:"
  for ((i = 1; i <= n; i++)); do
    in_node "$i" python3 -c 'import socket, time
print(f"  {socket.gethostname()} {time.monotonic():.1f} s")' || true
  done
  in_node 1 "$SELF" _client sinfo -N
}

# Cancel every job and wait (20 s at most) for an empty queue: a slurmd ending a job
# ignores SIGTERM.
cancel_all() {
  local i
  keeper node1 >/dev/null && [[ -f $SLURM_CONF ]] || return 0
  in_node 1 "$SELF" _client scancel --quiet --full --user=root 2>/dev/null || return 0
  for ((i = 0; i < 200; i++)); do
    [[ -z $(in_node 1 "$SELF" _client squeue -h 2>/dev/null) ]] && return 0
    sleep 0.1
  done
  echo "$ME: jobs still queued after 20 s: stopping anyway" >&2
}

cmd_stop() {
  cancel_all
  teardown
  echo "$ME: stopped $TAG: no daemon, namespace or folder of it left"
}

# Node I dies: its slurmd and everything in its namespaces get SIGKILL (the keeper
# stays, so that `revive` can start the node again).
cmd_crash() {
  local i=$1 pid
  pid=$(keeper "node$i") || die "node$i is not running"
  kill_namespaces "$pid"
  grep -v "^slurmd $(cat "$D/run/slurmd-node$i.pid")\$" "$D/run/pids" >"$D/run/pids.new" || true
  mv "$D/run/pids.new" "$D/run/pids"
  echo "$ME: node$i crashed (every process in its namespaces killed)"
}

# The launch agent Open MPI's mpirun calls as it would call ssh: agent HOST COMMAND...
cmd_agent() {
  local host=$1 i
  shift
  i=${host#node}
  [[ $i =~ ^[1-4]$ ]] || die "agent: unknown host $host"
  TMPDIR=$D/tmp/$host in_node "$i" /bin/sh -c "$*"
}

cmd_mpirun() {
  in_node 1 env TMPDIR="$D/tmp/node1" mpirun --hostfile "$D/etc/hostfile" \
    --mca plm_rsh_agent "$D/bin/node-agent" --mca oob_tcp_if_include eth0 \
    --mca btl_tcp_if_include eth0 --bind-to none "$@"
}

[[ $# -ge 1 ]] || die "usage: cluster.sh start|stop|submit|test-only|client|node|mpirun|crash|revive
  (see the head of $SELF)"
cmd=$1
shift
case $cmd in
  start | stop | submit | test-only | client | node | mpirun | crash | revive)
    need_slurm
    need_namespaces
    ;;
esac
case $cmd in
  start) cmd_start ;;
  stop) cmd_stop ;;
  submit) in_node 1 "$SELF" _submit "$@" ;;
  _submit) submit "$@" ;;
  test-only) in_node 1 "$SELF" _client sbatch --test-only "${@:2}" "$1" ;;
  client) in_node 1 "$SELF" _client "$@" ;;
  _client)
    SLURM_CONF=$GIVEN_CONF
    slurm_client "$@"
    ;;
  node) in_node "$@" ;;
  mpirun) cmd_mpirun "$@" ;;
  agent) cmd_agent "$@" ;;
  crash) cmd_crash "$@" ;;
  revive)
    close_inherited_fds
    start_slurmd "$1"
    wait_idle
    ;;
  *) die "unknown command $cmd" ;;
esac
