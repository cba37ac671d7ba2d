"""check_usage.py - every command's --help says the same thing twice (issue 15, "Docs
drift"): its usage line names exactly the flags its options list documents, `mapo --help`
names every cook model of the table, and no range or number in any --help is written in
exponent form ("[1..1e+07]").

usage: python3 check_usage.py MAPO

The commands come from `mapo --help`, the recipe subcommands from `mapo recipe --help`,
the cook models from the choices `mapo cook --help` lists: a new command, subcommand or
model is checked without a change to this file. It prints an "ok" line per check and
stops with exit 1 at the first failure.
"""
import os
import re
import subprocess
import sys


def fail(msg):
    print("check_usage: FAIL: " + msg, file=sys.stderr)
    sys.exit(1)


def ok(msg):
    print("ok " + msg, flush=True)


def run(mapo, args):
    p = subprocess.run([mapo] + args, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                       timeout=60, env=dict(os.environ, COLUMNS="80"))
    if p.returncode != 0:
        fail("%s %s: exit %d\n%s" % (mapo, " ".join(args), p.returncode, p.stderr))
    return p.stdout


def flags(text):
    return set(re.findall(r"--[a-z][a-z0-9-]*", text))


def check_command(mapo, words):
    what = "mapo %s --help" % " ".join(words)
    out = run(mapo, words + ["--help"])
    if re.search(r"\d(\.\d+)?e[+-]?\d", out):
        fail("%s: a number in exponent form:\n%s" % (what, out))
    # The usage: from "usage:" to the first blank line (it may be folded over lines).
    usage = out.split("\n\n", 1)[0]
    if not usage.startswith("usage: "):
        fail("%s: no usage line first:\n%s" % (what, out))
    if "\noptions:\n" not in out:
        ok("%s: no options" % what)
        return
    body = out.split("\noptions:\n", 1)[1]
    listed = set(re.findall(r"^  (--[a-z][a-z0-9-]*)", body, re.M)) - {"--help"}
    named = flags(usage) - {"--help"}
    if named != listed:
        fail("%s: the usage line names %s, the options list %s (only in the usage: %s; only "
             "in the list: %s)" % (what, sorted(named), sorted(listed), sorted(named - listed),
                                   sorted(listed - named)))
    ok("%s: usage and options agree on %d flags" % (what, len(listed)))


def main():
    if len(sys.argv) != 2:
        fail("usage: check_usage.py MAPO")
    mapo = sys.argv[1]
    top = run(mapo, ["--help"])
    names = re.findall(r"^  ([a-z][a-z-]*)\s", top.split("commands:", 1)[1], re.M)
    for name in names:
        if name == "recipe":
            usage = run(mapo, ["recipe", "--help"])
            for sub in re.findall(r"(?:recipe |\| ?)([a-z]+)", " ".join(usage.split())):
                check_command(mapo, ["recipe", sub])
        else:
            check_command(mapo, [name])
    # mapo --help's cook line names every model cook --help offers.
    cook = " ".join(run(mapo, ["cook", "--help"]).split())
    models = re.search(r"--model M the model \(default [a-z-]+\) \(([^)]*)\)", cook)
    if models is None:
        fail("mapo cook --help: no list of models")
    line = " ".join(top.split("\n  cook", 1)[1].split("\n  recipe", 1)[0].split())
    for m in [x.strip() for x in models.group(1).split(",")]:
        if m != "all" and not re.search(r"(^|[ ,:])%s([ ,]|$)" % re.escape(m), line):
            fail("mapo --help: the cook line does not name the model %s: %s" % (m, line))
    ok("mapo --help names every cook model: %s" % models.group(1))


if __name__ == "__main__":
    main()
