"""check_verdicts.py - no judging sentence of `mapo sum`, `scale`, `compare` or `race`
contradicts the numbers printed beside it (issue 15, "Verdicts are functions of the data").

usage: python3 check_verdicts.py MAPO [SANITIZER]

Each command runs small; its text is read back: the times of the table, the ratio each
sentence quotes, and the sentence's word for it. A sentence that says faster ("speed up",
"win", "beat", "still faster") must quote a ratio above 1, one that says slower ("slower",
"lose", "lost to", "strangle") a ratio below 1, one that says a tie ("no faster", "tie",
"as good as") a ratio within 15% of 1 (race: "the bug showed" only with failures); every quoted ratio must match the times printed
(5%), and no sentence may hold "nan", "inf" or "n/a". A busy machine may make any
verdict come out, or none ("the machine was busy"): what is checked is only that the
words agree with the numbers, so the test does not depend on the machine's speed. Run it
beside a CPU hog (`yes >/dev/null &` per core) to see the verdicts withheld or turned.

It prints an "ok" line per check and stops with exit 1 at the first failure.
"""
import os
import re
import subprocess
import sys

TIMEOUT_S = 300
NUM = r"([0-9]+(?:\.[0-9]+)?)"
TIE = 1.15  # the verdicts' band is 10%; 15% leaves room for the rounding of what is printed


def fail(msg):
    print("check_verdicts: FAIL: " + msg, file=sys.stderr)
    sys.exit(1)


def ok(msg):
    print("ok " + msg, flush=True)


def run(mapo, args):
    # One sentence a line: --wide folds nothing (compare's text is read as it comes).
    cmd = [mapo] + args + (["--wide"] if args[0] in ("sum", "scale", "race") else [])
    # The race lab's broken modes race on purpose: under the tsan preset ThreadSanitizer
    # would report them and halt (the label racy checks that it does); here only their
    # sentences count.
    env = os.environ
    if args[0] == "race":
        env = dict(os.environ, TSAN_OPTIONS=os.environ.get("TSAN_OPTIONS", "") + ":report_bugs=0")
    try:
        p = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                           timeout=TIMEOUT_S, env=env)
    except subprocess.TimeoutExpired:
        fail("timed out after %d s: %s" % (TIMEOUT_S, " ".join(cmd)))
    # compare exits 1 when a cell (MPI, Python) could not run: its verdicts still stand.
    if p.returncode not in (0, 1) or (p.returncode == 1 and args[0] != "compare"):
        fail("%s: exit %d\n%s" % (" ".join(cmd), p.returncode, p.stderr[-1500:]))
    return p.stdout


def clean(what, sentence):
    for bad in ("nan", "inf", "n/a"):
        if re.search(r"\b" + re.escape(bad) + r"\b", sentence, re.IGNORECASE):
            fail("%s: %r in the sentence: %s" % (what, bad, sentence))


# The words each class may use, most specific first: "no faster" is a tie, not a win.
WORDS = [("tie", ("no faster", "tie with", "tied with", "as good as")),
         ("noisy", ("the machine was busy",)),
         ("slower", ("slower", "lose", "lost to", "strangle")),
         ("faster", ("speed up", "speed the work up", "win", "beat", "still faster", "overlap"))]


def claim(sentence):
    """The class a sentence (or a part of one) claims, or None."""
    for cls, words in WORDS:
        if any(w in sentence for w in words):
            return cls
    return None


def agree(what, cls, ratio, sentence):
    """cls is what the sentence says of the candidate; ratio baseline/candidate time."""
    if cls == "faster" and not ratio > 1:
        fail("%s: says faster at a ratio of %.3g: %s" % (what, ratio, sentence))
    if cls == "slower" and not ratio < 1:
        fail("%s: says slower at a ratio of %.3g: %s" % (what, ratio, sentence))
    if cls == "tie" and not 1 / TIE < ratio < TIE:
        fail("%s: says a tie at a ratio of %.3g: %s" % (what, ratio, sentence))


def near(what, quoted, worked, sentence, tol=0.05):
    if abs(quoted - worked) > tol * max(abs(worked), 1e-9) + 0.006:
        fail("%s: quotes %.4g, the times printed give %.4g: %s" % (what, quoted, worked,
                                                                  sentence))


# ------------------------------------------------------------------------------- sum

