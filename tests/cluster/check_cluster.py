#!/usr/bin/env python3
"""Checks of the namespace cluster (tests/cluster/cluster.sh) beyond one job's results.

  check_cluster.py CLUSTER_SH latency ACROSS WITHIN   small-message latency across two
        nodes (the results folder of pingpong-2nodes) at least 10 times that within one
        (pingpong-node on one node of the cluster)
  check_cluster.py CLUSTER_SH mpirun MAPO_MPI         mpirun --hostfile across the nodes,
        no Slurm: a sum on 4 ranks, 2 per node, pingpong on the same 4 ranks (a pair
        within node1 and a pair across nodes), and the cupboard's cost per take on
        one node and across nodes (both reported)
  check_cluster.py CLUSTER_SH refuses                 no Slurm client starts outside
        node1's namespaces or without SLURM_CONF; no route or resolver leads out
  check_cluster.py CLUSTER_SH clean                   after `stop`: no keeper, daemon,
        namespace or file of this cluster is left
  check_cluster.py CLUSTER_SH sweep FOLDER            a cluster in FOLDER whose stop never
        ran is swept by the next start, and the cluster running beside it (another tag,
        as another build tree's) keeps its daemons, keepers and nodes

What to notice: a latency figure is the median over the messages of 0 to 64 bytes (their
time does not depend on their size), and a comparison that fails is measured again,
twice at most, keeping each figure's best: a loaded machine only adds time, so the best
of three is the transport's. Exit 77 (skipped) where cluster.sh skips.
"""
import glob
import hashlib
import json
import os
import statistics
import subprocess
import sys
import tempfile

SKIP = 77
RATIO = 10  # across nodes (TCP over veth) vs within one (shared memory)


def fail(msg):
    print(f"check_cluster: FAIL: {msg}", file=sys.stderr)
    sys.exit(1)


def run(cmd, **kw):
    """Run CMD, its output captured; a command that hangs fails the check after 90 s (the
    processes it left inside the nodes go with the cluster's stop)."""
    try:
        return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              timeout=90, **kw)
    except subprocess.TimeoutExpired:
        fail(f"{' '.join(cmd)} still runs after 90 s")


def small_latency(doc):
    """Median time (us) of one small message (0-64 bytes) of a pingpong JSON."""
    rows = [r["usec"] for r in doc["rows"] if r["bytes"] <= 64]
    if not rows:
        fail(f"no rows of 0-64 bytes in {doc}")
    return statistics.median(rows)


def pingpong_json(results):
    found = glob.glob(os.path.join(results, "*", "pingpong.json"))
    if len(found) != 1:
        fail(f"expected one pingpong.json under {results}, found {found}")
    with open(found[0]) as f:
        return json.load(f)


def submit_pingpong(cluster, script, results, sbatch_args):
    """Run a pingpong job again (check_job.py checks it) and return its JSON."""
    check_job = os.path.join(os.path.dirname(__file__), "..", "slurm", "check_job.py")
    got = run([sys.executable, check_job, cluster, script, results] + sbatch_args
              + ["--", "--max-bytes", "64"])
    if got.returncode != 0:
        fail(f"{os.path.basename(script)} failed again:\n{got.stderr}")
    return pingpong_json(results)


def cmd_latency(cluster, across, within):
    doc_across, doc_within = pingpong_json(across), pingpong_json(within)
    best_across, best_within = small_latency(doc_across), small_latency(doc_within)
    jobs = os.path.join(os.path.dirname(__file__), "..", "..", "slurm")
    for attempt in range(2):
        if best_across >= RATIO * best_within:
            break
        print(f"check_cluster: {best_across:.2f} us across, {best_within:.2f} us within: "
              f"measuring again ({attempt + 1} of 2)")
        doc = submit_pingpong(cluster, os.path.join(jobs, "pingpong-2nodes.sbatch"),
                              across + f"-again{attempt}", ["--nodes=2"])
        best_across = min(best_across, small_latency(doc))
        doc = submit_pingpong(cluster, os.path.join(jobs, "pingpong-node.sbatch"),
                              within + f"-again{attempt}", ["--nodelist=node2"])
        best_within = min(best_within, small_latency(doc))
    print(f"check_cluster: small-message latency across nodes {best_across:.2f} us "
          f"({doc_across['environment']['host']} and its peer), within node "
          f"{doc_within['environment']['host']} {best_within:.2f} us: "
          f"{best_across / best_within:.1f} times")
    if best_across < RATIO * best_within:
        fail(f"across nodes is not {RATIO} times within one: not two nodes?")


