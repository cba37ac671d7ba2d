#!/usr/bin/env python3
"""check_load.py - `mapo load` from the outside: the shape of its text and JSON, the
verification, sentences that agree with the numbers printed beside them, and bad flags.

Runs `mapo load --quick` (a second or two; more under the sanitizers) and checks that
  - --json prints exactly one object with the contract keys, verified true, a strangle
    table of the processors at 1x, 2x and 4x, grains 1, 4, 16, ... up to all the items,
    and that each slowdown, the best grain and the crossover (the smallest grain within
    10% of the best) are what the printed medians give;
  - every verdict agrees with its numbers: "strangle" only at 2x or more and slower, a
    ratio in the sentence equal to the medians' ratio, "no verdict" exactly when noisy;
  - the text fits 80 columns (COLUMNS=80), holds every part, and its sentences print the
    ratios of its own table (to the rounding of the table);
  - every bad flag exits 2 with one line on stderr and nothing on stdout.
Speed itself is not asserted: a busy machine may turn any verdict to "no verdict".

Run it with ctest (`ctest -R cli.load`), or by hand:
    python3 tests/cli/check_load.py build/release/mapo
Standard library only; an "ok" line per check, exit 1 at the first failure.
"""
import json
import os
import re
import subprocess
import sys

TIMEOUT_S = 600
TOP_KEYS = ["command", "processors", "repeat", "verified", "checksum", "strangle", "grain",
            "handoff", "friends", "environment"]
STRANGLE_KEYS = ["phases", "items", "rows", "slowdown_spinning", "slowdown_blocking",
                 "verdict_spinning", "verdict_spinning_class", "verdict_blocking",
                 "verdict_blocking_class"]
CELL_KEYS = ["seconds_median", "seconds_min", "seconds_max", "cpu_seconds_median"]
GRAIN_KEYS = ["threads", "items", "rows", "best_grain", "crossover_grain", "tiniest_slowdown",
              "largest_slowdown", "verdict", "verdict_class"]
HANDOFF_KEYS = ["mb", "thread", "process", "ratio", "verdict", "verdict_class"]
CLASSES = {"missing", "noisy", "tie", "faster", "slower"}


def fail(msg):
    print("check_load: FAIL: " + msg, file=sys.stderr)
    sys.exit(1)


def ok(msg):
    print("ok " + msg, flush=True)


def run(mapo, args, columns="80"):
    env = dict(os.environ, COLUMNS=columns)
    try:
        p = subprocess.run([mapo, "load"] + args, stdin=subprocess.DEVNULL, capture_output=True,
                           text=True, timeout=TIMEOUT_S, env=env)
    except subprocess.TimeoutExpired:
        fail("mapo load %s: no answer in %d s" % (" ".join(args), TIMEOUT_S))
    if p.returncode < 0:
        fail("mapo load %s: killed by signal %d\n%s" % (" ".join(args), -p.returncode, p.stderr))
    return p.returncode, p.stdout, p.stderr


def keys(obj, want, where):
    missing = [k for k in want if k not in obj]
    if missing:
        fail("%s: missing keys %s" % (where, missing))


def near(a, b, rel=1e-6):
    return abs(a - b) <= rel * max(abs(a), abs(b))


def ratio_in(sentence):
    """The first "N.NNx" of a sentence, as a number."""
    m = re.search(r"(\d+\.\d+)x", sentence)
    return float(m.group(1)) if m else None


def check_sentence(sentence, cls, slowdown, where, word_if_strangled=None):
    """A verdict sentence against its class and the ratio computed from the medians."""
    if cls not in CLASSES:
        fail("%s: class %r" % (where, cls))
    for bad in ("nan", "inf", "n/a"):
        if bad in sentence:
            fail("%s: %r in %r" % (where, bad, sentence))
    if cls == "missing":
        if sentence:
            fail("%s: a sentence for a missing cell: %r" % (where, sentence))
        return
    if cls == "noisy":
        if "no verdict" not in sentence:
            fail("%s: noisy without 'no verdict': %r" % (where, sentence))
        if word_if_strangled and word_if_strangled in sentence:
            fail("%s: a noisy run judged: %r" % (where, sentence))
        return
    x = ratio_in(sentence)
    if x is None or abs(x - slowdown) > 0.006 * max(1.0, slowdown):
        fail("%s: sentence ratio %s, the medians give %.4f: %r" % (where, x, slowdown, sentence))
    if (cls == "slower") != (slowdown > 1.1):
        fail("%s: class %s with a slowdown of %.3f" % (where, cls, slowdown))
    if word_if_strangled:
        strangled = cls == "slower" and slowdown >= 2
        if strangled != (word_if_strangled in sentence):
            fail("%s: %r at a slowdown of %.3f (%s)" % (where, sentence, slowdown, cls))