def check_sum(mapo, args):
    what = "mapo sum " + " ".join(args)
    out = run(mapo, ["sum"] + args)
    mine = re.search(r"^  seconds +median " + NUM + " +min " + NUM + " +max " + NUM, out, re.M)
    serial = re.search(r"^  serial +median " + NUM + " +min " + NUM + " +max " + NUM, out, re.M)
    verdict = re.search(r"^  verdict +(.*)$", out, re.M)
    if not mine or not serial or not verdict:
        fail("%s: no seconds, serial or verdict line:\n%s" % (what, out))
    sentence = verdict.group(1)
    clean(what, sentence)
    cls = claim(sentence)
    if cls is None:
        fail("%s: the verdict says nothing a reader can check: %s" % (what, sentence))
    if cls == "noisy":
        ok("%s: %s" % (what, sentence))
        return cls
    m = re.search(r"\d+ threads? " + NUM + r"x serial", sentence)
    if not m:
        fail("%s: no ratio in the verdict: %s" % (what, sentence))
    ratio = float(m.group(1))
    worked = float(serial.group(1)) / float(mine.group(1))
    near(what, ratio, worked, sentence)
    agree(what, cls, ratio, sentence)
    ok("%s: %s (serial %s s, threads %s s)" % (what, sentence, serial.group(1), mine.group(1)))
    return cls


# ----------------------------------------------------------------------------- scale

def check_scale(mapo, args):
    what = "mapo scale " + " ".join(args)
    out = run(mapo, ["scale"] + args)
    times = {int(m.group(1)): float(m.group(2))
             for m in re.finditer(r"^ +(\d+) +" + NUM + " +" + NUM + " +" + NUM + " +" + NUM,
                                  out, re.M)}
    if 1 not in times:
        fail("%s: no table:\n%s" % (what, out))
    sentences = [l.strip() for l in out.splitlines()
                 if re.match(r"^  (Up to|Past|\d+ threads, each)", l)]
    if not sentences:
        fail("%s: no verdict:\n%s" % (what, out))
    for sentence in sentences:
        clean(what, sentence)
        cls = claim(sentence)
        if cls == "noisy":
            ok("%s: %s" % (what, sentence))
            continue
        m = re.search(r"(?:(\d+) threads?,|(\d+) (?:are|threads are)).*\(speedup " + NUM +
                      r"x against (\d+) threads?\)", sentence)
        if cls is None or not m:
            fail("%s: a verdict with no class or no ratio: %s" % (what, sentence))
        p = int(m.group(1) or m.group(2))
        ratio, q = float(m.group(3)), int(m.group(4))
        if "Up to" in sentence:
            p = max(t for t in times if t <= int(re.search(r"Up to (\d+)", sentence).group(1)))
        if p not in times or q not in times:
            fail("%s: the sentence names threads the table lacks: %s" % (what, sentence))
        # The table's medians are strong-scaling times: the same work at every count.
        near(what, ratio, times[q] / times[p], sentence)
        agree(what, cls, ratio, sentence)
        ok("%s: %s" % (what, sentence))


# --------------------------------------------------------------------------- compare

def seconds(cell):
    m = re.fullmatch(NUM + r" (ms|s)", cell)
    return None if not m else float(m.group(1)) * (1e-3 if m.group(2) == "ms" else 1)


def compare_paragraphs(out):
    """The verdicts, each with its wrapped lines joined: they sit between the sizes
    paragraph and the notes, and start at the margin ("  ")."""
    tail = out.split("\n  notes:", 1)[0]
    paras = []
    for line in tail.splitlines():
        if line.startswith("    ") and paras:
            paras[-1] += " " + line.strip()
        elif line.startswith("  ") and not line.startswith("   "):
            paras.append(line.strip())
    return paras


