#!/usr/bin/env python3
"""The README's table "Bad input, and what mapo does with it", one check per row.

usage: bad_input.py BUILD_DIR SOURCE_DIR SCRATCH

Each check_* function is named after its row, runs the real binary and asserts what the
row says: the exit status, and that a bad input is exactly one line on stderr and nothing
on stdout. The Slurm rows are covered by the `slurm` label tests (tests/slurm/,
slurm.no-cpus-per-task and slurm.no-binary), which need a Slurm of their own.
"""
import os
import re
import shutil
import signal
import subprocess
import sys
import time

BUILD = SOURCE = SCRATCH = ""
MPI_ENV = {"OMPI_ALLOW_RUN_AS_ROOT": "1", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1",
           "OMPI_MCA_rmaps_base_oversubscribe": "1"}


def mapo(*args, **kw):
    return [os.path.join(BUILD, "mapo")] + [str(a) for a in args]


def run(argv, env=None, cwd=None, timeout=60, **kw):
    e = dict(os.environ)
    e.update(env or {})
    return subprocess.run(argv, capture_output=True, text=True, env=e, cwd=cwd or SCRATCH,
                          timeout=timeout, **kw)


def one_line(argv, status, pattern, **kw):
    """argv exits with status, prints nothing on stdout and one line matching pattern."""
    r = run(argv, **kw)
    lines = r.stderr.splitlines()
    where = " ".join(os.path.basename(a) if i == 0 else a for i, a in enumerate(argv))
    assert r.returncode == status, "%s: exit %d, expected %d (stderr %r)" % (
        where, r.returncode, status, r.stderr)
    assert r.stdout == "", "%s: printed on stdout: %r" % (where, r.stdout[:200])
    assert len(lines) == 1, "%s: %d lines on stderr, expected 1: %r" % (where, len(lines), r.stderr)
    assert re.search(pattern, lines[0]), "%s: %r does not match %r" % (where, lines[0], pattern)
    return lines[0]


def fresh(name):
    d = os.path.join(SCRATCH, name)
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    return d


