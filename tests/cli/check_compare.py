"""check_compare.py - `mapo compare`: the full matrix, small and fast.

The shape only: three rows, every C cell a measured time, the processes column measured
or said unavailable, a verdict per row, and bad flags refused. How the times compare
(serial well above async) depends on the machine's load and speed: that is measured by
bench/compare-check.py, not asserted here.

Under a sanitizer (a fourth argument) the Python column is left out (--no-python): the
notebook's Python is not built by the sanitizer, and costs seconds of a slow run.

usage: python3 check_compare.py MAPO-BINARY SOURCE-DIR SCRATCH-DIR [SANITIZERS]
"""
import json
import subprocess
import sys

mapo = sys.argv[1]
no_python = ["--no-python"] if len(sys.argv) > 4 and sys.argv[4] else []


def fail(msg):
    print(f"check_compare: FAIL: {msg}")
    sys.exit(1)


p = subprocess.run([mapo, "compare", "--requests", "20", "--latency-ms", "5", "--unit-ms", "2",
                    "--json"] + no_python, capture_output=True, text=True, timeout=300)
if p.returncode != 0 or p.stderr:
    fail(f"exit {p.returncode}, stderr {p.stderr[-1500:]}")
doc = json.loads(p.stdout)
rows = doc["rows"]
if len(rows) != 3:
    fail(f"want 3 rows, got {len(rows)}")
for row in rows:
    for col in ("serial", "threads", "async"):
        v = row["seconds"][col]
        if not isinstance(v, (int, float)) or v <= 0:
            fail(f"{row['workload']}: {col} = {v}")
    procs, note = row["seconds"]["processes"], row["notes"].get("processes", "")
    measured = isinstance(procs, (int, float)) and procs > 0
    if not measured and not ("not available" in note or "not measured" in note):
        fail(f"{row['workload']}: processes neither measured nor said unavailable: {row}")
    if not row["verdict"]:
        fail(f"{row['workload']}: no verdict")
print("ok compare: 3 rows, every C cell measured, processes measured or said unavailable, verdicts")

for bad in (["--requests", "0"], ["--latency-ms", "x"], ["--unit-ms", "0"], ["--bogus"], ["extra"]):
    q = subprocess.run([mapo, "compare", *bad], capture_output=True, text=True, timeout=60)
    if q.returncode != 2 or q.stdout or q.stderr.count("\n") != 1:
        fail(f"compare {bad}: exit {q.returncode}, stderr {q.stderr!r}")
print("ok bad input")
