"""check_width.py - every text report of `mapo` fits 80 columns (issue 15, "80 columns").

usage: python3 check_width.py MAPO SOURCE-DIR

With COLUMNS=80 it runs `mapo --help`, every command's --help (the commands read from
`mapo --help`, the recipe subcommands from `mapo recipe --help`) and every command's text
output at small sizes: each model of cook, sum, scale and io and each demo of race, the
models and demos read from the choices their --help lists, so that a model added to a
table is run here without a change to this file. No line of stdout may be wider than
80 characters (characters, not bytes: a degree sign is one column). Error lines (stderr)
are not checked. A command this file has no small run for (a new one) is checked through
its --help alone, and said so.

Then --wide and COLUMNS=200: the runs still exit 0, --wide shows the long table (cook's
team column), and with 200 columns a sentence is no longer folded at 80.

It prints an "ok" line per check and stops with exit 1 at the first failure.
"""
import os
import re
import subprocess
import sys

# ThreadSanitizer builds refuse aio in one line (src/async/aio.c): the attack tests' probe.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "attack"))
from attack_common import aio_refused  # noqa: E402

TIMEOUT_S = 300
LIMIT = 80


def fail(msg):
    print("check_width: FAIL: " + msg, file=sys.stderr)
    sys.exit(1)


def ok(msg):
    print("ok " + msg, flush=True)


def run(mapo, args, columns="80", cwd=None):
    env = dict(os.environ, COLUMNS=columns)
    # The race lab's broken modes race on purpose: under the tsan preset only their text
    # counts here (the label racy checks that ThreadSanitizer reports them).
    if args and args[0] == "race":
        env["TSAN_OPTIONS"] = env.get("TSAN_OPTIONS", "") + ":report_bugs=0"
    cmd = [mapo] + args
    try:
        p = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, timeout=TIMEOUT_S,
                           env=env, cwd=cwd)
    except subprocess.TimeoutExpired:
        fail("timed out after %d s: %s" % (TIMEOUT_S, " ".join(cmd)))
    out = p.stdout.decode("utf-8", "replace")
    # A race demo's bug and a deadlock's are exit 0; a fix that failed is exit 1, which a
    # busy sanitizer run must not turn into a failure of this test: only the text counts.
    if p.returncode not in (0, 1) or (p.returncode == 1 and args[0] != "race"):
        fail("%s: exit %d\n%s" % (" ".join(cmd), p.returncode,
                                  p.stderr.decode("utf-8", "replace")[-1500:]))
    return out


def fits(what, out):
    for n, line in enumerate(out.splitlines(), 1):
        if len(line) > LIMIT:
            fail("%s: line %d is %d columns (over %d):\n%s" % (what, n, len(line), LIMIT, line))
    ok("%s: %d lines, at most %d columns" % (what, len(out.splitlines()),
                                              max([len(x) for x in out.splitlines()] or [0])))


def choices(help_text, flag):
    """The choices --help lists for --flag: "(a, b, c)" at the end of its entry."""
    entry = re.search(r"^  --%s [A-Z]+\s+(.*?)(?=^  --|\Z)" % re.escape(flag), help_text,
                      re.M | re.S)
    if entry is None:
        return []
    lists = re.findall(r"\(([a-z0-9-]+(?:,\s+[a-z0-9-]+)+)\)", " ".join(entry.group(1).split()))
    return [c.strip() for c in lists[-1].split(",")] if lists else []


def commands(mapo):
    top = run(mapo, ["--help"])
    fits("mapo --help", top)
    block = top.split("commands:", 1)[1]
    return re.findall(r"^  ([a-z][a-z-]*)\s", block, re.M)