def check_compare(mapo, args):
    what = "mapo compare " + " ".join(args)
    out = run(mapo, ["compare"] + args)
    cell = r"(n/a|[0-9.]+ m?s)"
    rows = {}
    for m in re.finditer(r"^  (CPU-bound|I/O-bound|the recipe) in (C|Python) +" +
                         (" +" + cell) * 3 + " +" + cell + "$", out, re.M):
        rows[(m.group(1).lower(), m.group(2))] = [seconds(m.group(i)) for i in range(3, 7)]
    verdicts = {}
    for para in compare_paragraphs(out):
        for key in ("CPU-bound in Python", "I/O-bound in Python", "The recipe in Python",
                    "CPU-bound", "I/O-bound", "The recipe"):
            if para.startswith(key + ":") or para.startswith(key + " waits"):
                verdicts.setdefault(key.lower(), para)
                break
    if len(rows) != 6 or len(verdicts) != 6:
        fail("%s: want 6 rows and 6 verdicts, got %s and %s:\n%s" % (what, list(rows),
                                                                    list(verdicts), out))
    for v in verdicts.values():
        clean(what, v)
    serial, threads, _, _ = rows[("cpu-bound", "C")]
    v = verdicts["cpu-bound"]
    m = re.search(r"CPU-bound: threads (win|tie with serial|lose) in C(?: here)?, " + NUM +
                  "x serial", v)
    if m:
        ratio = float(m.group(2))
        near(what, ratio, serial / threads, v, tol=0.1)  # the cells are rounded to 0.1 ms
        agree(what, claim(m.group(0)), ratio, v)
    elif claim(v) not in ("noisy", None) or "no verdict" not in v:
        fail("%s: the CPU-bound verdict neither compares nor abstains: %s" % (what, v))
    ok("%s: %s" % (what, v[:120]))
    # Every "<way> beats|ties with|loses to <other> (R.RRx ...)" of the other verdicts:
    # its class against its ratio, and the ratio against the row's times.
    pairs = {"serial": 0, "threads": 1, "a thread per order": 1, "a thread per chain": 1}
    for key, lang in (("cpu-bound in python", "Python"), ("i/o-bound", "C"),
                      ("i/o-bound in python", "Python"), ("the recipe", "C"),
                      ("the recipe in python", "Python")):
        v = verdicts[key]
        times = rows[(key.split(" in ")[0], lang)]
        for clause in v.split(";"):
            if "busy" in clause or "no verdict" in clause or "no time" in clause:
                continue
            for m in re.finditer(r"(beats?|ties? with|loses? to|lose to) (serial|a thread per "
                                 r"order|a thread per chain) \(" + NUM + r"x", clause):
                # The way judged: the last one named before the verb.
                named = re.findall(r"\b(async|asyncio|threads|processes)\b",
                                   clause[:m.start()])
                who = {"threads": 1, "processes": 2}.get(named[-1] if named else "", 3)
                ratio = float(m.group(3))
                cls = {"b": "faster", "t": "tie", "l": "slower"}[m.group(1)[0]]
                agree(what, cls, ratio, clause)
                base, cand = times[pairs[m.group(2)]], times[who]
                if base and cand:
                    near(what, ratio, base / cand, clause, tol=0.1)
        ok("%s: %s" % (what, v[:120]))


# ------------------------------------------------------------------------------ race

def check_race(mapo, args):
    what = "mapo race " + " ".join(args)
    out = run(mapo, ["race"] + args)
    found = re.findall(r"^  (?:lost|failures) +(\d+) of .*\n(?:.*\n)*?  verdict +(.*)$", out, re.M)
    if not found:
        fail("%s: no count and verdict:\n%s" % (what, out))
    for count, sentence in found:
        clean(what, sentence)
        showed = "showed" in sentence or "FAILED" in sentence
        if showed != (int(count) > 0):
            fail("%s: %s failures, and the verdict says %s" % (what, count, sentence))
        ok("%s: %s failures: %s" % (what, count, sentence))


def main():
    if len(sys.argv) < 2:
        fail("usage: check_verdicts.py MAPO [SANITIZER]")
    mapo = os.path.abspath(sys.argv[1])
    small = ["--numbers", "20", "--base", "200000", "--repeat", "3"]
    for model, threads in (("reduction", "2"), ("reduction", "4"), ("padded", "2"),
                           ("false-sharing", "2")):
        check_sum(mapo, ["--model", model, "--threads", threads] + small)
    check_sum(mapo, ["--model", "critical", "--threads", "2", "--numbers", "20", "--base",
                     "2000", "--repeat", "3"])
    check_scale(mapo, ["--threads", "1-4"] + small)
    check_compare(mapo, ["--quick", "--base", "2000000", "--requests", "8", "--latency-ms", "2",
                         "--unit-ms", "1", "--no-python"])
    check_race(mapo, ["--demo", "counter", "--mode", "all", "--trials", "2", "--increments",
                      "1000"])
    check_race(mapo, ["--demo", "deadlock", "--mode", "all", "--trials", "2"])
    print("check_verdicts: ok, every sentence agrees with its numbers")


if __name__ == "__main__":
    main()
