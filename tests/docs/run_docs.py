#!/usr/bin/env python3
"""Run every mapo command in README.md and docs/tutorial.md, so the docs cannot rot.

usage: run_docs.py BUILD_DIR SOURCE_DIR [SANITIZERS]

Every line of a fenced ```sh block is a command. A line joined with && is cut into its
parts. mapo and mapo-mpi commands (bare, or build/<preset>/mapo) run against BUILD_DIR,
in a scratch folder (files they write land there; a relative path that exists in
SOURCE_DIR, such as examples/recipes/one-knife.recipe, is read from SOURCE_DIR). mpirun
lines get Open MPI's root and oversubscribe variables, as the tests set them. Leading
VAR=value words are the command's environment. Each command must exit 0 and print
something; with --json its stdout must be exactly one JSON object; a file named by
--svg, --csv or --trace must exist and be non-empty.

Every command runs with COLUMNS=80, and every line of a text report (not --json or
--wide) must fit 80 columns. Each command's stdout must also have the shape its kind promises (SHAPES below: a cook
report has its makespan and bound lines, a sum says it verified, a table its header; a
--json object its kind's keys, a sum's "verified": true), and a file named by --svg,
--trace or --csv must be an SVG, a Chrome trace or a CSV with a header.

MAPO_DOCS_SMALL=1 (set for docs.run by the sanitizer builds, tests/CMakeLists.txt) runs
every command at a small size: the size flags of SMALL are lowered to its values (never
raised: --unit-ms 0 stays 0), and added where a command's default is large. The shape
checks are the same: a slow build (ASan, TSan) then judges what the docs promise in
seconds, whatever the machine's speed. `mapo compare` is skipped there (its sums have no
size flag; cli.compare runs it once in that build).

Skipped, and listed: package installs (apt-get, xargs ... apt-get), cluster commands
(sbatch, srun, salloc), cmake and ctest (what CI runs), and any line ending in the
comment `# not run by tests` or `# benchmark` (record.py --bench records those).

Every output block (the bare fence after an sh block, tests/docs/blocks.py) is compared
with what its sh block printed in this run: each of its header lines and rows (the
words before a row's first number, and how many numbers it has) must be there, in
order. Sentences do not count: a verdict changes with the numbers. tests/docs/record.py
writes the blocks from real runs.
"""
import json
import os
import re
import shlex
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import blocks  # noqa: E402  (beside this script)

DOCS = ["README.md", "docs/tutorial.md", "docs/measurements.md"]
SKIP_MARK = "# not run by tests"
# A benchmark whose output block holds the figures the prose would otherwise quote: it
# takes minutes and wants a quiet machine, so only `record.py --bench` runs it.
BENCH_MARK = "# benchmark"
SKIP_FIRST = {
    "apt-get": "installs packages", "apt": "installs packages", "xargs": "installs packages",
    "pip": "installs packages", "sbatch": "needs a cluster", "srun": "needs a cluster",
    "salloc": "needs a cluster", "cmake": "CI runs it", "ctest": "CI runs it",
}
MPI_ENV = {"OMPI_ALLOW_RUN_AS_ROOT": "1", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1",
           "OMPI_MCA_rmaps_base_oversubscribe": "1"}
OUTPUT_FLAGS = ("--svg", "--csv", "--trace")
COLUMNS = 80  # every text report fits a projector's 80 columns (issue 15)
ASSIGN = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")

# MAPO_DOCS_SMALL: each size flag at most this value. Small enough that the slowest model
# (critical, one lock per term) takes well under a second under ThreadSanitizer at -O0.
SMALL = {"--base": 20000, "--requests": 5, "--trials": 2, "--increments": 1000,
         "--unit-ms": 2, "--max-bytes": 4096, "--repeat": 1}
