"""check_hog.py - issue 15, "Must show": with a CPU hog on every core, `mapo compare
--quick`, `mapo sum` and `mapo scale` print no sentence that contradicts the numbers
printed beside it.

usage: python3 check_hog.py MAPO [SANITIZER] [--idle]

A hog (`yes >/dev/null`) runs on every core for the whole check (--idle: none), and is
killed at the end whatever happens. Each command's text is read back with its wrapped
lines joined, cut into sentences and clauses (at ";"), and every claim is set against
the ratio ("1.95x") it quotes: the ratio after the claim word in its clause, else the
last one before it.
  - "win", "beat", "faster", "speed(s) up", "scales": the ratio must be above 1.1;
  - "slower", "lose", "lost to": below 1/1.1;
  - "tie", "as good as", "no faster": within 15% of 1 (the band is 10%; rounding);
  - "busy" or "no verdict" in a clause: always acceptable (the claim is withheld).
(The ratios quoted are rounded to two decimals: a bound is met within 0.005.) For
compare, the C CPU-bound ratio must also match the times in its table. No sentence may
hold "nan", "inf" or "n/a". Nothing here asserts a speed: under the hog any verdict, or
none, may come out; only its agreement with its own numbers is checked.
"""
import os
import re
import signal
import subprocess
import sys

TIMEOUT_S = 300
BAND, TIE, ROUND = 1.10, 1.15, 0.005
RATIO = re.compile(r"(?<![\w.])([0-9]+(?:\.[0-9]+)?)x\b")
# Most specific first: "no faster" is a tie, "lost to" is a loss.
CLAIMS = [("tie", r"\bno faster\b|\bties?\b|\btied\b|\bas good as\b"),
          ("slower", r"\bslower\b|\blose\b|\bloses\b|\blost to\b"),
          ("faster", r"\bwins?\b|\bbeats?\b|\bfaster\b|\bspeeds? (?:\w+ )?up\b|\bscales\b")]


def fail(msg):
    print("check_hog: FAIL: " + msg, file=sys.stderr)
    sys.exit(1)


def run(mapo, args):
    p = subprocess.run([mapo] + args, stdin=subprocess.DEVNULL, capture_output=True,
                       text=True, timeout=TIMEOUT_S, env=dict(os.environ, COLUMNS="80"))
    # compare exits 1 when a cell (MPI, Python) could not run: its verdicts still stand.
    if p.returncode not in (0, 1) or (p.returncode == 1 and args[0] != "compare"):
        fail("%s: exit %d\n%s" % (" ".join(args), p.returncode, p.stderr[-1500:]))
    return p.stdout


def paragraphs(text):
    """The text with each wrapped line joined to the line it continues (more indented,
    after a line that is not blank)."""
    out = []
    for line in text.splitlines():
        indent = len(line) - len(line.lstrip(" "))
        if out and line.strip() and out[-1][1] and indent > out[-1][0]:
            out[-1][1] += " " + line.strip()
        else:
            out.append([indent, line.strip()])
    return [p for _, p in out if p]


def sentences(paragraph):
    # A period ends a sentence only before a blank and a capital: "1.95x" stays whole.
    return re.split(r"(?<=[.!?])\s+(?=[A-Z])", paragraph)


def check_clause(what, clause):
    if re.search(r"\bbusy\b|\bno verdict\b", clause):
        return 0
    ratios = [(m.start(), float(m.group(1))) for m in RATIO.finditer(clause)]
    claims = []
    for cls, pattern in CLAIMS:
        for m in re.finditer(pattern, clause):
            if not any(s <= m.start() < e for _, s, e in claims):
                claims.append((cls, m.start(), m.end()))
    checked = 0
    for cls, start, _ in sorted(claims, key=lambda c: c[1]):
        after = [r for at, r in ratios if at > start]
        before = [r for at, r in ratios if at < start]
        if not after and not before:
            continue  # a claim with no number beside it ("nothing stops threads from ...")
        r = after[0] if after else before[-1]
        if cls == "faster" and not r > BAND - ROUND:
            fail("%s: claims faster at %.3gx: %s" % (what, r, clause))
        if cls == "slower" and not r < 1 / BAND + ROUND:
            fail("%s: claims slower at %.3gx: %s" % (what, r, clause))
        if cls == "tie" and not 1 / TIE < r < TIE:
            fail("%s: claims a tie at %.3gx: %s" % (what, r, clause))
        checked += 1
    return checked


def check_text(what, text):
    checked = 0
    for para in paragraphs(text):
        for sentence in sentences(para):
            for bad in ("nan", "inf", "n/a"):
                if RATIO.search(sentence) and re.search(r"\b" + re.escape(bad) + r"\b",
                                                        sentence, re.I):
                    fail("%s: %r in a sentence: %s" % (what, bad, sentence))
            for clause in sentence.split(";"):
                checked += check_clause(what, clause)
    return checked


def seconds(cell):
    m = re.fullmatch(r"([0-9.]+) (ms|s)", cell.strip())
    return None if not m else float(m.group(1)) * (1e-3 if m.group(2) == "ms" else 1)


def check_compare_table(what, text):
    """The C CPU-bound sentence's ratio against the times its table prints."""
    row = re.search(r"^  CPU-bound in C +(\S+ m?s|n/a) +(\S+ m?s|n/a)", text, re.M)
    para = [p for p in paragraphs(text) if p.startswith("CPU-bound: ")]
    if not row or not para:
        fail("%s: no CPU-bound row or verdict:\n%s" % (what, text))
    m = re.search(r"in C(?: here)?, ([0-9.]+)x serial", para[0])
    serial, threads = seconds(row.group(1)), seconds(row.group(2))
    if m and serial and threads:
        quoted, worked = float(m.group(1)), serial / threads
        if abs(quoted - worked) > 0.1 * worked + 0.01:  # the cells are rounded to 0.1 ms
            fail("%s: quotes %.3gx, its table gives %.3gx: %s" % (what, quoted, worked, para[0]))


def hogs(idle):
    if idle:
        return []
    return [subprocess.Popen(["yes"], stdout=subprocess.DEVNULL, start_new_session=True)
            for _ in range(os.cpu_count() or 1)]


def main():
    args = [a for a in sys.argv[1:] if a != "--idle"]
    if not args:
        fail("usage: check_hog.py MAPO [SANITIZER] [--idle]")
    mapo, idle = os.path.abspath(args[0]), "--idle" in sys.argv
    sanitized = len(args) > 1 and args[1]
    small = ["--numbers", "20", "--base", "2000000", "--repeat", "3"]
    runs = [["compare", "--quick"] + (["--no-python", "--base", "2000000"] if sanitized else []),
            ["sum", "--model", "reduction", "--threads", "2"] + small,
            ["sum", "--model", "reduction", "--threads", "8"] + small,
            ["scale", "--threads", "1-4"] + small]
    procs = hogs(idle)
    try:
        for args in runs:
            what = "mapo " + " ".join(args) + (" (idle)" if idle else " (hog on every core)")
            text = run(mapo, args)
            n = check_text(what, text)
            if args[0] == "compare":
                check_compare_table(what, text)
            print("ok %s: %d claims agree with their ratios" % (what, n), flush=True)
    finally:
        for p in procs:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()
    print("check_hog: ok, no sentence contradicts its numbers")


if __name__ == "__main__":
    main()