def small_runs(mapo, source, name, help_text):
    """The small runs of one command, its models from its --help; None: none known."""
    if name == "cook":
        runs = [["cook", "--model", m, "--unit-ms", "1"] for m in choices(help_text, "model")]
        runs += [["cook", "--model", "tasks", "--unit-ms", "1", "--gantt", "--repeat", "2"],
                 ["cook", "--model", "async", "--unit-ms", "1", "--blocking", "--gantt"],
                 ["cook", "--model", "all", "--unit-ms", "0"]]
        recipes = os.path.join(source, "examples", "recipes")
        for f in sorted(os.listdir(recipes)):
            runs.append(["cook", "--model", "all", "--unit-ms", "1", "--recipe",
                         os.path.join(recipes, f)])
        return runs
    if name == "recipe":
        recipes = os.path.join(source, "examples", "recipes")
        # Not `show --text` nor `generate`: they print a recipe file (data, in the file
        # format, whose lines cannot be folded), not a report.
        runs = [["recipe", "show"]]
        runs += [["recipe", "show", "--help"], ["recipe", "check", "--help"],
                 ["recipe", "generate", "--help"]]
        # `recipe check` prints one "NAME: ok: ..." line, never folded (a message for
        # grep, as a compiler's): checked with the bare file name, as the docs run it.
        for f in sorted(os.listdir(recipes)):
            runs += [["recipe", "check", os.path.join(recipes, f)],
                     ["recipe", "show", os.path.join(recipes, f)]]
        return runs
    small = ["--numbers", "2", "--base", "1000"]
    if name == "sum":
        return [["sum", "--model", m, "--repeat", "2"] + (["--threads", "2"] if m != "serial"
                                                           else []) + small
                for m in choices(help_text, "model")]
    if name == "scale":
        runs = [["scale", "--model", m, "--threads", "1-3", "--repeat", "1"] + small
                for m in choices(help_text, "model") if m != "serial"]
        return runs + [["scale", "--weak", "--threads", "1,2,4", "--repeat", "1"] + small]
    if name == "race":
        size = {"counter": ["--trials", "2", "--increments", "1000"],
                "deadlock": ["--trials", "2"]}
        return [["race", "--demo", d, "--mode", "all"] + size.get(d, ["--trials", "3"])
                for d in choices(help_text, "demo")]
    if name == "io":
        # A model that reads files has no supplier and takes no --latency-ms.
        size = {"aio": ["--requests", "4"]}
        return [["io", "--model", m, "--repeat", "1"] +
                size.get(m, ["--requests", "8", "--latency-ms", "1"])
                for m in choices(help_text, "model") if m != "aio" or not aio_refused(mapo)]
    return None


def wide_checks(mapo):
    out = run(mapo, ["cook", "--model", "all", "--unit-ms", "1", "--wide"])
    if "team" not in out.split("\n\n", 2)[1] or max(len(x) for x in out.splitlines()) <= LIMIT:
        fail("cook --model all --wide: no team column past %d columns:\n%s" % (LIMIT, out))
    ok("cook --model all --wide: the team column, %d columns"
       % max(len(x) for x in out.splitlines()))
    race = ["race", "--demo", "cupboard", "--mode", "unsafe", "--trials", "2"]
    for label, args, columns in (("COLUMNS=200", race, "200"),
                                 ("--wide", race + ["--wide"], "80")):
        out = run(mapo, args, columns)
        if max(len(x) for x in out.splitlines()) <= LIMIT:
            fail("race with %s: every line still folded to %d:\n%s" % (label, LIMIT, out))
        ok("race with %s: sentences longer than %d" % (label, LIMIT))
    out = run(mapo, ["cook", "--help"], "200")
    if not any(len(x) > LIMIT for x in out.splitlines()):
        fail("cook --help with COLUMNS=200: still folded at %d" % LIMIT)
    ok("cook --help with COLUMNS=200: folded to the wider terminal")


def main():
    if len(sys.argv) != 3:
        fail("usage: check_width.py MAPO SOURCE-DIR")
    mapo, source = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    names = commands(mapo)
    if "cook" not in names:
        fail("mapo --help lists no commands: %r" % names)
    for name in names:
        help_text = run(mapo, [name, "--help"])
        fits("mapo %s --help" % name, help_text)
        runs = small_runs(mapo, source, name, help_text)
        if runs is None:
            ok("mapo %s: no small run known here, its --help checked alone" % name)
            continue
        if name in ("cook", "sum", "io", "race") and len(runs) < 2:
            fail("mapo %s: no models found in its --help" % name)
        for args in runs:
            cwd = None
            if args[:2] == ["recipe", "check"] and "/" in args[2]:
                cwd, args = os.path.dirname(args[2]), args[:2] + [os.path.basename(args[2])]
            fits("mapo " + " ".join(a if "/" not in a else os.path.basename(a) for a in args),
                 run(mapo, args, cwd=cwd))
    wide_checks(mapo)


if __name__ == "__main__":
    main()
