"""check_mpi_sum.py - `mapo-mpi sum` under mpiexec: verified at 1 to 4 ranks, both splits,
hybrid threads, and bad input stopping every rank with one line.

usage: python3 check_mpi_sum.py MPIEXEC NUMPROC_FLAG MAPO_MPI
The Open MPI variables a local run as root needs are set here, for the child only.
"""
import json
import os
import subprocess
import sys
import time

mpiexec, flag, mapo = sys.argv[1], sys.argv[2], sys.argv[3]
env = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
           OMPI_MCA_rmaps_base_oversubscribe="1")


def fail(msg):
    print(f"check_mpi_sum: FAIL: {msg}")
    sys.exit(1)


def run(n, *args, timeout=120):
    t0 = time.time()
    p = subprocess.run([mpiexec, flag, str(n), "-q", mapo, "sum", *args], capture_output=True,
                       text=True, timeout=timeout, env=env)
    return p, time.time() - t0


for n in (1, 2, 3, 4):
    for split in ("numbers", "range"):
        p, _ = run(n, "--base", "200000", "--numbers", "7", "--split", split, "--repeat", "2", "--json")
        if p.returncode != 0:
            fail(f"-n {n} --split {split}: exit {p.returncode}: {p.stderr[-800:]}")
        doc = json.loads(p.stdout)
        want = sum(k * (k - 1) * (2 * k - 1) // 6 for k in range(200000, 200007))
        if not doc["verified"] or int(doc["checksum"]) != want or doc["ranks"] != n:
            fail(f"-n {n} --split {split}: {doc}")
        if len(doc["placement"]) != n or doc["seconds_median"] <= 0 or doc["efficiency"] <= 0:
            fail(f"-n {n}: placement or times: {doc}")
        print(f"ok -n {n} --split {split}: verified, checksum {doc['checksum']}")

p, _ = run(2, "--base", "200000", "--threads", "2", "--json")
doc = json.loads(p.stdout) if p.returncode == 0 else fail(f"hybrid: exit {p.returncode}")
if not doc["verified"] or any(len(r["cpus"]) != 2 for r in doc["placement"]):
    fail(f"hybrid: {doc}")
bound_to_one = any(r["allowed_cpus"] == 1 for r in doc["placement"])
if bound_to_one and not doc["warnings"]:
    fail(f"hybrid: ranks bound to one core, no warning: {doc}")
print(f"ok hybrid -n 2 --threads 2: verified; warning: {doc['warnings'][:1]}")

for args in (["--bogus"], ["--threads", "0"], ["--base", "x"], ["--split", "halves"],
             ["--base", "4294967290", "--numbers", "20"]):
    # Nobody hangs: the time limit (60 s, a hang, not a slow machine) is the check.
    p, seconds = run(4, *args, timeout=60)
    lines = p.stderr.strip().splitlines()
    if p.returncode == 0 or len(lines) != 1 or p.stdout:
        fail(f"-n 4 sum {args}: exit {p.returncode} in {seconds:.1f} s, stderr {p.stderr!r}")
print("ok bad input at -n 4: non-zero, one line, no rank hangs")