# The size flags a kind takes, added at the SMALL value when a command leaves them out
# (its default is the notebook's full size).
SMALL_DEFAULTS = {
    "mapo sum": ["--base", "--repeat"], "mapo scale": ["--base", "--repeat"],
    "mapo compare": ["--requests", "--unit-ms"], "mapo cook": ["--unit-ms"],
    "mapo io": ["--requests", "--repeat"], "mapo race": ["--trials"],
    "mapo-mpi sum": ["--base", "--repeat"], "mapo-mpi cupboard": ["--trials"],
    "mapo-mpi pingpong": ["--max-bytes"], "mapo-mpi cook": ["--unit-ms"],
}

# What each kind of command prints: every pattern must match its stdout (multi-line
# regular expressions). A kind's report may grow; these lines are what the docs show.
NUM = r"[0-9][0-9.,]*"
# The title line folds when the recipe's title is long: its words may be on two lines.
COOK_REPORT = [r"^mapo cook: [^\n]*,\s+model\s+\S+,\s+\d+\s+cooks?,\s+1\s+unit\s+=\s",
               r"^  makespan +" + NUM + " units", r"^  lower bound +" + NUM + " units",
               r"^  overhead +" + NUM + " ms", r"^  rice +" + NUM + " degrees"]
SHAPES = {
    "mapo recipe show": [r"^recipe: .*\(\d+ steps\)", r"^  step +units +kind +earliest +after"],
    "mapo recipe check": [r": ok: \d+ steps, work " + NUM + " units, span"],
    "mapo recipe generate": [r"^title ", r"^step \S+ "],
    "mapo cook": COOK_REPORT,
    "mapo cook all": [r"^mapo cook --model all: .*, 1 unit = ",
                      r"^  model +cooks +makespan +bound +overhead",
                      r"^  serial +1 +" + NUM, r"^  tasks +\d+ +" + NUM],
    "mapo race": [r"^mapo race --demo \S+ --mode \S+: ", r"^  time +" + NUM + " ms",
                  r"^  (failures|lost) +\d+ of \d+"],
    "mapo race all": [r"^mapo race --demo \S+ --mode \S+: ", r"^  time +" + NUM + " ms"],
    "mapo io": [r"^mapo io --model \S+: ", r"^  seconds +median " + NUM + " +min " + NUM],
    "mapo compare": [r"^ +workload +serial +threads +processes +async",
                     r"^  CPU-bound: ", r"^  I/O-bound: ", r"^  the recipe "],
    "mapo sum": [r"^mapo sum: the sum of i\*i ", r"^  seconds +median " + NUM,
                 r"^  verified +every number equals"],
    "mapo scale": [r"^mapo scale --model \S+: ", r"^  threads +median +min +max +speedup",
                   r"^ +1 +" + NUM + " +" + NUM],
    "mapo-mpi cook": COOK_REPORT[1:] + [r"^mapo cook: .*, model mpi, \d+ cooks?"],
    "mapo load": [r"^mapo load: too much load will strangle your system",
                  r"^  verified +every run's sum equals"],
    "mapo-mpi cupboard": [r"^mapo-mpi cupboard: \d+ ranks", r"^  who takes +method +takes +failures",
                          r"^  all ranks +own +\d+ +0 "],
    "mapo-mpi sum": [r"^mapo-mpi sum: the sum of i\*i ", r"^  seconds +median +min +max",
                     r"^  ranks +" + NUM, r"^  one thread +" + NUM,
                     r"^  verified +every number equals"],
    "mapo-mpi pingpong": [r"^mapo-mpi pingpong: ", r"^ +bytes +repetitions +usec +MB/s",
                          r"^ +0 +\d+ +" + NUM],
}
# What each kind's --json object must hold: a key with None may have any value.
JSON_SHAPES = {
    "mapo sum": {"model": None, "verified": True, "seconds_median": None},
    "mapo-mpi sum": {"verified": True, "ranks": None},
    "mapo scale": {"model": None, "points": None},
    "mapo cook": {"model": None, "makespan_units": None, "bound_units": None, "steps": None},
    "mapo-mpi cook": {"model": None, "makespan_units": None, "ranks": None},
    "mapo race": {"demo": None, "mode": None, "trials": None},
    "mapo race all": {"demo": None, "runs": None},
    "mapo cook all": {"runs": None, "unit_ms": None},
    "mapo io": {"model": None, "requests": None, "seconds": None},
    "mapo compare": {"rows": None},
    "mapo recipe show": {"steps": None},
    "mapo load": {"verified": True},
}



