#!/usr/bin/env python3
"""Run every mapo command in README.md and docs/tutorial.md, so the docs cannot rot.

usage: run_docs.py BUILD_DIR SOURCE_DIR

Every line of a fenced ```sh block is a command. A line joined with && is cut into its
parts. mapo and mapo-mpi commands (bare, or build/<preset>/mapo) run against BUILD_DIR,
in a scratch folder (files they write land there; a relative path that exists in
SOURCE_DIR, such as examples/recipes/one-knife.recipe, is read from SOURCE_DIR). mpirun
lines get Open MPI's root and oversubscribe variables, as the tests set them. Leading
VAR=value words are the command's environment. Each command must exit 0 and print
something; with --json its stdout must be exactly one JSON object; a file named by
--svg, --csv or --trace must exist and be non-empty.

Skipped, and listed: package installs (apt-get, xargs ... apt-get), cluster commands
(sbatch, srun, salloc), cmake and ctest (what CI runs), and any line ending in the
comment `# not run by tests`.
"""
import json
import os
import re
import shlex
import subprocess
import sys
import tempfile
import time

DOCS = ["README.md", "docs/tutorial.md"]
SKIP_MARK = "# not run by tests"
SKIP_FIRST = {
    "apt-get": "installs packages", "apt": "installs packages", "xargs": "installs packages",
    "pip": "installs packages", "sbatch": "needs a cluster", "srun": "needs a cluster",
    "salloc": "needs a cluster", "cmake": "CI runs it", "ctest": "CI runs it",
}
MPI_ENV = {"OMPI_ALLOW_RUN_AS_ROOT": "1", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1",
           "OMPI_MCA_rmaps_base_oversubscribe": "1"}
OUTPUT_FLAGS = ("--svg", "--csv", "--trace")
ASSIGN = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")


def sh_lines(path):
    """(line number, command) for every command line of the fenced sh blocks."""
    out, fence, pending, start = [], None, "", 0
    with open(path, encoding="utf-8") as f:
        for no, raw in enumerate(f, 1):
            line = raw.rstrip("\n")
            stripped = line.strip()
            m = re.match(r"^(`{3,})\s*(\S*)", stripped)
            if fence is None:
                if m:
                    fence = ("sh" if m.group(2) in ("sh", "bash", "shell") else "other", m.group(1))
                continue
            if m and stripped == fence[1]:
                fence = None
                continue
            if fence[0] != "sh" or not stripped or (stripped.startswith("#") and not pending):
                continue
            if stripped.startswith("$ "):
                stripped = stripped[2:]
            if not pending:
                start = no
            if stripped.endswith("\\"):
                pending += stripped[:-1] + " "
                continue
            out.append((start, pending + stripped))
            pending = ""
    return out


def is_mapo(word):
    return os.path.basename(word) in ("mapo", "mapo-mpi")


def classify(words):
    """None to run, else the reason to skip."""
    env = 0
    while env < len(words) and ASSIGN.match(words[env]):
        env += 1
    words = words[env:]
    if not words:
        return "only sets variables"
    first = os.path.basename(words[0])
    if "apt-get" in words:
        return "installs packages"
    if first in SKIP_FIRST:
        return SKIP_FIRST[first]
    if TSAN and "aio" in words and "--model" in words:
        return "ThreadSanitizer builds refuse POSIX aio (src/async/aio.c)"
    if is_mapo(words[0]):
        return None
    if first in ("mpirun", "mpiexec") and any(is_mapo(w) for w in words):
        return None
    return "not a mapo command"


def prepare(words, build, source, scratch):
    env = dict(os.environ)
    while words and ASSIGN.match(words[0]):
        k, v = words.pop(0).split("=", 1)
        env[k] = v
    argv = []
    for w in words:
        if is_mapo(w):
            argv.append(os.path.join(build, os.path.basename(w)))
        elif not w.startswith("-") and "/" in w and not os.path.isabs(w) \
                and os.path.exists(os.path.join(source, w)):
            argv.append(os.path.join(source, w))
        else:
            argv.append(w)
    if os.path.basename(argv[0]) in ("mpirun", "mpiexec"):
        env.update(MPI_ENV)
    return argv, env


