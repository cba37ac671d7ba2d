#!/usr/bin/env python3
"""bench/compare-check.py - what `mapo compare` claims about speed, measured: waiting
overlapped beats waiting in turn.

usage: bench/compare-check.py [MAPO] [RUNS]     (defaults: build/release/mapo, 5 runs)

Runs `mapo compare --json` RUNS times and checks, on the medians of the runs, that
  - I/O-bound: serial takes more than 5x async (20 orders of 5 ms: 100 ms against 5 ms);
  - the recipe: serial takes more than 1.8x async (23 units against 9).
These are ratios of times, so they hold on a quiet machine and say something about it;
a loaded or slow machine (a sanitizer build, a CPU hog) may break them without any bug.
That is why they are a benchmark, not a test: tests/cli/check_compare.py checks only
the shape of the matrix. Exit 1 when a ratio does not hold.
"""
import json
import statistics
import subprocess
import sys

mapo = sys.argv[1] if len(sys.argv) > 1 else "build/release/mapo"
runs = int(sys.argv[2]) if len(sys.argv) > 2 else 5
ARGS = ["compare", "--requests", "20", "--latency-ms", "5", "--unit-ms", "2", "--no-python",
        "--json"]
# (row, what must hold of serial / async, the least ratio)
CLAIMS = [(1, "I/O-bound: serial / async", 5.0), (2, "the recipe: serial / async", 1.8)]

ratios = {what: [] for _, what, _ in CLAIMS}
for _ in range(runs):
    p = subprocess.run([mapo] + ARGS, capture_output=True, text=True, check=True)
    rows = json.loads(p.stdout)["rows"]
    for row, what, _ in CLAIMS:
        s = rows[row]["seconds"]
        ratios[what].append(s["serial"] / s["async"])

bad = 0
for _, what, least in CLAIMS:
    m = statistics.median(ratios[what])
    held = m > least
    bad += not held
    print("%-28s median %6.2fx over %d runs (want > %.1fx): %s" %
          (what, m, runs, least, "holds" if held else "DOES NOT HOLD"))
sys.exit(1 if bad else 0)
