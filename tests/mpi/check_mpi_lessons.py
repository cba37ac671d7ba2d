#!/usr/bin/env python3
"""check_mpi_lessons.py - `mapo-mpi cupboard` and `mapo-mpi pingpong` under mpiexec.

Checks that
  - cupboard --trials 200 --json at 2 and 4 ranks exits 0 and prints one JSON object with
    `ranks` and, per method (own, token, onesided and the openmp-lock reference), `mode`,
    `trials`, `failures` 0 and `usec_per_take` > 0;
  - pingpong --max-bytes 65536 --json at 2 ranks gives `rows` for 0, 1, 2, 4, ... 65536
    bytes with `usec` > 0, `repetitions` >= 1, and `mbytes_per_sec` growing overall (the
    largest message beats the 1-byte one many times over);
  - pingpong at 3 ranks names its one pair ("one node", rank 0 with 1), and both lessons
    report a placement table (a host per rank, one node);
  - one rank is refused (pingpong, cupboard --mode token) with a non-zero exit and one
    line on stderr, and a bad flag at 4 ranks exits non-zero within 5 s with exactly one
    line on stderr.
Speed itself is not asserted: the figures are measured by running the lessons.

usage: python3 check_mpi_lessons.py MPIEXEC NUMPROC_FLAG MAPO_MPI
It sets the variables Open MPI needs when run as root (and oversubscription, for small
machines) in the child's environment, passes -q to mpiexec, prints an "ok" line per
check and stops with exit 1 at the first failure. Standard library only.
"""
import json
import os
import subprocess
import sys
import time

if len(sys.argv) != 4:
    print("usage: python3 check_mpi_lessons.py MPIEXEC NUMPROC_FLAG MAPO_MPI", file=sys.stderr)
    sys.exit(2)
MPIEXEC, NP, MAPO_MPI = sys.argv[1:4]
TIMEOUT_S = 120

env = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
           OMPI_MCA_rmaps_base_oversubscribe="1")


def fail(msg):
    print("check_mpi_lessons: FAIL: " + msg, file=sys.stderr)
    sys.exit(1)


def run(ranks, *args, timeout=TIMEOUT_S):
    cmd = [MPIEXEC, "-q", NP, str(ranks), MAPO_MPI, *args]
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env)
    except subprocess.TimeoutExpired:
        fail(f"{' '.join(cmd)}: no exit within {timeout} s")


def run_json(ranks, *args):
    p = run(ranks, *args, "--json")
    what = f"-n {ranks} {' '.join(args)}"
    if p.returncode != 0:
        fail(f"{what}: exit {p.returncode}, stderr: {p.stderr[-1500:]}")
    lines = p.stdout.strip().splitlines()
    if len(lines) != 1:
        fail(f"{what}: stdout is not one line: {p.stdout[-1500:]}")
    try:
        return json.loads(lines[0])
    except json.JSONDecodeError as e:
        fail(f"{what}: not JSON ({e}): {lines[0][:500]}")


def refused(ranks, args, within=None, says=None):
    t = time.monotonic()
    p = run(ranks, *args, timeout=within or TIMEOUT_S)
    took = time.monotonic() - t
    what = f"-n {ranks} {' '.join(args)}"
    lines = p.stderr.strip().splitlines()
    if p.returncode == 0:
        fail(f"{what}: exit 0, expected a refusal")
    if len(lines) != 1:
        fail(f"{what}: expected one line on stderr, got {len(lines)}: {p.stderr[-1500:]}")
    if says and says not in lines[0]:
        fail(f"{what}: the message does not say '{says}': {lines[0]}")
    if within and took > within:
        fail(f"{what}: took {took:.1f} s, more than {within} s")
    print(f"ok {what}: exit {p.returncode} in {took:.1f} s, '{lines[0]}'")


