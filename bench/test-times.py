#!/usr/bin/env python3
"""bench/test-times.py - how close each test came to its time limit.

usage: bench/test-times.py [BUILD_DIR[=LOG] ...]   (default: every build/*/ with a log)

For each build folder (build/release, build/asan, ...) it reads the times of the last
ctest run (Testing/Temporary/LastTest.log, or LOG: a copy kept from an earlier run,
`cp build/asan/Testing/Temporary/LastTest.log asan-1.log`, then build/asan=asan-1.log)
and each test's TIMEOUT (ctest --show-only=json-v1), and prints every test's time as a
share of its limit, longest share first. Several logs of one folder: the longest time
of each test counts.

A test past 40% of its limit is flagged: on a machine 2.5x slower (or loaded: a CPU hog,
another job) it would time out. Exit 1 when one is.
"""
import glob
import json
import os
import re
import subprocess
import sys

LIMIT_SHARE = 0.40


def timeouts(build):
    """test name -> TIMEOUT in seconds (ctest's default, 1500 s, where none is set)."""
    # ctest --show-only writes an empty LastTest.log over the last run's: kept and put back.
    log = os.path.join(build, "Testing/Temporary/LastTest.log")
    kept = open(log, "rb").read() if os.path.exists(log) else None
    try:
        p = subprocess.run(["ctest", "--test-dir", build, "--show-only=json-v1"],
                           capture_output=True, text=True, check=True)
    finally:
        if kept is not None:
            with open(log, "wb") as f:
                f.write(kept)
    out = {}
    for t in json.loads(p.stdout)["tests"]:
        props = {q["name"]: q["value"] for q in t.get("properties", [])}
        out[t["name"]] = float(props.get("TIMEOUT", 1500))
    return out


def times(log):
    """{test name: seconds} of one LastTest.log."""
    got, name = {}, None
    with open(log, encoding="utf-8", errors="replace") as f:
        for line in f:
            m = re.match(r"^\d+/\d+ Test: (\S+)", line)
            if m:
                name = m.group(1)
            m = re.match(r"^Test time = +([0-9.]+) sec", line)
            if m and name:
                got[name] = max(got.get(name, 0.0), float(m.group(1)))
    return got


def main():
    args = sys.argv[1:] or sorted(os.path.dirname(os.path.dirname(os.path.dirname(p)))
                                  for p in glob.glob("build/*/Testing/Temporary/LastTest.log"))
    if not args:
        sys.exit("no build folder with a ctest log (build/*/Testing/Temporary/LastTest.log)")
    runs = {}  # build folder -> {test: longest seconds}
    for a in args:
        build, _, log = a.partition("=")
        build = os.path.abspath(build)
        seen = runs.setdefault(build, {})
        log = log or os.path.join(build, "Testing/Temporary/LastTest.log")
        for name, secs in times(log).items():
            seen[name] = max(seen.get(name, 0.0), secs)
    rows, flagged = [], 0
    for build, got in runs.items():
        limit = timeouts(build)
        for name, secs in got.items():
            share = secs / limit.get(name, 1500)
            rows.append((share, os.path.basename(build), name, secs, limit.get(name, 1500)))
    print("%-10s %-28s %9s %9s %7s" % ("build", "test", "longest s", "timeout s", "share"))
    for share, build, name, secs, lim in sorted(rows, reverse=True):
        flag = share > LIMIT_SHARE
        flagged += flag
        print("%-10s %-28s %9.2f %9.0f %6.1f%%%s" % (build, name, secs, lim, 100 * share,
                                                    "  <-- above 40%" if flag else ""))
    print("\n%d tests in %d builds; %d above %.0f%% of their time limit" %
          (len(rows), len(runs), flagged, 100 * LIMIT_SHARE))
    return 1 if flagged else 0


if __name__ == "__main__":
    sys.exit(main())
