#!/usr/bin/env python3
"""bench/compare-check.py - what `mapo compare` claims about speed, measured: waiting
overlapped beats waiting in turn, and the notebook's GIL lesson holds.

usage: bench/compare-check.py [MAPO] [RUNS] [--quick]   (defaults: build/release/mapo, 3)

Runs `mapo compare --json` (or `--quick`) RUNS times and checks, on the medians of the
runs, that
  - I/O-bound: serial takes more than 5x async;
  - the recipe: serial takes more than 1.8x async (23 units against 9);
  - the GIL (CPU-bound, Python): threads take at least 0.9x serial's time, processes
    less than 0.7x (on 2 or more cores);
  - CPU-bound, C: threads take less than serial's time (no GIL).
It prints each run's Python figures. These are ratios of times, so they hold on a quiet
machine and say something about it; a loaded or slow machine (a sanitizer build, a CPU
hog) may break them without any bug. That is why they are a benchmark, not a test:
tests/cli/check_compare.py checks only the shape of the matrix, tests/cli/check_hog.py
that the sentences agree with the numbers. Exit 1 when a ratio does not hold.
"""
import json
import statistics
import subprocess
import sys

args = [a for a in sys.argv[1:] if a != "--quick"]
mapo = args[0] if args else "build/release/mapo"
runs = int(args[1]) if len(args) > 1 else 3
ARGS = ["compare", "--json"] + (["--quick"] if "--quick" in sys.argv else [])


def c_row(rows, r, col):
    return rows[r]["seconds"][col]


def py_row(rows, r, col):
    return rows[r]["python"]["seconds"][col]


# (what, the ratio of one run, "more" or "less", the bound)
CLAIMS = [
    ("I/O-bound: serial / async", lambda r: c_row(r, 1, "serial") / c_row(r, 1, "async"),
     "more", 5.0),
    ("the recipe: serial / async", lambda r: c_row(r, 2, "serial") / c_row(r, 2, "async"),
     "more", 1.8),
    ("Python: threads / serial", lambda r: py_row(r, 0, "threads") / py_row(r, 0, "serial"),
     "more", 0.9),
    ("Python: processes / serial",
     lambda r: py_row(r, 0, "processes") / py_row(r, 0, "serial"), "less", 0.7),
    ("C: threads / serial", lambda r: c_row(r, 0, "threads") / c_row(r, 0, "serial"), "less",
     1.0),
]

ratios = {what: [] for what, _, _, _ in CLAIMS}
for i in range(runs):
    p = subprocess.run([mapo] + ARGS, capture_output=True, text=True, check=True)
    rows = json.loads(p.stdout)["rows"]
    py = rows[0]["python"]["seconds"]
    print("run %d: Python serial %.3f s, threads %.3f s, processes %.3f s; C serial %.1f ms, "
          "threads %.1f ms" % (i + 1, py["serial"], py["threads"], py["processes"],
                               rows[0]["seconds"]["serial"] * 1e3,
                               rows[0]["seconds"]["threads"] * 1e3), flush=True)
    for what, ratio, _, _ in CLAIMS:
        ratios[what].append(ratio(rows))

bad = 0
for what, _, how, bound in CLAIMS:
    m = statistics.median(ratios[what])
    held = m > bound if how == "more" else m < bound
    bad += not held
    print("%-28s median %6.2fx over %d runs (want %s %.1fx): %s" %
          (what, m, runs, ">" if how == "more" else "<", bound,
           "holds" if held else "DOES NOT HOLD"))
sys.exit(1 if bad else 0)