def cmd_mpirun(cluster, mapo_mpi):
    got = run([cluster, "mpirun", "-n", "4", mapo_mpi, "sum", "--base", "200000", "--json"])
    if got.returncode != 0:
        fail(f"mpirun sum exited {got.returncode}:\n{got.stderr}")
    doc = json.loads(got.stdout)
    hosts = [p["host"] for p in doc["placement"]]
    if doc["verified"] is not True or doc["ranks"] != 4 or hosts != ["node1"] * 2 + ["node2"] * 2:
        fail(f"mpirun sum: verified {doc['verified']}, ranks {doc['ranks']}, hosts {hosts}")
    pairs = pingpong_pairs(cluster, mapo_mpi)
    takes = cupboard_pairs(cluster, mapo_mpi)
    print(f"check_cluster: mpirun --hostfile, no Slurm: sum on {hosts}, verified; "
          f"pingpong in one run of 4 ranks: {pairs}; cupboard per take: {takes}")


def cupboard_pairs(cluster, mapo_mpi):
    """4 ranks on 2 nodes (2 each): the cupboard gives the cost of a take between rank 0
    and rank 1 on its node and between rank 0 and rank 2 on the other, for the token and
    the window, and its sentence compares the two (no 'one node' claim). The figures are
    printed, not judged: the cores are shared by the namespace nodes."""
    got = run([cluster, "mpirun", "-n", "4", mapo_mpi, "cupboard", "--trials", "200", "--json"])
    if got.returncode != 0:
        fail(f"mpirun cupboard (4 ranks) exited {got.returncode}:\n{got.stderr}")
    doc = json.loads(got.stdout)
    pairs = [(p["pair"], p["peer"], [m["mode"] for m in p["methods"]]) for p in doc["pairs"]]
    want = [("one node", 1, ["token", "onesided"]), ("across nodes", 2, ["token", "onesided"])]
    if pairs != want or doc["nodes"] != 2:
        fail(f"cupboard pairs {pairs}, nodes {doc['nodes']}: expected {want} on 2 nodes")
    for p in doc["pairs"]:
        for m in p["methods"]:
            # Open MPI 4.1 over TCP makes no window between nodes: the one-sided method is
            # then reported as not run (no takes, no figure), never as a crash.
            not_run = m["mode"] == "onesided" and m["takes"] == 0 and m["usec_per_take"] is None
            if not not_run and (m["failures"] != 0 or m["takes"] != 400 or
                                not (m["usec_per_take"] or 0) > 0):
                fail(f"cupboard {p['pair']} {m['mode']}: {m}")
    if doc["nodes_verdict"] == "missing" or "across nodes" not in doc["nodes_sentence"] or \
            "one node:" in doc["nodes_sentence"]:
        fail(f"cupboard: the sentence does not compare the pairs: {doc['nodes_sentence']}")
    return ", ".join(f"{p['pair']} {m['mode']} " + (f"{m['usec_per_take']:.2f} us"
                     if m["usec_per_take"] else "not run") for p in doc["pairs"] for m in p["methods"])


def pingpong_pairs(cluster, mapo_mpi):
    """4 ranks on 2 nodes (2 each): pingpong measures rank 0 with rank 1 on its node and
    with rank 2 on the other, names each pair, and its placement says where every rank
    ran. The figures are printed, not judged (cluster.latency judges them)."""
    got = run([cluster, "mpirun", "-n", "4", mapo_mpi, "pingpong", "--max-bytes", "64", "--json"])
    if got.returncode != 0:
        fail(f"mpirun pingpong (4 ranks) exited {got.returncode}:\n{got.stderr}")
    doc = json.loads(got.stdout)
    hosts = [p["host"] for p in doc["placement"]]
    pairs = [(p["pair"], p["peer"]) for p in doc["pairs"]]
    if pairs != [("one node", 1), ("across nodes", 2)] or hosts != ["node1"] * 2 + ["node2"] * 2:
        fail(f"pingpong pairs {pairs} on hosts {hosts}: expected one node (0-1), across (0-2)")
    if doc["rows"] != doc["pairs"][0]["rows"] or doc["nodes"] != 2:
        fail("pingpong: the top-level rows are not the first pair's, or nodes is not 2")
    return ", ".join(f"{p['pair']} (ranks 0 and {p['peer']}) {small_latency(p):.2f} us"
                     for p in doc["pairs"])