def write(folder, name, data):
    path = os.path.join(folder, name)
    with open(path, "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())
    return path


# ---- flags ----------------------------------------------------------------------------

def check_flag_unknown():
    one_line(mapo("cook", "--bogus"), 2, r"^mapo cook: unknown option '--bogus' \(see mapo cook --help\)$")
    one_line(mapo("frobnicate"), 2, r"frobnicate")


def check_flag_missing_value():
    one_line(mapo("cook", "--unit-ms"), 2, r"^mapo cook: --unit-ms needs a value")


def check_flag_repeated():
    one_line(mapo("cook", "--unit-ms", "1", "--unit-ms", "2"), 2, r"^mapo cook: --unit-ms is given twice$")


# ---- numbers --------------------------------------------------------------------------

def check_number_not_a_number():
    one_line(mapo("cook", "--unit-ms", "abc"), 2, r"^mapo cook: --unit-ms: 'abc' is not a number$")
    one_line(mapo("sum", "--threads", "2x"), 2, r"^mapo sum: --threads: '2x' is not a (whole )?number$")


def check_number_out_of_range():
    one_line(mapo("cook", "--unit-ms", "999999"), 2, r"--unit-ms: 999999 is out of range \(0\.\.60000\)$")
    one_line(mapo("cook", "--cooks", "-1"), 2, r"--cooks: -1 is out of range \(1\.\.4096\)$")
    one_line(mapo("sum", "--base", "99999999999"), 2, r"^mapo sum: --base")


def check_number_nan_inf():
    for v in ("nan", "inf", "-inf"):
        one_line(mapo("cook", "--unit-ms", v), 2, r"^mapo cook: --unit-ms: '%s' is not a number$" % re.escape(v))


# ---- files ----------------------------------------------------------------------------

def check_file_missing():
    one_line(mapo("cook", "--recipe", "/nonexistent/x.recipe"), 2,
             r"^/nonexistent/x\.recipe: cannot open: No such file or directory$")


def check_file_folder():
    one_line(mapo("recipe", "check", SCRATCH), 2, r"^%s: cannot read: Is a directory$" % re.escape(SCRATCH))


def check_file_unreadable():
    d = fresh("unreadable")
    path = write(d, "secret.recipe", open(os.path.join(SOURCE, "examples/recipes/mapo-tofu.recipe")).read())
    os.chmod(path, 0)
    kw = {}
    if os.geteuid() == 0:
        # root reads any file: run as nobody, for whom the mode means what it says.
        os.chmod(d, 0o755)
        kw["user"] = 65534
        kw["group"] = 65534
        kw["extra_groups"] = []
    try:
        one_line(mapo("recipe", "check", path), 2, r"^%s: cannot open: Permission denied$" % re.escape(path), **kw)
    except PermissionError:
        # The build sits in a folder user nobody cannot enter (a private temporary
        # clone): there is no one left for whom the file is unreadable.
        print("skipped check_file_unreadable: root reads every file, and user nobody cannot reach this build")


# ---- recipes --------------------------------------------------------------------------

RECIPE_ERRORS = [
    ("step a 1 wait after b\n", r"step 'a' comes after unknown step 'b'"),
    ("step a 1 wait uses pan\n", r"step 'a' uses unknown utensil 'pan'"),
    ("step a 1 wait\nstep a 1 wait\n", r"^\S+:2: duplicate step 'a' \(first on line 1\)"),
    ("step a 1 wait after b\nstep b 1 wait after a\n", r"cycle: a -> b -> a"),
    ("step a -1 wait\n", r"duration -1 is below 0"),
    ("step a 2000000 wait\n", r"duration 2000000 is absurd"),
    ("step a nan wait\n", r"duration 'nan' is not a number"),
    ("step a inf wait\n", r"duration 'inf' is not a number"),
    ("step a 1 boil\n", r"kind 'boil' is neither wait nor hands"),
    ("frobnicate\n", r"unknown directive 'frobnicate'"),
    ("utensil k 1\nstep a 1 wait uses k*2\n", r"^\S+:2: step 'a' needs 2 k but the kitchen has 1"),
    ("# nothing\n\n", r"empty recipe: no steps"),
]


def check_recipe_errors():
    d = fresh("recipes")
    for i, (text, pattern) in enumerate(RECIPE_ERRORS):
        path = write(d, "r%d.recipe" % i, text)
        line = one_line(mapo("recipe", "check", path), 2, pattern)
        assert re.match(r"^%s:\d+: " % re.escape(path), line), "not FILE:LINE: message: %r" % line
        # cook reads recipes through the same parser.
        one_line(mapo("cook", "--unit-ms", "0", "--recipe", path), 2, pattern)


def check_recipe_binary():
    d = fresh("binary")
    path = write(d, "garbage.recipe", bytes(range(256)) * 4)
    one_line(mapo("recipe", "check", path), 2, r"^%s:1: binary data \(byte 0x00 at column 1\): not a recipe$" % re.escape(path))
    elf = os.path.join(BUILD, "mapo")
    one_line(mapo("recipe", "check", elf), 2, r": binary data \(byte 0x")


def check_recipe_too_long():
    d = fresh("long")
    path = write(d, "long.recipe", "step a 1 wait says " + "x" * 5000 + "\n")
    one_line(mapo("recipe", "check", path), 2, r"^%s:1: line is longer than 4096 bytes$" % re.escape(path))


# ---- output files ---------------------------------------------------------------------

def check_output_missing_folder():
    for flag, cmd in (("--svg", ["cook", "--unit-ms", "0"]), ("--trace", ["cook", "--unit-ms", "0"]),
                      ("--csv", ["scale", "--base", "1000", "--threads", "1,2", "--repeat", "1"])):
        one_line(mapo(*cmd, flag, "/nonexistent/dir/out"), 2,
                 r"%s: cannot write '/nonexistent/dir/out' \(no such folder, or not writable\)$" % flag)


def check_output_run_fails():
    # sections cannot cook a DAG: the run fails after the flags are accepted, and none of
    # the files it was asked for appears, whole or half.
    d = fresh("fails")
    dinner = os.path.join(SOURCE, "examples/recipes/dinner.recipe")
    one_line(mapo("cook", "--model", "sections", "--unit-ms", "0", "--recipe", dinner,
                  "--svg", "f.svg", "--trace", "f.json"), 2, r"sections cannot cook this recipe", cwd=d)
    assert os.listdir(d) == [], "files left by a failed run: %s" % os.listdir(d)


# ---- MPI rank counts ------------------------------------------------------------------

def mpirun(n, *args):
    return ["mpirun", "-q", "-n", str(n), os.path.join(BUILD, "mapo-mpi")] + [str(a) for a in args]


def check_mpi_too_few_ranks():
    if not os.path.exists(os.path.join(BUILD, "mapo-mpi")) or not shutil.which("mpirun"):
        print("    (no mapo-mpi or mpirun in this build: row not checked)")
        return
    one_line(mpirun(1, "cook", "--unit-ms", "1"), 2,
             r"^mapo-mpi cook: needs at least 2 ranks, a head chef and a cook", env=MPI_ENV)
    one_line(mpirun(1, "pingpong"), 2, r"^mapo-mpi pingpong: needs at least 2 ranks", env=MPI_ENV)
    one_line(mpirun(1, "cupboard", "--mode", "token"), 2, r"^mapo-mpi cupboard: .*needs at least 2 ranks", env=MPI_ENV)
    # A bad flag is seen by every rank; they agree, rank 0 alone says it, nobody hangs.
    one_line(mpirun(3, "cook", "--bogus"), 2, r"^mapo-mpi cook: unknown option '--bogus'", env=MPI_ENV)


# ---- a killed run ---------------------------------------------------------------------

def check_killed_cook_svg():
    d = fresh("killed")
    p = subprocess.Popen(mapo("cook", "--model", "serial", "--unit-ms", "100", "--quiet", "--svg", "f.svg"),
                         cwd=d, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(0.5)
    assert p.poll() is None, "cook ended before it could be killed"
    p.send_signal(signal.SIGKILL)
    p.wait()
    left = os.listdir(d)
    assert "f.svg" not in left, "a killed run left f.svg"
    assert len(left) <= 1, "more than one stray file: %s" % left


def children(pid):
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True).stdout
    return [int(x) for x in out.split()]


def alive(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().split(") ")[1][0] != "Z"
    except OSError:
        return False


def check_killed_io_supplier():
    p = subprocess.Popen(mapo("io", "--model", "serial", "--requests", "500", "--latency-ms", "20"),
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    supplier = []
    deadline = time.monotonic() + 10
    while not supplier and time.monotonic() < deadline:
        time.sleep(0.05)
        supplier = children(p.pid)
    assert supplier, "mapo io started no supplier process"
    p.send_signal(signal.SIGKILL)
    p.wait()
    # It notices within a poll interval; 30 s means it never would, on any machine.
    deadline = time.monotonic() + 30
    while any(alive(s) for s in supplier) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(alive(s) for s in supplier), "the supplier outlived mapo io by 30 s"


CHECKS = [v for k, v in list(globals().items()) if k.startswith("check_")]


def main():
    global BUILD, SOURCE, SCRATCH
    if len(sys.argv) != 4:
        sys.exit("usage: bad_input.py BUILD_DIR SOURCE_DIR SCRATCH")
    BUILD, SOURCE, SCRATCH = (os.path.abspath(a) for a in sys.argv[1:])
    os.makedirs(SCRATCH, exist_ok=True)
    os.chmod(SCRATCH, 0o755)
    failed = 0
    for check in CHECKS:
        t = time.monotonic()
        try:
            check()
            print("ok      %s (%.1f s)" % (check.__name__, time.monotonic() - t), flush=True)
        except (AssertionError, subprocess.TimeoutExpired) as e:
            failed += 1
            print("FAILED  %s: %s" % (check.__name__, e), flush=True)
    print("%d rows checked, %d failed" % (len(CHECKS), failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
