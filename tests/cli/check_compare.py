"""check_compare.py - `mapo compare`: the full matrix, small and fast.

The shape only: three workloads, every C cell a measured time, the processes column
measured or said unavailable, the Python cells measured (or left out), a verdict per row
in C and in Python, each measured cell's command in the notes, the text within 80
columns, and bad flags refused. How the times compare (serial well above async, Python's
threads no faster than serial) depends on the machine's load and speed: that is measured
by bench/compare-check.py, not asserted here.

Under a sanitizer (a fourth argument) the Python rows are left out (--no-python): the
notebook's Python is not built by the sanitizer, and costs seconds of a slow run.

usage: python3 check_compare.py MAPO-BINARY SOURCE-DIR SCRATCH-DIR [SANITIZERS]
"""
import json
import os
import re
import subprocess
import sys

mapo = sys.argv[1]
no_python = ["--no-python"] if len(sys.argv) > 4 and sys.argv[4] else []
# --quick's rows at smaller sizes still: the shape is the same at any size.
SMALL = ["--quick", "--base", "2000000", "--python-base", "20000", "--requests", "20",
         "--latency-ms", "5", "--unit-ms", "2"]
WAYS = ("serial", "threads", "processes", "async")


def fail(msg):
    print(f"check_compare: FAIL: {msg}")
    sys.exit(1)


def number(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool) and v > 0


p = subprocess.run([mapo, "compare", *SMALL, "--json"] + no_python, capture_output=True,
                   text=True, timeout=300)
if p.returncode != 0 or p.stderr:
    fail(f"exit {p.returncode}, stderr {p.stderr[-1500:]}")
doc = json.loads(p.stdout)
rows = doc["rows"]
if len(rows) != 3 or doc.get("base") != 2000000 or doc.get("python_base") != 20000:
    fail(f"want 3 rows at the sizes asked, got {len(rows)}, {doc.get('base')}, "
         f"{doc.get('python_base')}")
for row in rows:
    for col in ("serial", "threads", "async"):
        v = row["seconds"][col]
        if not number(v):
            fail(f"{row['workload']}: {col} = {v}")
        if col != "async" and not row["commands"].get(col, "").startswith("mapo "):
            fail(f"{row['workload']}: {col} has no command: {row['commands']}")
    procs, note = row["seconds"]["processes"], row["notes"].get("processes", "")
    measured = number(procs)
    if not measured and not ("not available" in note or "not measured" in note):
        fail(f"{row['workload']}: processes neither measured nor said unavailable: {row}")
    if measured and not row["commands"]["processes"].startswith("mpirun -n "):
        fail(f"{row['workload']}: the MPI cell's command: {row['commands']}")
    if not row["verdict"] or not row["python"]["verdict"]:
        fail(f"{row['workload']}: no verdict, C or Python: {row}")
    py = row["python"]
    for way in WAYS:
        v, pnote = py["seconds"][way], py["notes"].get(way, "")
        if no_python and (v is not None or pnote != "left out (--no-python)"):
            fail(f"{row['workload']}: Python {way} not left out: {v} {pnote!r}")
        if not no_python and not number(v) and "not measured" not in pnote:
            fail(f"{row['workload']}: Python {way} neither measured nor said why: {py}")
    if not no_python and not number(row["seconds"]["python"]):
        fail(f"{row['workload']}: the python column lost its time: {row['seconds']}")
cpu = rows[0]["python"]
if not no_python and not cpu["commands"].get("threads", "").startswith("python3 notebook_sum.py"):
    fail(f"the GIL row's commands: {cpu['commands']}")
print("ok compare: 3 workloads in C and Python, every C cell measured, commands, verdicts")

# The text: the matrix's six rows, every line within 80 columns; --wide unfolds.
env = dict(os.environ, COLUMNS="80")
for wide in ([], ["--wide"]):
    q = subprocess.run([mapo, "compare", *SMALL, "--no-python", *wide], capture_output=True,
                       text=True, timeout=300, env=env)
    if q.returncode != 0:
        fail(f"text {wide}: exit {q.returncode}: {q.stderr[-800:]}")
    lines = q.stdout.splitlines()
    names = [l.split("  ")[1] for l in lines
             if re.match(r"^  (CPU-bound|I/O-bound|the recipe) in (C|Python) ", l)]
    if len(names) != 6:
        fail(f"text {wide}: want 6 rows in the matrix, got {names}:\n{q.stdout}")
    longest = max(len(l) for l in lines)
    if not wide and longest > 80:
        fail(f"text: a line of {longest} columns:\n{q.stdout}")
    if wide and longest <= 80:
        fail(f"--wide: nothing longer than 80 columns, was anything unfolded?\n{q.stdout}")
print("ok text: 6 rows, 80 columns, --wide unfolded")

for bad in (["--requests", "0"], ["--latency-ms", "x"], ["--unit-ms", "0"], ["--bogus"], ["extra"],
            ["--base", "0"], ["--python-base", "-1"]):
    q = subprocess.run([mapo, "compare", *bad], capture_output=True, text=True, timeout=60)
    if q.returncode != 2 or q.stdout or q.stderr.count("\n") != 1:
        fail(f"compare {bad}: exit {q.returncode}, stderr {q.stderr!r}")
print("ok bad input")