def cmd_refuses(cluster, folder):
    """Each way of starting a Slurm client that the harness must refuse, with a fake sinfo
    first in PATH that would leave a mark if it ran; then the allowed way, which must."""
    conf = os.path.join(folder, "etc", "slurm.conf")
    with tempfile.TemporaryDirectory(dir=folder) as fake:
        mark = os.path.join(fake, "ran")
        with open(os.path.join(fake, "sinfo"), "w") as f:
            f.write(f"#!/bin/sh\necho \"$(hostname) $SLURM_CONF\" >>{mark}\n")
        os.chmod(os.path.join(fake, "sinfo"), 0o755)
        path = fake + ":" + os.environ["PATH"]
        cases = [
            ("outside the namespaces", [cluster, "_client", "sinfo"], {"SLURM_CONF": conf}),
            ("in node1 without SLURM_CONF",
             [cluster, "node", "1", "env", "-u", "SLURM_CONF", cluster, "_client", "sinfo"], {}),
            ("in node1 with another SLURM_CONF",
             [cluster, "node", "1", "env", "SLURM_CONF=/etc/slurm/slurm.conf", cluster,
              "_client", "sinfo"], {}),
            ("in node2", [cluster, "node", "2", "env", f"SLURM_CONF={conf}", cluster,
                          "_client", "sinfo"], {}),
        ]
        for what, cmd, extra in cases:
            env = dict(os.environ, PATH=path, **extra)
            got = run(cmd, env=env)
            if got.returncode != 3 or "refused" not in got.stderr or os.path.exists(mark):
                fail(f"a Slurm client {what}: exit {got.returncode}, {got.stderr.strip()!r}, "
                     f"ran: {os.path.exists(mark)}")
            print(f"check_cluster: refused a Slurm client {what}: {got.stderr.strip()}")
        got = run([cluster, "client", "sinfo"], env=dict(os.environ, PATH=path))
        if got.returncode != 0 or not os.path.exists(mark):
            fail(f"the harness's own way (cluster.sh client) did not run sinfo: {got.stderr}")
        with open(mark) as f:
            print(f"check_cluster: cluster.sh client ran sinfo as: {f.read().strip()}")
    for i in (1, 2):
        routes = run([cluster, "node", str(i), "ip", "route"]).stdout
        resolv = run([cluster, "node", str(i), "cat", "/etc/resolv.conf"]).stdout
        if "default" in routes or resolv.split() != ["nameserver", "127.0.0.1"]:
            fail(f"node{i}: routes {routes!r}, resolv.conf {resolv!r}: a way out")
    print("check_cluster: nodes 1-2 have no default route and resolve through their own "
          "127.0.0.1")


def cmd_sweep(cluster, folder):
    """A second cluster in FOLDER (1 node, its own tag) is started beside the running one,
    "killed" (its stop never runs), and started again: the second start must leave none of
    the first's processes, and the running cluster (MAPO_CLUSTER_DIR) must not notice:
    the same daemons and keepers alive, every node idle, a job across two nodes runs."""
    env = dict(os.environ, MAPO_CLUSTER_DIR=folder, MAPO_CLUSTER_NODES="1")
    tag = tag_of(folder)
    main_dir = os.path.realpath(os.environ.get("MAPO_CLUSTER_DIR", ""))
    if tag == tag_of(main_dir):
        fail(f"{folder} and {main_dir} have one tag: {tag}")
    main = main_processes(main_dir)
    first = run([cluster, "start"], env=env)
    if first.returncode == SKIP:
        sys.exit(SKIP)
    try:
        if first.returncode != 0:
            fail(f"start: {first.stderr}")
        with open(os.path.join(folder, "run", "pids")) as f:
            old = [line.split()[1] for line in f] + processes_of(tag, folder, keepers_only=True)
        again = run([cluster, "start"], env=env)
        if again.returncode != 0 or "sweeping what a killed run left" not in again.stdout:
            fail(f"the second start: exit {again.returncode}, {again.stdout}{again.stderr}")
        alive = [p for p in old if running(p)]
        if alive:
            fail(f"pids of the first run alive after the second start: {alive}")
        print(f"check_cluster: a second start swept the first run's {len(old)} processes "
              f"(daemons and keepers)")
    finally:
        stop = run([cluster, "stop"], env=env)
        print(stop.stdout, stop.stderr, end="")
    cmd_clean(folder)
    if main:
        check_untouched(cluster, main_dir, main)


def main_processes(main_dir):
    """The daemons and keepers of the cluster in MAIN_DIR, if it runs: {pid: name}."""
    found = {}
    try:
        with open(os.path.join(main_dir, "run", "pids")) as f:
            found = {pid: name for name, pid in (line.split() for line in f)}
    except OSError:
        return found
    for pid in processes_of(tag_of(main_dir), main_dir, keepers_only=True):
        found[pid] = "keeper"
    return found