def block_commands(block):
    """(line number, command) for every command line of one sh block: a line ending in a
    backslash joins the next, a leading "$ " is dropped, comment lines are skipped."""
    out, pending, start = [], "", 0
    for no, line in enumerate(block.lines, block.start + 1):
        stripped = line.strip()
        if not stripped or (stripped.startswith("#") and not pending):
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


def sh_blocks(path):
    """(sh block, its commands) for every sh block of the file, and the parse errors."""
    parsed, errors = blocks.parse(path)
    return [(b, block_commands(b)) for b in parsed if b.lang in ("sh", "bash", "shell")], errors


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
    if not is_mapo(words[0]) and not (first in ("mpirun", "mpiexec")
                                      and any(is_mapo(w) for w in words)):
        return "not a mapo command"
    if SMALL_RUN and kind(words) == "mapo compare":
        return ("MAPO_DOCS_SMALL: no flag makes its sums small; the release build runs it, "
                "cli.compare runs it in this build")
    return None


def kind(argv):
    """The command's kind, a key of SHAPES: "mapo cook", "mapo-mpi sum", "mapo cook all"."""
    at = next(i for i, w in enumerate(argv) if is_mapo(w))
    prog, rest = os.path.basename(argv[at]), argv[at + 1:]
    words = [w for w in rest if not w.startswith("-")]
    k = prog + " " + (words[0] if words else "")
    if words[:1] == ["recipe"] and len(words) > 1:
        k += " " + words[1]
    for flag in ("--model", "--mode"):
        if flag in rest[:-1] and rest[rest.index(flag) + 1] == "all" and prog == "mapo":
            return k + " all"
    return k


def small(argv):
    """argv at MAPO_DOCS_SMALL sizes: every SMALL flag lowered to its value, and the
    kind's SMALL_DEFAULTS added where missing."""
    out = list(argv)
    for i, w in enumerate(out[:-1]):
        if w in SMALL:
            try:
                out[i + 1] = str(min(float(out[i + 1]), SMALL[w])).removesuffix(".0")
            except ValueError:
                pass  # not a number: the command's own error is what the docs show
    k = kind(out).removesuffix(" all")
    for flag in SMALL_DEFAULTS.get(k, []):
        if flag not in out:
            out += [flag, str(SMALL[flag])]
    if k == "mapo race" and "counter" in out and "--increments" not in out:
        out += ["--increments", str(SMALL["--increments"])]
    # A thread per order: no more threads than the fewer orders (mapo io refuses idle ones).
    if k == "mapo io" and "--threads" in out[:-1]:
        i = out.index("--threads") + 1
        if out[i].isdigit():
            out[i] = str(min(int(out[i]), SMALL["--requests"]))
    return out


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
    env["COLUMNS"] = str(COLUMNS)
    if SMALL_RUN:
        argv = small(argv)
    return argv, env


def run(argv, env, scratch, timeout=180):
    """Run one documented command: (why it failed or '', its stdout)."""
    for i, w in enumerate(argv[:-1]):
        if w in OUTPUT_FLAGS:
            target = os.path.join(scratch, argv[i + 1])
            if os.path.exists(target):
                os.remove(target)
    try:
        r = subprocess.run(argv, cwd=scratch, env=env, capture_output=True, text=True,
                           timeout=timeout)
    except subprocess.TimeoutExpired:
        return "ran past %d s" % timeout, ""
    if r.returncode != 0:
        return "exit %d: %s" % (r.returncode, r.stderr.strip()[-400:]), r.stdout
    return "", r.stdout


