"""check_limits.py - accepted values that run for years (issue 13, class 9).

usage: python3 check_limits.py MAPO SCRATCH-DIR

Each check is a reproducer of a command line that was accepted and then ran for years
while --help spoke of seconds:
- mapo cook --unit-ms 60000 on a recipe with a step of a million units (1.9 years),
  mapo compare --requests 100000 --latency-ms 10000 (its serial I/O cell alone is 11.6
  days), mapo race --trials 10000000 --watchdog-ms 60000 on the dead-lock demo, the
  same for mapo sum, scale and io at their largest, and mapo-mpi cook under mpirun
  when it is built (skipped otherwise): each is refused before it runs,
  exit 2, one line on stderr with the estimate, the limit and --insist, nothing on
  stdout, no file written, and it returns at once (a run would take years; the
  timeout is only there so that a regression fails instead of hanging);
- with --insist each is accepted: the time check passes and the command goes on to
  fail fast on something else (sections cannot cook the recipe), or it is seen
  running (compare prints "measuring", io, race and sum are still
  running after a moment) and is then killed with its process group;
- every such command's --help names --insist and the limit.
Nothing here depends on the machine's speed.
"""
import os
import shutil
import signal
import subprocess
import sys
import threading

mapo, scratch = sys.argv[1], sys.argv[2]
os.makedirs(scratch, exist_ok=True)
for name in os.listdir(scratch):
    os.remove(os.path.join(scratch, name))
RETURN_S = 120  # a refusal returns in milliseconds; a run would take years


def fail(msg):
    print(f"check_limits: FAIL: {msg}")
    sys.exit(1)


def at(name):
    return os.path.join(scratch, name)


LONG = at("long.recipe")
with open(LONG, "w") as f:
    f.write("title A step of a million units\nstep forever 1000000 wait says Waiting\n")
# The dinner (examples/recipes/dinner.recipe), which is no fork-join, with its bread
# baking a million units: sections refuses it at once, whatever the time.
LONG_DINNER = at("long-dinner.recipe")
with open(LONG_DINNER, "w") as f:
    f.write("title Dinner\n"
            "step cut-veg 2 hands says Cutting the vegetables\n"
            "step bake 1000000 wait says Baking the bread\n"
            "step simmer 8 wait after cut-veg says Simmering the soup\n"
            "step dress 1 hands after cut-veg says Dressing the salad\n"
            "step serve 0 wait after bake simmer dress says Serving dinner\n")
MADE = {"long.recipe", "long-dinner.recipe"}

EXAMPLES = {
    "cook": ["cook", "--unit-ms", "60000", "--recipe", LONG],
    "cook --model all": ["cook", "--model", "all", "--unit-ms", "60000", "--recipe", LONG],
    "compare": ["compare", "--requests", "100000", "--latency-ms", "10000"],
    "race": ["race", "--demo", "deadlock", "--mode", "naive", "--trials", "10000000",
             "--watchdog-ms", "60000"],
    "race --mode all": ["race", "--demo", "deadlock", "--mode", "all", "--trials", "10000000",
                        "--watchdog-ms", "60000"],
    "sum": ["sum", "--model", "serial", "--numbers", "100000", "--base", "4294000000",
            "--repeat", "1000"],
    "scale": ["scale", "--threads", "1-2", "--numbers", "100000", "--base", "4294000000",
              "--repeat", "1000", "--csv", at("scale.csv")],
    "io": ["io", "--model", "serial", "--requests", "1000000", "--latency-ms", "10000"],
}


def refused(name, args):
    try:
        p = subprocess.run([mapo] + args, capture_output=True, text=True, timeout=RETURN_S,
                           cwd=scratch)
    except subprocess.TimeoutExpired:
        fail(f"{name}: still running after {RETURN_S} s: the run was not refused")
    err = p.stderr.strip()
    if p.returncode != 2:
        fail(f"{name}: exit {p.returncode}, want 2; stderr: {err[-300:]!r}")
    if len(err.splitlines()) != 1:
        fail(f"{name}: want one line on stderr, got {err!r}")
    for words in ("would take at least", "limit of 10 min", "--insist"):
        if words not in err:
            fail(f"{name}: the refusal does not say {words!r}: {err!r}")
    if p.stdout:
        fail(f"{name}: a refused run printed {p.stdout[:200]!r}")
    left = set(os.listdir(scratch)) - MADE
    if left:
        fail(f"{name}: a refused run left {sorted(left)}")
    print(f"check_limits: {name}: refused: {err}")