def check_strangle(d, processors):
    s = d["strangle"]
    keys(s, STRANGLE_KEYS, "strangle")
    rows = s["rows"]
    if [r["workers"] for r in rows] != [processors, 2 * processors, 4 * processors]:
        fail("strangle: workers %s on %d processors" % ([r["workers"] for r in rows], processors))
    if [r["times"] for r in rows] != [1, 2, 4]:
        fail("strangle: times %s" % [r["times"] for r in rows])
    for r in rows:
        for wait in ("spinning", "blocking"):
            keys(r[wait], CELL_KEYS, "strangle row %d %s" % (r["workers"], wait))
            c = r[wait]
            if not 0 < c["seconds_min"] <= c["seconds_median"] <= c["seconds_max"]:
                fail("strangle: min <= median <= max broken: %s" % c)
    for wait in ("spinning", "blocking"):
        slow = rows[-1][wait]["seconds_median"] / rows[0][wait]["seconds_median"]
        if not near(s["slowdown_" + wait], slow):
            fail("strangle: slowdown_%s %s, the medians give %s" % (wait, s["slowdown_" + wait], slow))
        check_sentence(s["verdict_" + wait], s["verdict_%s_class" % wait], slow,
                       "strangle " + wait, "strangle each other")
    ok("strangle: 1x, 2x, 4x the processors; slowdowns and verdicts from the medians")