def check(argv, env, scratch):
    """(why not, stdout): why is empty when the output has the documented shape."""
    why, out = run(argv, env, scratch)
    if why:
        return why, out
    if not out.strip():
        return "printed nothing on stdout", out
    why = shape(argv, out)
    if why:
        return why, out
    why = width(argv, out)
    if why:
        return why, out
    for i, w in enumerate(argv[:-1]):
        if w in OUTPUT_FLAGS:
            why = file_shape(w, os.path.join(scratch, argv[i + 1]))
            if why:
                return "%s %s: %s" % (w, argv[i + 1], why), out
    return "", out


def width(argv, out):
    """'' when every line of a text report fits COLUMNS (80 here, a projector's): the
    docs run every command with COLUMNS=80; --json and --wide are not text to read."""
    if "--json" in argv or "--wide" in argv:
        return ""
    for no, line in enumerate(out.split("\n"), 1):
        if len(line) > COLUMNS:
            return "line %d of its output is %d columns, over %d: %r" % (
                no, len(line), COLUMNS, line[:120])
    return ""


def shape(argv, out):
    """An empty string when stdout has the shape of its kind (SHAPES, JSON_SHAPES)."""
    k = kind(argv)
    if "--json" in argv:
        try:
            obj = json.loads(out)
        except ValueError as e:
            return "--json: stdout is not one JSON object (%s)" % e
        if not isinstance(obj, dict):
            return "--json: stdout is JSON but not an object"
        want = JSON_SHAPES.get(k, {})
        for key, value in want.items():
            if key not in obj or (value is not None and obj[key] != value):
                return "--json: %r is %r, expected %s" % (
                    key, obj.get(key, "missing"), "present" if value is None else repr(value))
        return ""
    if k not in SHAPES:
        return "no shape known for '%s': add its lines to SHAPES in %s" % (k, __file__)
    missing = [p for p in SHAPES[k] if not re.search(p, out, re.M)]
    if missing:
        return "stdout lacks %s; it printed:\n%s" % (
            ", ".join(repr(p) for p in missing), out[-1500:])
    return ""


def file_shape(flag, path):
    """An empty string when the file named by --svg, --trace or --csv is one."""
    if not os.path.isfile(path) or os.path.getsize(path) == 0:
        return "no file written"
    with open(path, encoding="utf-8") as f:
        text = f.read()
    if flag == "--svg" and ("<svg" not in text[:500] or not text.rstrip().endswith("</svg>")):
        return "not an SVG document"
    if flag == "--trace":
        try:
            events = json.loads(text)["traceEvents"]
        except (ValueError, KeyError, TypeError):
            return "not a Chrome trace (a JSON object with traceEvents)"
        if not events:
            return "a trace without events"
    if flag == "--csv":
        lines = text.splitlines()
        if len(lines) < 2 or "," not in lines[0] or re.match(r"^[0-9.,e+-]*$", lines[0]):
            return "not a CSV with a header and rows"
    return ""


# The sanitizer of the build (a third argument, from CMake): under ThreadSanitizer the
# race lab's broken modes are reported by TSan (the test lets them finish: TSAN_OPTIONS
# in tests/CMakeLists.txt), and POSIX aio is refused.
TSAN = len(sys.argv) > 3 and "thread" in sys.argv[3]
SMALL_RUN = os.environ.get("MAPO_DOCS_SMALL", "") not in ("", "0")


def parts_of(line):
    """The commands of one line (cut at &&), or a string saying why it cannot run."""
    try:
        words = shlex.split(line, comments=True)
    except ValueError as e:
        return "cannot parse: %s" % e
    parts, cur = [], []
    for w in words:
        if w == "&&":
            parts.append(cur)
            cur = []
        elif w in ("|", "||", ";", ">", ">>", "<", "&"):
            return "'%s' is not supported: one command per line, or mark it '%s'" % (
                w, SKIP_MARK)
        else:
            cur.append(w)
    parts.append(cur)
    return parts