def fails_fast(name, args, want_rc, want_err, env=None):
    """With --insist the time check passes, and what follows fails at once."""
    try:
        p = subprocess.run([mapo] + args + ["--insist"], capture_output=True, text=True,
                           timeout=RETURN_S, cwd=scratch, env=env)
    except subprocess.TimeoutExpired:
        fail(f"{name} --insist: still running after {RETURN_S} s")
    err = p.stderr.strip()
    if p.returncode != want_rc or want_err not in err or "--insist" in err:
        fail(f"{name} --insist: exit {p.returncode} {err!r}, want {want_rc} and {want_err!r}")
    print(f"check_limits: {name} --insist: accepted, then: {err}")


def seen_running(name, args, marker=None, env=None):
    """With --insist the command runs: it prints marker on stderr (or, with none, is still
    running after 2 s, where a refusal takes milliseconds); then it and its children
    (one process group) are killed."""
    p = subprocess.Popen([mapo] + args + ["--insist"], stdout=subprocess.DEVNULL,
                         stderr=subprocess.PIPE, text=True, cwd=scratch, env=env,
                         start_new_session=True)
    lines = []
    seen = threading.Event()

    def read():
        for line in p.stderr:
            lines.append(line.strip())
            if marker and marker in line:
                seen.set()
        seen.set()  # end of stderr: the process has ended

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        if marker:
            seen.wait(RETURN_S)
        else:
            p.wait(timeout=2)
    except subprocess.TimeoutExpired:
        pass
    running = p.poll() is None
    if running:
        os.killpg(p.pid, signal.SIGKILL)
    p.wait()
    reader.join(5)
    text = " / ".join(lines)
    if "--insist" in text or (marker and marker not in text) or (not marker and not running):
        fail(f"{name} --insist: not seen running (exit {p.returncode}): {text!r}")
    print(f"check_limits: {name} --insist: accepted, seen running, killed")


for name, args in EXAMPLES.items():
    refused(name, args)

fails_fast("cook", ["cook", "--model", "sections", "--unit-ms", "60000", "--recipe", LONG_DINNER],
           2, "sections cannot cook this recipe")
# io: its supplier starts and the first order waits 10 s; killed with its group.
seen_running("io", EXAMPLES["io"])
# compare: no mpirun and no python3 on PATH, so that its children are this program only.
seen_running("compare", EXAMPLES["compare"] + ["--no-python"], "measuring",
             dict(os.environ, PATH=at("no-such-folder")))
# The naive deadlock races on purpose: under the tsan preset ThreadSanitizer would report
# it and halt (the label racy checks that it does); here only --insist counts.
seen_running("race", EXAMPLES["race"], env=dict(
    os.environ, TSAN_OPTIONS=os.environ.get("TSAN_OPTIONS", "") + ":report_bugs=0"))
seen_running("sum", EXAMPLES["sum"])

# mapo-mpi cook, beside mapo when MPI is built: the same refusal, from every rank alike
# (rank 0 prints it).
mpi = os.path.join(os.path.dirname(mapo), "mapo-mpi")
mpirun = shutil.which("mpirun")
if os.access(mpi, os.X_OK) and mpirun:
    # Open MPI's own allocations are never freed: no leak check there, as in the mpi tests.
    env = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
               ASAN_OPTIONS="detect_leaks=0:halt_on_error=1")
    try:
        p = subprocess.run([mpirun, "-q", "-n", "2", mpi, "cook", "--unit-ms", "60000",
                            "--recipe", LONG], capture_output=True, text=True, timeout=RETURN_S,
                           cwd=scratch, env=env, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        fail(f"mapo-mpi cook: still running after {RETURN_S} s: the run was not refused")
    err = p.stderr.strip()
    if p.returncode != 2 or "would take at least 1.9 years" not in err or p.stdout:
        fail(f"mapo-mpi cook: exit {p.returncode}, {err!r}; want 2 and the estimate")
    print(f"check_limits: mapo-mpi cook: refused: {err.splitlines()[0]}")
else:
    print("check_limits: mapo-mpi cook: skipped (no mapo-mpi or no mpirun)")

for command in ("cook", "sum", "scale", "io", "compare", "race"):
    out = subprocess.run([mapo, command, "--help"], capture_output=True, text=True,
                         timeout=RETURN_S).stdout
    line = next((l for l in out.splitlines() if l.strip().startswith("--insist")), "")
    if "10 min" not in line:
        fail(f"{command} --help: no --insist line with the limit: {line!r}")

for name in os.listdir(scratch):
    os.remove(os.path.join(scratch, name))
print("check_limits: every example refused at once, and accepted with --insist")
