"""check_race.py - `mapo race`: every fix removes its bug, the JSON contract, bad input.

Runs the safe modes only (the broken ones are tests/race/check_racy.py, label `racy`),
so that under the tsan preset ThreadSanitizer must stay silent here: it halts the
program on the first report, which fails the test.

usage: python3 check_race.py MAPO-BINARY SOURCE-DIR SCRATCH-DIR
"""
import json
import subprocess
import sys

mapo = sys.argv[1]


def fail(msg):
    print(f"check_race: FAIL: {msg}")
    sys.exit(1)


def run(*args):
    return subprocess.run([mapo, "race", *args], capture_output=True, text=True, timeout=600)


def run_json(*args):
    p = run(*args, "--json")
    if p.returncode != 0 or p.stderr:
        fail(f"race {' '.join(args)}: exit {p.returncode}, stderr: {p.stderr[-1500:]}")
    lines = p.stdout.strip().splitlines()
    if len(lines) != 1:
        fail(f"race {' '.join(args)}: stdout is not one line")
    return json.loads(lines[0])


safe = {
    "cupboard": (["critical", "lock", "atomic"], ["--trials", "2000", "--window-us", "5"]),
    "counter": (["atomic", "critical", "reduction"], ["--trials", "3", "--increments", "100000"]),
    "deadlock": (["ordered", "trylock"], ["--trials", "200", "--window-us", "200"]),
}
for demo, (modes, extra) in safe.items():
    for mode in modes:
        doc = run_json("--demo", demo, "--mode", mode, *extra)
        for key in ("demo", "mode", "trials", "failures", "seconds", "lesson"):
            if key not in doc:
                fail(f"{demo} {mode}: no '{key}'")
        if doc["demo"] != demo or doc["mode"] != mode or doc["failures"] != 0:
            fail(f"{demo} {mode}: {doc}")
        if demo == "counter" and doc["counted"] != doc["expected"]:
            fail(f"counter {mode}: {doc}")
        print(f"ok {demo} {mode}: {doc['trials']} trials, 0 failures, {doc['seconds']:.3f} s")

bad = [
    [], ["--demo", "cupboard"], ["--mode", "unsafe"], ["--demo", "kitchen", "--mode", "unsafe"],
    ["--demo", "cupboard", "--mode", "naive"], ["--demo", "counter", "--mode", "lock"],
    ["--demo", "deadlock", "--mode", "atomic"], ["--demo", "cupboard", "--mode", "lock", "--trials", "0"],
    ["--demo", "cupboard", "--mode", "lock", "--threads", "1"],
    ["--demo", "cupboard", "--mode", "lock", "--threads", "65"],
    ["--demo", "deadlock", "--mode", "ordered", "--threads", "3"],
    ["--demo", "counter", "--mode", "atomic", "--window-us", "10"],
    ["--demo", "cupboard", "--mode", "lock", "--increments", "10"],
    ["--demo", "cupboard", "--mode", "lock", "--watchdog-ms", "10"],
    ["--demo", "cupboard", "--mode", "lock", "--window-us", "-1"],
    ["--demo", "counter", "--mode", "atomic", "--increments", "0"],
    ["--demo", "cupboard", "--mode", "lock", "extra"],
]
for args in bad:
    p = run(*args)
    if p.returncode != 2 or p.stdout or p.stderr.count("\n") != 1:
        fail(f"race {' '.join(args)}: want exit 2 and one line on stderr, got {p.returncode}, "
             f"stdout {p.stdout!r}, stderr {p.stderr!r}")
print(f"ok {len(bad)} bad inputs: exit 2, one line")
print("ok")
