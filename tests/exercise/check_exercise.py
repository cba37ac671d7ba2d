"""check_exercise.py - the graded exercises grade as they should (label `exercise`).

`start`: the checker built with the starting files (examples/exercise/*.c) fails every
task, exit 1, each with a "to fix:" line that names the file whose TODO says what to do.
`solutions`: the checker built with examples/exercise/solutions/ passes every task, exit
0. Both with --no-speed: correctness and the kitchen's rules only, so that the result
never depends on how fast or busy the machine is. Every line fits 80 columns.

usage: python3 check_exercise.py start|solutions GRADE-BINARY TASK...
"""
import subprocess
import sys

which, grade, tasks = sys.argv[1], sys.argv[2], sys.argv[3:]


def fail(msg):
    print(f"check_exercise: FAIL: {msg}")
    sys.exit(1)


cmd = [grade, "--no-speed", *tasks]
p = subprocess.run(cmd, capture_output=True, text=True, timeout=280)
print(p.stdout, end="")
if p.stderr:
    fail(f"{' '.join(cmd)} wrote on stderr: {p.stderr[-1500:]}")
want = 0 if which == "solutions" else 1
if p.returncode != want:
    fail(f"{' '.join(cmd)}: exit {p.returncode}, expected {want}")
lines = p.stdout.splitlines()
for line in lines:
    if len(line) > 80:
        fail(f"a line over 80 columns: {line!r}")

# Each task's paragraph: its first line starts with its name, the rest are indented.
paragraphs, current = {}, None
for line in lines[1:]:
    if line.startswith("          ") and current:
        paragraphs[current] += " " + line.strip()
    elif line.split(" ", 1)[0] in tasks:
        current = line.split(" ", 1)[0]
        paragraphs[current] = line
    else:
        current = None
for task in tasks:
    text = paragraphs.get(task)
    if text is None:
        fail(f"no line for task {task}")
    verdict = text[len(task):].strip()
    if which == "solutions":
        if not verdict.startswith("passed:"):
            fail(f"the solution of {task} did not pass: {text}")
        if "verified" in verdict and "rule" in verdict:
            fail(f"{task}: a line both verified and breaking a rule: {text}")
    else:
        if not verdict.startswith("to fix:"):
            fail(f"the starting file of {task} did not fail: {text}")
        if f"{task}.c's TODO" not in verdict:
            fail(f"{task}: the line does not say which TODO to do: {text}")
    print(f"ok {which} {task}: {verdict[:60]}...")
expect_tail = f"{len(tasks) if which == 'solutions' else 0} of {len(tasks)} passed"
if lines[-1] != expect_tail:
    fail(f"the last line is {lines[-1]!r}, expected {expect_tail!r}")
print(f"check_exercise: {which}: every task graded as expected")
