"""check_racy.py - the race lab's bugs show every time they should (label `racy`).

Runs each deliberately broken mode of `mapo race` and asserts that its bug shows: the
cupboard's cooks fail in some of 100 trials, the counter loses updates, naive cooks
dead-lock and the watchdog names the cycle. How often depends on the machine's load,
so only that it shows is asserted (a quiet machine: nearly every trial). Under the tsan preset
(argument `thread`) it also asserts that ThreadSanitizer reports each one: a data race
for the cupboard and the counter, a lock-order inversion for the deadlock. Safe modes are
checked elsewhere (tests/cli/check_race.py), where TSan must stay silent.

usage: python3 check_racy.py MAPO-BINARY SANITIZER   (SANITIZER: "thread" or anything else)
"""
import json
import subprocess
import sys

mapo, sanitizer = sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else ""
tsan = "thread" in sanitizer


def fail(msg):
    print(f"check_racy: FAIL: {msg}")
    sys.exit(1)


def run(demo, mode, *extra):
    cmd = [mapo, "race", "--demo", demo, "--mode", mode, "--json", *extra]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    if p.returncode != 0:
        fail(f"{' '.join(cmd)}: exit {p.returncode}, stderr: {p.stderr[-2000:]}")
    lines = p.stdout.strip().splitlines()
    if len(lines) != 1:
        fail(f"{' '.join(cmd)}: stdout is not one line: {p.stdout[:300]}")
    doc = json.loads(lines[0])
    for key in ("demo", "mode", "trials", "failures"):
        if key not in doc:
            fail(f"{' '.join(cmd)}: no '{key}' in {doc}")
    return doc, p.stderr


def expect_tsan(stderr, kind, what):
    if tsan and f"WARNING: ThreadSanitizer: {kind}" not in stderr:
        fail(f"{what}: ThreadSanitizer did not report a {kind}; stderr: {stderr[-1500:]}")
    if tsan:
        print(f"ok {what}: ThreadSanitizer reports a {kind}")


# Under ThreadSanitizer every memory access is slow and the cooks meet less reliably
# (0 to 99 failures in 100 trials): there TSan's report is the proof, elsewhere the
# failures. How many trials fail depends on the cooks running at the same moment, which
# a loaded machine (another test, a CPU hog) makes rarer: the bug shows when one does
# (on a quiet machine 95-100 of 100 do; the tutorial shows it). A window of 1 ms (the
# default is 100 us) keeps it showing where a cook may be descheduled for longer.
# A run of 100 trials in which the cooks never met (0 of 100, once, under asan beside
# other tests) proves only that the machine was busy: up to 5 runs are tried.
for attempt in range(1, 6):
    doc, err = run("cupboard", "unsafe", "--trials", "100", "--window-us", "1000")
    if tsan or doc["failures"] >= 1:
        break
if not tsan and doc["failures"] < 1:
    fail(f"cupboard unsafe: none of 5 x 100 trials failed")
if doc["failures"] and "knife" not in doc["first"]:
    fail(f"cupboard unsafe: the failure is not told the notebook's way: {doc['first']}")
print(f"ok cupboard unsafe: {doc['failures']} of 100 trials failed (run {attempt}): "
      f"{doc['first']}")
expect_tsan(err, "data race", "cupboard unsafe")

# Updates are lost only while both threads add at the same moment. The optimiser keeps
# the counter in a register for a whole run, so the moments are short, and a loaded
# machine (a CPU hog: measured, 4 runs in 6 lost nothing) often runs the two threads in
# turn: each run of 10 trials is tried again, up to 20 times, until one loses updates.
for attempt in range(1, 21):
    doc, err = run("counter", "unsafe", "--trials", "10", "--increments", "1000000")
    if doc["counted"] + doc["failures"] != doc["expected"]:
        fail(f"counter unsafe: the books do not balance: {doc}")
    if tsan or doc["failures"] > 0:
        break
else:
    fail(f"counter unsafe: no updates lost in 20 runs of 10 trials: {doc}")
print(f"ok counter unsafe: {doc['failures']} of {doc['expected']} updates lost "
      f"(run {attempt})")
expect_tsan(err, "data race", "counter unsafe")

# Both cooks must hold their first utensil at once: on a quiet machine every trial
# dead-locks; a cook descheduled past the 1 ms window on a loaded one takes both in time.
doc, err = run("deadlock", "naive", "--trials", "20")
if doc["failures"] < 1:
    fail(f"deadlock naive: none of 20 trials dead-locked")
if "cycle cook 0 -> cook 1 -> cook 0" not in doc["first"] or "holds" not in doc["first"]:
    fail(f"deadlock naive: the cycle is not named: {doc['first']}")
print(f"ok deadlock naive: {doc['failures']} of 20 trials dead-locked: {doc['first']}")
expect_tsan(err, "lock-order-inversion", "deadlock naive")

# Every mode of a demo side by side: one JSON object with a run per mode.
doc, err = None, None
p = subprocess.run([mapo, "race", "--demo", "counter", "--mode", "all", "--trials", "1",
                    "--increments", "20000", "--json"], capture_output=True, text=True, timeout=600)
if p.returncode != 0:
    fail(f"counter --mode all: exit {p.returncode}")
doc = json.loads(p.stdout)
if [r["mode"] for r in doc.get("runs", [])] != ["unsafe", "atomic", "critical", "reduction"]:
    fail(f"counter --mode all: {doc}")
if any(r["failures"] for r in doc["runs"][1:]):
    fail(f"counter --mode all: a fix lost updates: {doc}")
print("ok counter --mode all")
print("ok")