def check_untouched(cluster, main_dir, main):
    """The cluster in MAIN_DIR still has the processes MAIN it had before the second
    cluster came and went, and still runs jobs across its nodes."""
    gone = [f"{name} {pid}" for pid, name in main.items() if not running(pid)]
    if gone:
        fail(f"the running cluster lost {gone} while a second cluster came and went")
    env = dict(os.environ, MAPO_CLUSTER_DIR=main_dir)
    got = run([cluster, "client", "sinfo", "-h", "-N", "-o", "%N %t"], env=env)
    states = got.stdout.split()
    if got.returncode != 0 or states[1::2] != ["idle"] * (len(states) // 2) or not states:
        fail(f"the running cluster's nodes after the second cluster: {got.stdout!r}")
    got = run([cluster, "client", "srun", "-N2", "-n2", "hostname"], env=env)
    if got.returncode != 0 or len(set(got.stdout.split())) != 2:
        fail(f"the running cluster ran no job across two nodes: {got.stdout!r} {got.stderr}")
    print(f"check_cluster: the running cluster ({tag_of(main_dir)}) kept its {len(main)} "
          f"daemons and keepers, its nodes idle ({' '.join(states[0::2])}), and ran a job "
          f"on {' '.join(sorted(set(got.stdout.split())))}")


def running(pid):
    """Is PID a live process (not gone, not a zombie waiting for its parent)?"""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] not in ("Z", "X")
    except OSError:
        return False


def tag_of(folder):
    return "mapo-cluster-" + hashlib.sha256(os.path.realpath(folder).encode()).hexdigest()[:10]


def processes_of(tag, folder, keepers_only=False):
    """The pids whose command line is a keeper of TAG or names FOLDER."""
    found = []
    for cmdline in glob.glob("/proc/[0-9]*/cmdline"):
        try:
            with open(cmdline, "rb") as f:
                words = f.read().decode(errors="replace").replace("\0", " ")
        except OSError:
            continue
        if words.startswith(tag) or (not keepers_only and folder + "/" in words):
            found.append(cmdline.split("/")[2])
    return found


def others_alive(tag):
    """Pids of a Slurm or a namespace cluster that is not TAG's (another build tree's,
    running now): the files they make in the shared /tmp and /dev/shm are theirs."""
    found = []
    for proc in glob.glob("/proc/[0-9]*"):
        try:
            with open(proc + "/comm") as f:
                comm = f.read().strip()
            with open(proc + "/cmdline", "rb") as f:
                words = f.read().decode(errors="replace").replace("\0", " ")
        except OSError:
            continue
        if comm.startswith(("slurmctld", "slurmd", "slurmstepd", "munged")) \
                or (words.startswith("mapo-cluster-") and not words.startswith(tag)):
            found.append(proc.split("/")[2])
    return found


def cmd_clean(folder):
    tag = tag_of(folder)
    left = processes_of(tag, folder)
    if left:
        fail(f"processes of the cluster left: {left}")
    if os.path.exists(folder) and os.environ.get("MAPO_CLUSTER_KEEP") != "1":
        fail(f"{folder} left")
    # The nodes keep their files in FOLDER (TmpFS) and their own /dev/shm: nothing of
    # theirs lands in the machine's /tmp or /dev/shm. Names there carry no tag, so they
    # are judged only while no other Slurm runs (another build's, whose files they are).
    strays = glob.glob("/tmp/spmix_appdir_*") + glob.glob("/tmp/ompi.node*") \
        + glob.glob("/dev/shm/*node[1-4]*")
    others = others_alive(tag)
    if strays and not others:
        fail(f"files outside the harness folder: {strays}")
    if strays:
        print(f"check_cluster: {len(strays)} Slurm/Open MPI files in /tmp or /dev/shm, left "
              f"unjudged: another Slurm runs here (pids {' '.join(others[:8])})")
    print(f"check_cluster: nothing of {tag} left: no keeper, daemon, namespace or file")


def main():
    if len(sys.argv) < 3:
        fail(__doc__)
    cluster, what, args = sys.argv[1], sys.argv[2], sys.argv[3:]
    folder = os.path.realpath(os.environ.get("MAPO_CLUSTER_DIR", ""))
    if what == "clean":
        return cmd_clean(folder)
    if what == "sweep":
        return cmd_sweep(cluster, os.path.realpath(args[0]))
    up = run([cluster, "node", "1", "true"])
    if up.returncode == SKIP:  # no root, Slurm or namespaces: the fixture skipped too
        print(up.stderr, end="", file=sys.stderr)
        sys.exit(SKIP)
    if up.returncode != 0:
        fail(f"no cluster running: {up.stderr.strip()}")
    if what == "latency":
        cmd_latency(cluster, *args)
    elif what == "mpirun":
        cmd_mpirun(cluster, *args)
    elif what == "refuses":
        cmd_refuses(cluster, folder)
    else:
        fail(f"unknown check {what}")


if __name__ == "__main__":
    main()
