"""check_slips.py - success reported for failure, and smaller slips (issue 13, classes 8
and 10).

usage: python3 check_slips.py MAPO SCRATCH-DIR [SANITIZER]

Each check is a reproducer of what broke before:
- mapo compare whose processes and Python cells fail (an mpirun and a python3 that exit
  1 and 3) printed "nanx" in its verdicts: now no "nan" or "inf" anywhere and the
  verdict leaves the failed cell out, exit 1;
- mapo compare with 600 more environment variables dropped the rest, PATH included,
  from its children: the variable after the 600 reaches the fake python3;
- a team of threads that cannot be created (RLIMIT_NPROC 1 for the user nobody) printed
  libgomp's blank line and its own: now one line, exit 1 (root only: skipped otherwise);
- out of memory while loading a recipe was exit 2 (bad input): now exit 1, one line
  (RLIMIT_AS; skipped under a sanitizer, whose shadow memory needs terabytes of it);
- --help and reports onto /dev/full exited 0: now exit 1, one line;
- 0x10, +5 and " 5" were taken as numbers: refused, exit 2, in flags and in recipes;
- `uses *2` said "utensil  COUNT" with an empty name: the message names what is missing;
- with stdout closed, the event loop's eventfd became fd 1: descriptors 0-2 are opened
  on /dev/null first, so the run works and nothing of it lands on a descriptor of its own.
"""
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile

from attack_common import reachable_env

mapo, scratch = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
sanitizer = sys.argv[3] if len(sys.argv) > 3 else ""
shutil.rmtree(scratch, ignore_errors=True)
os.makedirs(scratch)


def fail(msg):
    print(f"check_slips: FAIL: {msg}")
    sys.exit(1)


def at(name):
    return os.path.join(scratch, name)


def one_line(what, p, want_rc, want=None):
    err = p.stderr.decode("utf-8", "replace") if isinstance(p.stderr, bytes) else p.stderr
    lines = err.strip().splitlines()
    if p.returncode != want_rc or len(lines) != 1 or (want and want not in lines[0]):
        fail(f"{what}: exit {p.returncode}, stderr {err!r}; want exit {want_rc}, one line "
             f"with {want!r}")


def run(args, **kw):
    if "stdout" not in kw and "stderr" not in kw:
        kw["capture_output"] = True
    kw.setdefault("timeout", 300)
    return subprocess.run([mapo] + args, text=True, cwd=scratch, **kw)


# compare: failed cells, 600 more variables.
fake = at("fakebin")
os.mkdir(fake)
for name, body in (("python3", f'echo "$MAPO_ATTACK_LAST" > {at("seen")}\nexit 3\n'),
                   ("mpirun", 'case "$1" in --version) echo fake; exit 0;; esac\nexit 1\n')):
    with open(os.path.join(fake, name), "w", encoding="utf-8") as f:
        f.write("#!/bin/sh\n" + body)
    os.chmod(os.path.join(fake, name), 0o755)
env = {f"MAPO_ATTACK_{i:03d}": "x" * 20 for i in range(600)}
env.update({k: v for k, v in os.environ.items() if k != "PATH"})
env["MAPO_ATTACK_LAST"] = "after 600"
env["PATH"] = fake + os.pathsep + os.environ.get("PATH", "")  # last of all
p = run(["compare", "--quick", "--base", "2000000", "--requests", "8", "--latency-ms", "2",
         "--unit-ms", "1"], env=env, timeout=600)
if p.returncode != 1:
    fail(f"compare with failing cells: exit {p.returncode}, want 1: {p.stderr[-500:]}")
found = re.findall(r"\b(?:nan|inf)\w*", p.stdout, re.IGNORECASE)
if found:
    fail(f"compare printed {found}: {p.stdout}")
if "no python3 on PATH" in p.stdout or "mpirun does not run here" in p.stdout:
    fail(f"compare's children lost PATH: {p.stdout}")
try:
    seen = open(at("seen"), encoding="utf-8").read().strip()
except OSError:
    seen = None
if seen != "after 600":
    fail(f"the fake python3 saw MAPO_ATTACK_LAST={seen!r}, want 'after 600'")
# The matrix's row starts the same way: the verdict is the last such line.
cpu = [l for l in p.stdout.splitlines() if l.startswith("  CPU-bound: ")][-1:] or [""]
cpu = cpu[0]
if "n/a" in cpu or "MPI ranks" in cpu:
    fail(f"the CPU verdict compares the failed MPI cell (issue 15: no n/a in a sentence): {cpu}")
print("check_slips: compare with failed cells and 600 more variables: no nan or inf, PATH kept")

