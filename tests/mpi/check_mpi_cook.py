#!/usr/bin/env python3
"""check_mpi_cook.py - `mapo-mpi cook` under mpiexec, from the outside.

Cooks the notebook's Mapo Tofu at 20 ms a unit with 2, 3 and 4 ranks (1, 2 and 3 cooks:
rank 0 only coordinates) and checks that
  - --json prints exactly one JSON object with the contract fields of `mapo cook --json`
    plus `ranks`, exit 0;
  - the makespan never beats the bound (steps sleep to their deadlines), and with 2 or
    3 cooks it stays below 20 units, clearly under one cook's 23: the chef deals steps
    in parallel. On a quiet machine it is 23, 16 (the chef's order) and 9 units, the
    rice 48, 62 and 76 degrees; a loaded machine (oversubscribed ranks, a CPU hog) only
    adds to the makespan and cools the rice, so those figures are not asserted, only
    what no load can produce: one cook's rice no warmer than 48, more cooks' warmer;
  - every step ran on a cook 0..n-2, after each step it comes after, and no cook ran two
    steps at once;
  - the placement table names every rank on one host and node, with its clock's offset
    against rank 0's: 0 within the uncertainty reported (one machine, one clock);
  - at --unit-ms 0 the *_units fields are null and the run still succeeds;
  - --trace writes valid Chrome trace JSON with a row per cook;
  - one rank is refused with one line on stderr that says 2 ranks are needed, and a bad
    flag (or an output folder that does not exist) at 4 ranks exits non-zero (no rank
    hangs: 60 s) with exactly one line on stderr and nothing on stdout.

usage: python3 check_mpi_cook.py MPIEXEC NUMPROC_FLAG MAPO_MPI
It sets the variables Open MPI needs when run as root (and oversubscription, for small
machines) in the child's environment, prints an "ok" line per check and stops with
exit 1 at the first failure. Standard library only.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

if len(sys.argv) != 4:
    print("usage: python3 check_mpi_cook.py MPIEXEC NUMPROC_FLAG MAPO_MPI", file=sys.stderr)
    sys.exit(2)
MPIEXEC, NP, MAPO_MPI = sys.argv[1:4]
UNIT_MS = "20"
TIMEOUT_S = 60
PARALLEL_BELOW = 20  # units: one cook takes 23; two reach 16 and three 9 when quiet
TOL_DEGREES = 0.5    # the rice is printed to 0.1 degree
CONTRACT = ["model", "cooks", "makespan_units", "makespan_ms", "span_units", "work_units",
            "bound_units", "overhead_ms", "dispatch_ms", "rice_temperature", "steps", "ranks"]
# The built-in recipe's dependencies (the notebook's Mapo Tofu): step -> steps before it.
AFTER = {
    "wash-rice": [], "boil-rice": ["wash-rice"], "blend-spices": [],
    "fry-spices": ["blend-spices"], "fry-meat": [], "mix-tofu": ["fry-meat"],
    "mix-oil-meat": ["boil-rice", "fry-spices", "mix-tofu"], "serve": ["mix-oil-meat"],
}
# ranks -> (makespan, rice) on a quiet machine, in units and degrees: printed beside
# what was measured. One cook cooks everything in turn (the chef deals the step just
# readied first, so the rice boils early and waits 16 units: 48 degrees); two cooks reach
# 16 units with the chef's order (the bound is 11.5); three reach the span.
EXPECT = {2: (23, 48), 3: (16, 62), 4: (9, 76)}

env = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
           OMPI_MCA_rmaps_base_oversubscribe="1")


def fail(msg):
    print("check_mpi_cook: FAIL: " + msg, file=sys.stderr)
    sys.exit(1)


def ok(msg):
    print("ok " + msg, flush=True)


def launch_args(n):
    # -q keeps Open MPI's own banner quiet; other launchers do not take it.
    quiet = ["-q"] if os.path.basename(MPIEXEC) in ("mpirun", "mpiexec", "orterun") else []
    return [MPIEXEC] + quiet + [NP, str(n), MAPO_MPI, "cook"]


def run(n, args, timeout=TIMEOUT_S):
    t0 = time.monotonic()
    try:
        p = subprocess.run(launch_args(n) + args, capture_output=True, text=True, env=env,
                           timeout=timeout)
    except subprocess.TimeoutExpired:
        fail("-n %d cook %s: no answer within %d s" % (n, " ".join(args), timeout))
    return p, time.monotonic() - t0


def one_json(n, args):
    p, _ = run(n, args)
    if p.returncode != 0:
        fail("-n %d %s: exit %d, stderr: %s" % (n, args, p.returncode, p.stderr.strip()))
    lines = p.stdout.splitlines()
    if len(lines) != 1:
        fail("-n %d %s: %d lines on stdout, expected one JSON line" % (n, args, len(lines)))
    try:
        return json.loads(lines[0])
    except ValueError as e:
        fail("-n %d %s: not JSON (%s): %s" % (n, args, e, lines[0][:200]))


def check_timeline(n, d):
    steps = {s["name"]: s for s in d["steps"]}
    if sorted(steps) != sorted(AFTER):
        fail("-n %d: steps %s" % (n, sorted(steps)))
    eps = 0.02  # units: clock readings are rounded to the ns, and printed
    for s in d["steps"]:
        if not (isinstance(s["worker"], int) and 0 <= s["worker"] <= n - 2):
            fail("-n %d: step %s ran on worker %r, not a cook 0..%d" % (n, s["name"],
                                                                        s["worker"], n - 2))
        if s["end_units"] < s["start_units"]:
            fail("-n %d: step %s ends before it starts" % (n, s["name"]))
        for p in AFTER[s["name"]]:
            if s["start_units"] < steps[p]["end_units"] - eps:
                fail("-n %d: %s started at %.3f, before %s ended at %.3f" % (
                    n, s["name"], s["start_units"], p, steps[p]["end_units"]))
    for w in range(n - 1):
        mine = sorted((s["start_units"], s["end_units"], s["name"]) for s in d["steps"]
                      if s["worker"] == w)
        for a, b in zip(mine, mine[1:]):
            if b[0] < a[1] - eps:
                fail("-n %d: cook %d ran %s and %s at once" % (n, w, a[2], b[2]))


def check_placement(n, d):
    """Every rank's host, one node, and its clock against rank 0's: on one machine every
    rank reads the same clock, so the true offset, 0, lies within the uncertainty (the
    remote reading falls inside the round trip: |offset| <= half of it, by arithmetic)."""
    ranks = d.get("placement", [])
    if [p.get("rank") for p in ranks] != list(range(n)) or d.get("nodes") != 1:
        fail("-n %d: placement %r, nodes %r" % (n, ranks, d.get("nodes")))
    if len({p["host"] for p in ranks}) != 1 or any(p["node"] != 0 for p in ranks):
        fail("-n %d: more than one host or node on one machine: %r" % (n, ranks))
    for p in ranks:
        off, err = p.get("clock_offset_ms"), p.get("clock_uncertainty_ms")
        if off is None or err is None or abs(off) > err + 2e-6:
            fail("-n %d: rank %d's clock %r +/- %r ms: not 0 within its uncertainty"
                 % (n, p["rank"], off, err))


def check_cook(n):
    d = one_json(n, ["--unit-ms", UNIT_MS, "--json"])
    missing = [f for f in CONTRACT if f not in d]
    if missing:
        fail("-n %d: JSON lacks %s" % (n, missing))
    if d["ranks"] != n or d["cooks"] != n - 1:
        fail("-n %d: ranks %r, cooks %r" % (n, d["ranks"], d["cooks"]))
    quiet, rice = EXPECT[n]
    m = d["makespan_units"]
    if m < d["bound_units"] - 0.01:
        fail("-n %d: makespan %.3f beats the bound %.3f" % (n, m, d["bound_units"]))
    if n > 2 and m >= PARALLEL_BELOW:
        fail("-n %d: makespan %.3f units, not below %d: the cooks did not work in parallel"
             % (n, m, PARALLEL_BELOW))
    t = d["rice_temperature"]
    if t is None or not 0 <= t <= 80:
        fail("-n %d: rice %r degrees, not between 0 and 80" % (n, t))
    if n == 2 and t > EXPECT[2][1] + TOL_DEGREES:
        fail("-n 2: rice %.1f degrees, warmer than one cook can serve it (48)" % t)
    if n > 2 and t <= EXPECT[2][1] + TOL_DEGREES:
        fail("-n %d: rice %.1f degrees, no warmer than one cook's 48" % (n, t))
    check_timeline(n, d)
    check_placement(n, d)
    ok("-n %d: %d cook%s, makespan %.3f units (bound %g, %g when quiet), rice %.1f (%g), "
       "dispatch %.3f ms" % (n, n - 1, "" if n == 2 else "s", m, d["bound_units"], quiet, t,
                             rice, d["dispatch_ms"]))


def check_unit_zero():
    d = one_json(4, ["--unit-ms", "0", "--json"])
    nulls = [f for f in ("makespan_units", "bound_units", "rice_temperature") if d[f] is not None]
    if nulls:
        fail("--unit-ms 0: %s not null" % nulls)
    if not (d["makespan_ms"] >= 0) or any(s["start_units"] is not None for s in d["steps"]):
        fail("--unit-ms 0: makespan_ms %r, or step times in units" % d["makespan_ms"])
    ok("--unit-ms 0: *_units null, %.3f ms for %d steps" % (d["makespan_ms"], len(d["steps"])))


def check_trace(folder):
    path = os.path.join(folder, "cook.json")
    p, _ = run(4, ["--unit-ms", UNIT_MS, "--json", "--trace", path])
    if p.returncode != 0:
        fail("--trace: exit %d, stderr: %s" % (p.returncode, p.stderr.strip()))
    try:
        with open(path) as f:
            trace = json.load(f)
    except (OSError, ValueError) as e:
        fail("--trace: %s" % e)
    events = trace.get("traceEvents", [])
    rows = {e["tid"] for e in events if e.get("ph") == "M" and e.get("name") == "thread_name"}
    ran = [e for e in events if e.get("ph") == "X"]
    if rows != {0, 1, 2}:
        fail("--trace: rows %s, expected one per cook (0, 1, 2)" % sorted(rows))
    if len(ran) != len(AFTER) or any(e["tid"] not in rows for e in ran):
        fail("--trace: %d step events, or a step on no cook's row" % len(ran))
    if [f for f in os.listdir(folder) if f != "cook.json"]:
        fail("--trace: left %s behind" % os.listdir(folder))
    ok("--trace: valid JSON, a row per cook (3), %d steps" % len(ran))


def check_refused(n, args, what, needle=None):
    p, secs = run(n, args, timeout=60)  # the time limit is the check that no rank hangs
    lines = p.stderr.splitlines()
    if p.returncode == 0:
        fail("%s: exit 0" % what)
    if len(lines) != 1 or p.stdout:
        fail("%s: expected one line on stderr and nothing on stdout, got %r / %r" % (
            what, p.stderr, p.stdout))
    if needle and needle not in lines[0]:
        fail("%s: %r does not mention %r" % (what, lines[0], needle))
    ok("%s: exit %d in %.1f s: %s" % (what, p.returncode, secs, lines[0]))


def main():
    for n in (2, 3, 4):
        check_cook(n)
    check_unit_zero()
    folder = tempfile.mkdtemp(prefix="mapo-mpi-cook-")
    try:
        check_trace(folder)
        check_refused(4, ["--trace", os.path.join(folder, "no-such", "t.json")],
                      "-n 4 --trace in a missing folder", "--trace")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    check_refused(1, ["--unit-ms", UNIT_MS, "--json"], "-n 1", "2 ranks")
    check_refused(4, ["--no-such-flag"], "-n 4 a bad flag", "--no-such-flag")
    check_refused(4, ["--unit-ms", "-1"], "-n 4 --unit-ms -1", "--unit-ms")
    print("check_mpi_cook: all passed")


if __name__ == "__main__":
    main()