def check_grain(d, processors):
    g = d["grain"]
    keys(g, GRAIN_KEYS, "grain")
    grains = [r["grain"] for r in g["rows"]]
    if g["threads"] != processors or grains[0] != 1 or grains[-1] != g["items"]:
        fail("grain: threads %d, grains %s, items %d" % (g["threads"], grains, g["items"]))
    for a, b in zip(grains, grains[1:]):
        if not (b == 4 * a or (b == g["items"] and b < 4 * a)):
            fail("grain: grains %s do not go 1, 4, 16, ... up to the items" % grains)
    for r in g["rows"]:
        if r["tasks"] != -(-g["items"] // r["grain"]):
            fail("grain: %d tasks of %d items for %d" % (r["tasks"], r["grain"], g["items"]))
    med = [r["seconds_median"] for r in g["rows"]]
    best = min(range(len(med)), key=lambda i: (med[i], i))
    cross = min(i for i in range(best + 1) if med[i] <= med[best] * 1.10)
    if g["best_grain"] != grains[best] or g["crossover_grain"] != grains[cross]:
        fail("grain: best %s crossover %s, the medians give %d and %d" %
             (g["best_grain"], g["crossover_grain"], grains[best], grains[cross]))
    if not near(g["tiniest_slowdown"], med[0] / med[best]):
        fail("grain: tiniest_slowdown %s" % g["tiniest_slowdown"])
    check_sentence(g["verdict"], g["verdict_class"], med[0] / med[best], "grain")
    if g["verdict_class"] == "slower" and ("%d items a task" % grains[cross]) not in g["verdict"]:
        fail("grain: the sentence does not name the crossover %d: %r" % (grains[cross], g["verdict"]))
    ok("grain: 1 to %d items a task, best %d, crossover %d, from the medians" %
       (g["items"], grains[best], grains[cross]))


def check_handoff(d):
    h = d["handoff"]
    keys(h, HANDOFF_KEYS, "handoff")
    t, p = h["thread"]["seconds_median"], h["process"]["seconds_median"]
    if not near(h["ratio"], p / t) or not near(h["process"]["ms_per_mb"], p * 1e3 / h["mb"]):
        fail("handoff: ratio or ms_per_mb do not follow from the medians: %s" % h)
    check_sentence(h["verdict"], h["verdict_class"], p / t, "handoff")
    ok("handoff: %g MB, thread and process, ratio and verdict from the medians" % h["mb"])


def check_json(mapo):
    rc, out, err = run(mapo, ["--quick", "--json"])
    if rc != 0:
        fail("--quick --json: exit %d\n%s" % (rc, err))
    lines = out.strip().split("\n")
    if len(lines) != 1:
        fail("--json: %d lines on stdout" % len(lines))
    d = json.loads(lines[0])
    keys(d, TOP_KEYS, "the object")
    if d["command"] != "load" or d["verified"] is not True or not d["checksum"].isdigit():
        fail("--json: command %r verified %r checksum %r" % (d["command"], d["verified"], d["checksum"]))
    if d["repeat"] != 3:
        fail("--quick: repeat %d, not 3" % d["repeat"])
    check_strangle(d, d["processors"])
    check_grain(d, d["processors"])
    check_handoff(d)
    s = d["strangle"]
    if (s["verdict_spinning_class"] in ("noisy", "missing")) != (d["friends"] == ""):
        fail("friends %r with a spinning verdict of class %s" % (d["friends"], s["verdict_spinning_class"]))
    if d["friends"]:
        check_sentence(d["friends"], s["verdict_spinning_class"], s["slowdown_spinning"], "friends")
    ok("--quick --json: one object, verified, every part, the friends' sentence")


def table_medians(text, first_label):
    """The numbers of the table rows that start with first_label's pattern."""
    return [[float(x) for x in line.split()[2:]]
            for line in text.split("\n") if re.match(first_label, line)]


def check_text(mapo):
    rc, out, err = run(mapo, ["--quick"])
    if rc != 0:
        fail("--quick: exit %d\n%s" % (rc, err))
    wide = [line for line in out.split("\n") if len(line) > 80]
    if wide:
        fail("COLUMNS=80: %d lines over 80, the first: %r" % (len(wide), wide[0]))
    for part in ("strangle:", "grain:", "handoff:", "verified every run's sum", "checksum"):
        if part not in out:
            fail("text: no %r" % part)
    # The strangle rows: "  2 (1x)  median min max cpu  median min max cpu".
    rows = table_medians(out, r"  \d+ \(\dx\)")
    if len(rows) != 3:
        fail("text: %d strangle rows" % len(rows))
    flat = " ".join(out.split())
    for wait, col in (("spinning", 0), ("blocking", 4)):
        m = re.search(r"verdict %s: \d+ workers on \d+ processors took (\d+\.\d+)x as long as "
                      r"\d+: (they strangle)?" % wait, flat)
        if m is None:
            continue  # no verdict (busy) or no sentence (missing)
        one, four = rows[0][col], rows[2][col]
        if one < 0.001:
            continue  # too few digits in the table to check a ratio against
        # The table rounds to 0.0001 s and the sentence to 0.01: both within that.
        x, slow = float(m.group(1)), four / one
        if abs(x - slow) > slow * (0.00006 / one + 0.00006 / four) + 0.006:
            fail("text: %s says %.2fx, its table %.4f/%.4f = %.3f" %
                 (wait, x, four, one, slow))
        if m.group(2) and x < 2:
            fail("text: strangled at %.2fx" % x)
    ok("text: 80 columns, every part, sentences agree with the table")
    rc, out, _ = run(mapo, ["--quick", "--part", "grain", "--wide"])
    if rc != 0 or "strangle:" in out or "handoff:" in out or "grain:" not in out:
        fail("--part grain --wide: exit %d or other parts printed" % rc)
    ok("--part grain: only its part")


def check_bad(mapo):
    bad = [["--part", "bogus"], ["--repeat", "0"], ["--repeat", "x"], ["--mb", "0"],
           ["--mb", "99999"], ["--quick", "--mb", "4"], ["--phases", "-1"], ["--items", "0"],
           ["--grain-items", "1e9"], ["--bogus"], ["extra"], ["--phases", "100000", "--items",
                                                              "16777216"]]
    for args in bad:
        rc, out, err = run(mapo, args)
        if rc != 2 or out != "" or len(err.strip().split("\n")) != 1 or not err.strip():
            fail("bad flags %s: exit %d, stdout %r, stderr %r" % (args, rc, out[:80], err))
    rc, out, _ = run(mapo, ["--help"])
    if rc != 0 or "--part" not in out or "--quick" not in out:
        fail("--help: exit %d" % rc)
    ok("bad flags: exit 2, one line; --help: exit 0")


def main():
    if len(sys.argv) < 2:
        print("usage: check_load.py MAPO", file=sys.stderr)
        sys.exit(2)
    mapo = sys.argv[1]
    check_bad(mapo)
    check_json(mapo)
    check_text(mapo)


if __name__ == "__main__":
    main()
