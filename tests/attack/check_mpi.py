#!/usr/bin/env python3
"""check_mpi.py - ranks that disagree (issue 13, class 5): mapo-mpi under mpiexec when
each rank is given another command line or another file.

usage: python3 check_mpi.py MPIEXEC NUMPROC_FLAG MAPO_MPI SCRATCH-DIR

Each check is a reproducer of what broke before; MPMD launches (`A : B`) give each rank
a command line of its own, as node-local paths and stdin do on a real cluster:
- recipes that differ per rank (--recipe big : --recipe small): the cooks parsed their
  own file and were sent rank 0's step numbers, a heap-buffer-overflow under ASan
  (mpi/cook.c:96) and wrong timings in a release build. Now rank 0 reads the recipe
  once and broadcasts its bytes: the job cooks rank 0's recipe, exit 0, nothing on
  stderr; each step lasts at least its units of rank 0's recipe (a lower bound only:
  a step sleeps to its deadline, whatever the machine's speed); a rank's --recipe
  naming a file that does not exist there is never opened;
- --recipe /dev/stdin at 4 ranks (stdin reaches rank 0 only): it cooks; a bad recipe
  on stdin is one line "/dev/stdin:LINE: ...", exit 2;
- a bad flag seen by one rank only (every lesson: cook, sum, pingpong, cupboard), a
  lesson that differs, on one rank: exit 2 (no hang), nothing on stdout, exactly one
  line on stderr, naming that rank ("mapo-mpi cook: rank 3: unknown option ...");
- valid flags that differ: rank 0's command line is the job's (pingpong --max-bytes,
  sum --numbers, cupboard --trials; a smaller buffer on rank 1 truncated before);
- --help on one rank: the help once, exit 0.
Every run has a generous timeout (a hang is a failure, never a slow machine); no
sanitizer report may appear on stderr. Skipped (77) where the launcher has no MPMD
syntax (it is not mpirun/mpiexec). It removes SCRATCH-DIR when it passes.
"""
import json
import os
import shutil
import subprocess
import sys

if len(sys.argv) != 5:
    print("usage: python3 check_mpi.py MPIEXEC NUMPROC_FLAG MAPO_MPI SCRATCH-DIR",
          file=sys.stderr)
    sys.exit(2)
MPIEXEC, NP, MAPO_MPI, scratch = sys.argv[1:5]
TIMEOUT_S = 120
if os.path.basename(MPIEXEC) not in ("mpirun", "mpiexec", "orterun"):
    print(f"check_mpi: skipped ({MPIEXEC} may not take MPMD's 'A : B')")
    sys.exit(77)

env = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
           OMPI_MCA_rmaps_base_oversubscribe="1")
shutil.rmtree(scratch, ignore_errors=True)
os.makedirs(scratch)


def fail(msg):
    print(f"check_mpi: FAIL: {msg}")
    sys.exit(1)


def at(name):
    return os.path.join(scratch, name)


def write(name, text):
    with open(at(name), "w") as f:
        f.write(text)
    return at(name)


# Rank 0's recipe and another rank's: 200 steps against 3, and the same two steps
# lasting 5 units against 1.
BIG = write("big.recipe", "title big\n" + "".join(
    f"step s{i} {1 + i % 3} wait" + (f" after s{i - 1}" if i % 4 else "") + "\n"
    for i in range(200)))
SMALL = write("small.recipe", "title small\nstep a 1 wait\nstep b 1 wait after a\n"
              "step c 1 wait\n")
SLOW = write("slow.recipe", "title slow\nstep a 5 wait\nstep b 5 wait after a\n")
FAST = write("fast.recipe", "title fast\nstep a 1 wait\nstep b 1 wait after a\n")
BAD = "title bad\nstep a 1 wait\nstep a 2 wait\n"  # line 3: a step defined twice


def launch(*parts):
    """mpiexec -q -n N prog ARGS [: -n N prog ARGS ...]: parts are (ranks, [args])."""
    cmd = [MPIEXEC, "-q"]
    for i, (ranks, args) in enumerate(parts):
        cmd += ([":"] if i else []) + [NP, str(ranks), MAPO_MPI] + args
    return cmd


def run(*parts, stdin=None):
    cmd = launch(*parts)
    what = " ".join(cmd[2:]).replace(MAPO_MPI, "mapo-mpi").replace(scratch + "/", "")
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=TIMEOUT_S,
                           input=stdin, cwd=scratch)
    except subprocess.TimeoutExpired:
        fail(f"{what}: no exit within {TIMEOUT_S} s (a rank hangs)")
    if "Sanitizer" in p.stderr or "runtime error" in p.stderr:
        fail(f"{what}: a sanitizer report: {p.stderr[-3000:]}")
    return p, what


def ran(*parts, stdin=None):
    """Exit 0, nothing on stderr, one JSON object on stdout (the args ask --json)."""
    p, what = run(*parts, stdin=stdin)
    if p.returncode != 0 or p.stderr.strip():
        fail(f"{what}: exit {p.returncode}, stderr: {p.stderr[-1500:]!r}")
    lines = p.stdout.strip().splitlines()
    if len(lines) != 1:
        fail(f"{what}: stdout is not one JSON line: {p.stdout[-1500:]!r}")
    try:
        return json.loads(lines[0]), what
    except ValueError as e:
        fail(f"{what}: not JSON ({e}): {lines[0][:300]}")