def check(argv, env, scratch):
    """An empty string when the output has the documented shape, else why not."""
    for i, w in enumerate(argv[:-1]):
        if w in OUTPUT_FLAGS:
            target = os.path.join(scratch, argv[i + 1])
            if os.path.exists(target):
                os.remove(target)
    try:
        r = subprocess.run(argv, cwd=scratch, env=env, capture_output=True, text=True,
                           timeout=120)
    except subprocess.TimeoutExpired:
        return "ran past 120 s"
    if r.returncode != 0:
        return "exit %d: %s" % (r.returncode, r.stderr.strip()[-400:])
    if not r.stdout.strip():
        return "printed nothing on stdout"
    if "--json" in argv:
        try:
            obj = json.loads(r.stdout)
        except ValueError as e:
            return "--json: stdout is not one JSON object (%s)" % e
        if not isinstance(obj, dict):
            return "--json: stdout is JSON but not an object"
    for i, w in enumerate(argv[:-1]):
        if w in OUTPUT_FLAGS:
            target = os.path.join(scratch, argv[i + 1])
            if not os.path.isfile(target) or os.path.getsize(target) == 0:
                return "%s %s: no file written" % (w, argv[i + 1])
    return ""


# The sanitizer of the build (a third argument, from CMake): under ThreadSanitizer the
# race lab's broken modes are reported by TSan (the test lets them finish: TSAN_OPTIONS
# in tests/CMakeLists.txt), and POSIX aio is refused.
TSAN = len(sys.argv) > 3 and "thread" in sys.argv[3]


def main():
    if len(sys.argv) not in (3, 4):
        sys.exit(__doc__.strip().splitlines()[2])
    build, source = (os.path.abspath(a) for a in sys.argv[1:3])
    ran = skipped = 0
    failed = []
    t0 = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="mapo-docs-") as scratch:
        for doc in DOCS:
            path = os.path.join(source, doc)
            if not os.path.exists(path):
                failed.append("%s: missing" % doc)
                continue
            for no, line in sh_lines(path):
                where = "%s:%d" % (doc, no)
                if line.rstrip().endswith(SKIP_MARK):
                    print("skipped  %s  %s  (marked: not run by tests)" % (where, line), flush=True)
                    skipped += 1
                    continue
                try:
                    words = shlex.split(line, comments=True)
                except ValueError as e:
                    failed.append("%s: cannot parse: %s" % (where, e))
                    continue
                parts, cur = [], []
                for w in words:
                    if w == "&&":
                        parts.append(cur)
                        cur = []
                    elif w in ("|", "||", ";", ">", ">>", "<", "&"):
                        failed.append("%s: '%s' is not supported: one command per line, "
                                      "or mark it '%s'" % (where, w, SKIP_MARK))
                        cur = None
                        break
                    else:
                        cur.append(w)
                if cur is None:
                    continue
                parts.append(cur)
                for part in parts:
                    text = " ".join(shlex.quote(w) for w in part)
                    why = classify(part)
                    if why:
                        print("skipped  %s  %s  (%s)" % (where, text, why), flush=True)
                        skipped += 1
                        continue
                    argv, env = prepare(list(part), build, source, scratch)
                    t = time.monotonic()
                    err = check(argv, env, scratch)
                    dt = time.monotonic() - t
                    ran += 1
                    if err:
                        print("FAILED   %s  %s  (%.1f s): %s" % (where, text, dt, err), flush=True)
                        failed.append("%s: %s: %s" % (where, text, err))
                    else:
                        print("ok       %s  %s  (%.1f s)" % (where, text, dt), flush=True)
    print("\n%d commands run, %d skipped, %d failed, %.1f s" %
          (ran, skipped, len(failed), time.monotonic() - t0))
    for f in failed:
        print("  " + f)
    if ran == 0:
        print("no command ran: the docs lost their sh blocks?")
        return 1
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