# Threads that cannot be created: one line, exit 1.
setpriv, prlimit = shutil.which("setpriv"), shutil.which("prlimit")
if os.geteuid() == 0 and setpriv and prlimit:
    place = tempfile.mkdtemp(prefix="mapo-slips-")
    try:
        os.chmod(place, 0o755)
        copy = os.path.join(place, "mapo")
        shutil.copy(mapo, copy)
        os.chmod(copy, 0o755)
        env = reachable_env(os.environ, place)
        env["ASAN_OPTIONS"] = "detect_leaks=0"  # LSan needs a thread too
        for args in (["cook", "--unit-ms", "0", "--quiet"], ["cook", "--unit-ms", "0", "--quiet",
                     "--model", "all"], ["sum", "--numbers", "100", "--threads", "2"],
                     ["race", "--demo", "counter", "--mode", "atomic"],
                     ["scale", "--numbers", "100", "--threads", "1-2"]):
            p = subprocess.run([setpriv, "--reuid=nobody", "--regid=nogroup", "--clear-groups",
                                prlimit, "--nproc=1", copy] + args, capture_output=True,
                               text=True, timeout=300, cwd=place, env=env)
            if "Operation not permitted" in p.stderr and "setpriv" in p.stderr:
                print("check_slips: skipped the thread checks (setpriv cannot drop to nobody)")
                break
            err = "\n".join(l for l in p.stderr.splitlines() if "warning:" not in l)
            p.stderr = err
            one_line(f"{args} with RLIMIT_NPROC 1", p, 1, "cannot start the threads")
        else:
            print("check_slips: no thread can be created: one line, exit 1 (cook, sum, race, scale)")
    finally:
        shutil.rmtree(place, ignore_errors=True)
else:
    print("check_slips: skipped the thread checks (need root, setpriv and prlimit)")

# Out of memory while loading a recipe: exit 1, not 2.
if sanitizer:
    print(f"check_slips: skipped out of memory (RLIMIT_AS and -fsanitize={sanitizer} do not mix)")
else:
    small = at("small.recipe")
    with open(small, "w", encoding="utf-8") as f:
        f.write("step a 1 wait\n")

    def limited(limit, path):
        def cap():
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        return run(["recipe", "check", path], preexec_fn=cap, timeout=120)

    # The least address space a small recipe needs, to a MiB.
    lo, hi = 1 << 20, 1 << 32
    while hi - lo > 1 << 20:
        mid = (lo + hi) // 2
        lo, hi = (lo, mid) if limited(mid, small).returncode == 0 else (mid, hi)
    big = at("big.recipe")
    with open(big, "w", encoding="utf-8") as f:
        line = "step s%07d 1 wait says " + "x" * 60 + "\n"
        f.writelines(line % i for i in range(400000))  # about 36 MB
    p = limited(hi + (8 << 20), big)
    one_line("a recipe larger than the memory left", p, 1, "out of memory")
    os.remove(big)
    print(f"check_slips: out of memory while loading a recipe: exit 1, one line "
          f"({hi >> 20} MiB + 8 for a 36 MB file)")

# Onto a full device: exit 1, one line.
with open("/dev/full", "w", encoding="utf-8") as full:
    for args in (["--help"], ["--version"], ["cook", "--help"], ["recipe", "show", "--json"],
                 ["cook", "--unit-ms", "0", "--model", "serial"], ["sum", "--numbers", "100"]):
        one_line(f"{args} >/dev/full", run(args, stdout=full, stderr=subprocess.PIPE), 1,
                 "No space left on device")
print("check_slips: --help, --version and reports onto /dev/full: exit 1, one line")

# Strictly decimal numbers.
for value in ("0x10", "+5", " 5", "5 ", "1e1", "0x1p3"):
    for flag in ("--cooks", "--repeat"):
        one_line(f"{flag} {value!r}", run(["cook", flag, value]), 2, "is not a whole number")
    if value != "1e1":  # a whole number cannot have an exponent; a duration can
        one_line(f"--unit-ms {value!r}", run(["cook", "--unit-ms", value]), 2, "is not a number")
for value in ("0x10", "+5", "0x1p3"):
    path = at("n.recipe")
    with open(path, "w", encoding="utf-8") as f:
        f.write(f"utensil k {value}\nstep a {value} wait uses k\n")
    one_line(f"a recipe with {value}", run(["recipe", "check", path]), 2, "n.recipe:1:")
print("check_slips: 0x10, +5 and ' 5' refused in flags and recipes, exit 2")

# uses *2: the message names what is missing.
path = at("u.recipe")
with open(path, "w", encoding="utf-8") as f:
    f.write("utensil k 2\nstep a 1 wait uses *2\n")
p = run(["recipe", "check", path])
one_line("uses *2", p, 2, "u.recipe:2: 'uses *2' names no utensil")
if "utensil  COUNT" in p.stderr:
    fail(f"uses *2: {p.stderr!r}")
print("check_slips: uses *2 names what is missing")

# Descriptors 0, 1 and 2 closed: opened on /dev/null, the run works.
def closed(*fds):
    def close():
        for fd in fds:
            os.close(fd)
    return close


for args, fds in ((["cook", "--unit-ms", "0", "--model", "async"], (1,)),
                  (["cook", "--unit-ms", "0", "--model", "async", "--json"], (0, 1)),
                  (["io", "--requests", "4", "--latency-ms", "1"], (1,)),
                  (["cook", "--unit-ms", "0", "--model", "bogus"], (0, 1))):
    p = run(args, preexec_fn=closed(*fds), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    want = 2 if "bogus" in args else 0
    if p.returncode != want or (want == 0 and p.stderr.strip()):
        fail(f"{args} with fds {fds} closed: exit {p.returncode}, stderr {p.stderr!r}")
print("check_slips: stdin and stdout closed: opened on /dev/null, the runs work")
shutil.rmtree(scratch, ignore_errors=True)
print("check_slips: ok")