# The cupboard: every method, no failures, a cost.
for ranks in (2, 4):
    doc = run_json(ranks, "cupboard", "--trials", "200")
    if doc.get("ranks") != ranks:
        fail(f"cupboard -n {ranks}: ranks is {doc.get('ranks')}")
    methods = doc.get("methods")
    if not isinstance(methods, list):
        fail(f"cupboard -n {ranks}: no 'methods' list")
    modes = [m.get("mode") for m in methods]
    for want in ("own", "token", "onesided", "openmp-lock"):
        if want not in modes:
            fail(f"cupboard -n {ranks}: no method '{want}' in {modes}")
    for m in methods:
        for key in ("mode", "trials", "failures", "usec_per_take"):
            if key not in m:
                fail(f"cupboard -n {ranks} {m.get('mode')}: no '{key}'")
        if m["trials"] != 200 or m["failures"] != 0:
            fail(f"cupboard -n {ranks} {m['mode']}: {m}")
        if not isinstance(m["usec_per_take"], (int, float)) or m["usec_per_take"] <= 0:
            fail(f"cupboard -n {ranks} {m['mode']}: usec_per_take {m['usec_per_take']}")
    print(f"ok cupboard -n {ranks}: " +
          ", ".join(f"{m['mode']} {m['usec_per_take']:.3f} us" for m in methods) + ", 0 failures")

# One method at a time reports only that method (and the reference).
doc = run_json(2, "cupboard", "--mode", "onesided", "--trials", "200")
if [m["mode"] for m in doc["methods"]] != ["onesided", "openmp-lock"]:
    fail(f"cupboard --mode onesided: methods {[m['mode'] for m in doc['methods']]}")
print("ok cupboard -n 2 --mode onesided: that method and the reference only")

# Pingpong: a row per size, times and bandwidth that make sense.
doc = run_json(2, "pingpong", "--max-bytes", "65536")
rows = doc.get("rows")
if doc.get("ranks") != 2 or not isinstance(rows, list):
    fail(f"pingpong: ranks {doc.get('ranks')}, rows {type(rows).__name__}")
sizes = [0] + [1 << i for i in range(17)]
if [r.get("bytes") for r in rows] != sizes:
    fail(f"pingpong: sizes {[r.get('bytes') for r in rows]}, expected {sizes}")
for r in rows:
    for key in ("bytes", "usec", "mbytes_per_sec", "repetitions"):
        if key not in r:
            fail(f"pingpong: row without '{key}': {r}")
    if not r["usec"] > 0 or r["repetitions"] < 1 or r["mbytes_per_sec"] < 0:
        fail(f"pingpong: row {r}")
bw = [r["mbytes_per_sec"] for r in rows]
# Overall growth, tolerant of a noisy machine: the large half beats the small half, and
# 64 KiB moves at least 20 times more MB/s than 1 byte.
if not (sum(bw[-4:]) > sum(bw[1:5]) and bw[-1] > 20 * bw[1]):
    fail(f"pingpong: bandwidth does not grow with the size: {bw}")
print(f"ok pingpong -n 2: {rows[0]['usec']:.3f} us at 0 bytes, "
      f"{rows[-1]['mbytes_per_sec']:.0f} MB/s at 65536 bytes")

# Where the ranks ran: one machine, so one pair ("one node", rank 0 with rank 1), the top
# level's rows that pair's, and a placement table naming one host for every rank; the
# cupboard's report has the table too.
doc = run_json(3, "pingpong", "--max-bytes", "16")
pairs = [(p.get("pair"), p.get("peer")) for p in doc.get("pairs", [])]
if pairs != [("one node", 1)] or doc["rows"] != doc["pairs"][0]["rows"]:
    fail(f"pingpong -n 3: pairs {pairs}: expected one, 'one node' with rank 1")
cupboard = run_json(2, "cupboard", "--trials", "20")
for what, d in (("pingpong -n 3", doc), ("cupboard -n 2", cupboard)):
    where = d.get("placement", [])
    if [p.get("rank") for p in where] != list(range(d["ranks"])) or d.get("nodes") != 1 or \
            len({p.get("host") for p in where}) != 1:
        fail(f"{what}: placement {where}, nodes {d.get('nodes')}")
print(f"ok pingpong -n 3: the pair on one node named; placement tables on "
      f"{doc['placement'][0]['host']}")

# Refusals: one rank, and a bad flag among four ranks.
refused(1, ["pingpong"], says="2 ranks")
refused(1, ["cupboard", "--mode", "token"], says="2 ranks")
# "Nobody hangs": 60 s is a hang, whatever the machine's speed or load.
refused(4, ["cupboard", "--bogus"], within=60)
refused(4, ["pingpong", "--max-bytes", "-1"], within=60)
refused(4, ["cupboard", "--mode", "shared"], within=5)
print("check_mpi_lessons: all passed")