def run_block(doc, block, commands, ctx):
    """Run one sh block's commands; what they printed, in turn, is compared with the
    output block that follows it (full sizes only: the small sizes change the rows)."""
    build, source, scratch, failed = ctx["build"], ctx["source"], ctx["scratch"], ctx["failed"]
    outs, last_ran = [], False
    for no, line in commands:
        where = "%s:%d" % (doc, no)
        last_ran = False
        if line.rstrip().endswith((SKIP_MARK, BENCH_MARK)):
            print("skipped  %s  %s  (marked: not run by tests)" % (where, line), flush=True)
            ctx["skipped"] += 1
            continue
        parts = parts_of(line)
        if isinstance(parts, str):
            failed.append("%s: %s" % (where, parts))
            continue
        for part in parts:
            text = " ".join(shlex.quote(w) for w in part)
            why = classify(part)
            last_ran = False
            if why:
                print("skipped  %s  %s  (%s)" % (where, text, why), flush=True)
                ctx["skipped"] += 1
                continue
            argv, env = prepare(list(part), build, source, scratch)
            if SMALL_RUN:
                text += "  [ran as: %s]" % " ".join(
                    shlex.quote(os.path.basename(w) if is_mapo(w) else w)
                    for w in argv[argv.index(next(w for w in argv if is_mapo(w))):])
            t = time.monotonic()
            err, out = check(argv, env, scratch)
            outs.append(out)
            dt = time.monotonic() - t
            ctx["ran"] += 1
            last_ran = not err
            if err:
                print("FAILED   %s  %s  (%.1f s): %s" % (where, text, dt, err), flush=True)
                failed.append("%s: %s: %s" % (where, text, err))
            else:
                print("ok       %s  %s  (%.1f s)" % (where, text, dt), flush=True)
    shown = block.output
    if shown is None or SMALL_RUN or not last_ran:
        return
    why = blocks.holds(shown.lines, "".join(outs).split("\n"))
    where = "%s:%d" % (doc, shown.start)
    if why:
        print("FAILED   %s  output block: %s" % (where, why), flush=True)
        failed.append("%s: the output block's shape: %s (tests/docs/record.py rewrites "
                      "the blocks from real runs)" % (where, why))
    else:
        print("ok       %s  output block: its headers and rows are a fresh run's" % where,
              flush=True)
        ctx["blocks"] += 1


def main():
    if len(sys.argv) not in (3, 4):
        sys.exit(__doc__.strip().splitlines()[2])
    build, source = (os.path.abspath(a) for a in sys.argv[1:3])
    t0 = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="mapo-docs-") as scratch:
        ctx = {"build": build, "source": source, "scratch": scratch, "failed": [],
               "ran": 0, "skipped": 0, "blocks": 0}
        for doc in DOCS:
            path = os.path.join(source, doc)
            if not os.path.exists(path):
                ctx["failed"].append("%s: missing" % doc)
                continue
            found, errors = sh_blocks(path)
            ctx["failed"] += ["%s:%s" % (doc, e) for e in errors]
            for block, commands in found:
                run_block(doc, block, commands, ctx)
    failed = ctx["failed"]
    print("\n%d commands run%s, %d skipped, %d output blocks checked, %d failed, %.1f s" %
          (ctx["ran"], " at small sizes (MAPO_DOCS_SMALL)" if SMALL_RUN else "",
           ctx["skipped"], ctx["blocks"], len(failed), time.monotonic() - t0))
    for f in failed:
        print("  " + f)
    if ctx["ran"] == 0:
        print("no command ran: the docs lost their sh blocks?")
        return 1
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