def refused(*parts, says, stdin=None):
    """Exit 2 on every rank, nothing on stdout, one line on stderr with each of says."""
    p, what = run(*parts, stdin=stdin)
    lines = p.stderr.strip().splitlines()
    if p.returncode != 2:
        fail(f"{what}: exit {p.returncode}, want 2; stderr: {p.stderr[-1500:]!r}")
    if len(lines) != 1:
        fail(f"{what}: {len(lines)} lines on stderr, want one: {p.stderr[-1500:]!r}")
    for s in says:
        if s not in lines[0]:
            fail(f"{what}: the line does not say {s!r}: {lines[0]!r}")
    if p.stdout:
        fail(f"{what}: refused, yet printed on stdout: {p.stdout[:300]!r}")
    print(f"ok {what}: exit 2, {lines[0]!r}")


COOK = ["cook", "--unit-ms", "0", "--json"]

# Recipes that differ per rank: rank 0's counts, whichever is larger.
d, what = ran((1, COOK + ["--recipe", BIG]), (1, COOK + ["--recipe", SMALL]))
if d["recipe"] != "big" or len(d["steps"]) != 200:
    fail(f"{what}: cooked {d['recipe']!r}, {len(d['steps'])} steps; want rank 0's 200")
print(f"ok {what}: rank 0's 200 steps cooked, no sanitizer report")
d, what = ran((1, COOK + ["--recipe", SMALL]), (3, COOK + ["--recipe", BIG]))
if d["recipe"] != "small" or len(d["steps"]) != 3:
    fail(f"{what}: cooked {d['recipe']!r}, {len(d['steps'])} steps; want rank 0's 3")
print(f"ok {what}: rank 0's 3 steps cooked by 3 cooks")
d, what = ran((1, COOK + ["--recipe", SMALL]), (1, COOK + ["--recipe", at("nowhere")]))
print(f"ok {what}: another rank's --recipe is never opened")

# The same steps, other durations: every step lasts at least rank 0's units.
slow = ["cook", "--unit-ms", "20", "--json", "--recipe"]
d, what = ran((1, slow + [SLOW]), (1, slow + [FAST]))
for s in d["steps"]:
    took = s["end_units"] - s["start_units"]
    if took < 5 - 0.05:
        fail(f"{what}: step {s['name']} took {took:.2f} units, rank 0's recipe says 5")
if d["makespan_units"] < 10 - 0.1:
    fail(f"{what}: makespan {d['makespan_units']} units, rank 0's recipe takes 10")
print(f"ok {what}: every step took rank 0's 5 units (makespan {d['makespan_units']:.2f})")

# stdin reaches rank 0 only.
with open(BIG) as f:
    big_text = f.read()
d, what = ran((4, COOK + ["--recipe", "/dev/stdin"]), stdin=big_text)
if len(d["steps"]) != 200 or d["cooks"] != 3:
    fail(f"{what}: {len(d['steps'])} steps, {d['cooks']} cooks; want 200 and 3")
print(f"ok {what} < big.recipe: 200 steps, 3 cooks")
refused((4, COOK + ["--recipe", "/dev/stdin"]), stdin=BAD,
        says=["/dev/stdin:3:", "duplicate step"])

# A bad flag seen by one rank only, in every lesson; a lesson that differs.
refused((1, ["cook"]), (1, ["cook", "--bogus"]),
        says=["mapo-mpi cook: rank 1: ", "unknown option '--bogus'"])
refused((3, ["cook"]), (1, ["cook", "--bogus"]),
        says=["mapo-mpi cook: rank 3: ", "unknown option '--bogus'"])
refused((1, ["sum"]), (1, ["sum", "--numbers", "0"]),
        says=["mapo-mpi sum: rank 1: ", "--numbers: 0 is out of range"])
refused((1, ["pingpong"]), (1, ["pingpong", "--max-bytes", "-1"]),
        says=["mapo-mpi pingpong: rank 1: ", "--max-bytes"])
refused((2, ["cupboard"]), (1, ["cupboard", "--mode", "nope"]),
        says=["mapo-mpi cupboard: rank 2: ", "--mode: 'nope'"])
refused((1, ["cook"]), (1, ["sum"]), says=["mapo-mpi: rank 1: ", "same lesson"])
refused((1, ["cook"]), (1, ["cokk"]), says=["mapo-mpi: rank 1: ", "unknown lesson 'cokk'"])

# Valid flags that differ: rank 0's are the job's.
d, what = ran((1, ["pingpong", "--json", "--max-bytes", "4096"]),
              (1, ["pingpong", "--json", "--max-bytes", "16"]))
if d["rows"][-1]["bytes"] != 4096:
    fail(f"{what}: the largest message was {d['rows'][-1]['bytes']} bytes, want 4096")
print(f"ok {what}: rank 0's 4096 bytes, no truncation")
sum_args = ["sum", "--json", "--base", "1000", "--repeat", "1", "--numbers"]
d, what = ran((1, sum_args + ["4"]), (1, sum_args + ["2"]))
if d.get("numbers") != 4 or d.get("verified") is not True:
    fail(f"{what}: numbers {d.get('numbers')}, verified {d.get('verified')}; want 4, true")
print(f"ok {what}: rank 0's 4 numbers, verified")
d, what = ran((1, ["cupboard", "--json", "--trials", "50"]),
              (1, ["cupboard", "--json", "--trials", "20"]))
if d.get("trials") != 50:
    fail(f"{what}: trials {d.get('trials')}, want rank 0's 50")
print(f"ok {what}: rank 0's 50 trials")

# --help on one rank: printed once, by rank 0.
p, what = run((1, ["cook"]), (1, ["cook", "--help"]))
if p.returncode != 0 or p.stderr.strip() or p.stdout.count("usage: mapo-mpi cook") != 1:
    fail(f"{what}: exit {p.returncode}, stdout {p.stdout[:200]!r}, stderr {p.stderr[-500:]!r}")
print(f"ok {what}: the help once, exit 0")

shutil.rmtree(scratch, ignore_errors=True)
print("check_mpi: all passed")
