#!/usr/bin/env python3
"""Write mapo.ipynb, the Jupyter companion of the seed notebook, with no outputs.

usage: python3 docs/notebook/make_notebook.py   (writes docs/notebook/mapo.ipynb)

The notebook is kept in git as this script's output, outputs stripped, so that a diff
reads as text and a run's figures never land in a commit. tests/notebook/run_notebook.py
executes it top to bottom with a real Jupyter kernel and checks that its charts came out.
"""
import os
import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

HERE = os.path.dirname(os.path.abspath(__file__))

CELLS = [
    ("md", """# Concepts for parallel programming, with mapo

This is the seed notebook's story, cell by cell, with **mapo** doing the cooking: every
cell runs a mapo command (a C11, OpenMP and MPI program) and shows what it printed and
the charts it drew. Where the notebook's own Python makes the same point, it runs beside
(`examples/python/`). Run it top to bottom (*Run All*); it takes well under a minute.

mapo is found in `MAPO_BUILD` (a build folder, e.g. `build/release`) or, by default, in
the release build of this clone."""),
    ("code", """import json, os, shutil, subprocess, sys, tempfile
from IPython.display import SVG, display

ROOT = os.path.abspath(os.path.join(os.getcwd(), "..", "..")) \\
    if os.path.basename(os.getcwd()) == "notebook" else os.getcwd()
BUILD = os.environ.get("MAPO_BUILD", os.path.join(ROOT, "build", "release"))
MAPO = os.path.join(BUILD, "mapo")
PYTHON = os.path.join(ROOT, "examples", "python")
WORK = tempfile.mkdtemp(prefix="mapo-notebook-")
assert os.access(MAPO, os.X_OK), "build mapo first (README: Quick start), or set MAPO_BUILD"

def mapo(*args, show=True):
    \"\"\"Run mapo with these arguments in a scratch folder; print what it printed.\"\"\"
    r = subprocess.run([MAPO, *map(str, args)], cwd=WORK, capture_output=True, text=True,
                       env=dict(os.environ, COLUMNS="80"))
    if show:
        print(r.stdout, end="")
    if r.returncode not in (0,):
        raise RuntimeError("mapo %s: exit %d: %s" % (" ".join(map(str, args)), r.returncode,
                                                      r.stderr.strip()))
    return r.stdout

def chart(name):
    \"\"\"Show an SVG that mapo wrote into the scratch folder.\"\"\"
    display(SVG(filename=os.path.join(WORK, name)))

def notebook_python(script, *args):
    \"\"\"Run the notebook's own Python (examples/python) and return its JSON.\"\"\"
    r = subprocess.run([sys.executable, os.path.join(PYTHON, script), *map(str, args)],
                       capture_output=True, text=True, check=True)
    return json.loads(r.stdout)

print("mapo:", MAPO)"""),
    ("md", """## Let's get started: the steps

The notebook's three functions are three chains of steps and one step that needs them
all. mapo holds the recipe as data and works out what no schedule can beat: the **work**
(one cook does everything) and the **span** (the longest chain: infinitely many cooks)."""),
    ("code", """mapo("recipe", "show")"""),
    ("md", """## The classic approach: one cook

A unit is 20 ms here (the notebook's second is 1000 ms). One cook needs the whole work,
and the rice waits on the stove while everything else is done."""),
    ("code", """mapo("cook", "--model", "serial", "--unit-ms", 20, "--quiet", "--svg", "serial.svg")
chart("serial.svg")"""),
    ("md", """The notebook's own serial cook, in Python, for comparison (same units):"""),
    ("code", """print(notebook_python("notebook_cook.py", "--mode", "serial", "--unit", 0.02))"""),
    ("md", """## Multi-threading: three cooks

OpenMP sections (a fixed split written into the program) and tasks (steps handed out as
they become ready) both reach the span: the chart puts every cook on one time axis."""),
    ("code", """mapo("cook", "--model", "tasks", "--unit-ms", 20, "--quiet", "--svg", "tasks.svg")
chart("tasks.svg")
print(notebook_python("notebook_cook.py", "--mode", "threads", "--unit", 0.02))"""),
    ("md", """## The catch: a race for the knife

Two cooks look for the knife in a shared cupboard, then take it: between the look and
the take, the other cook may have taken it. Every fix makes look-and-take one step."""),
    ("code", """mapo("race", "--demo", "cupboard", "--mode", "all", "--trials", 100)"""),
    ("md", """Locks fix the race but can dead-lock: two cooks take the knife and the board in
opposite orders. mapo's watchdog builds the wait-for graph and names the cycle."""),
    ("code", """mapo("race", "--demo", "deadlock", "--mode", "all", "--trials", 20)"""),
    ("md", """## Multi-processing: MPI ranks

Processes share nothing: every rank has its own cupboard. Sharing one knife between
processes costs messages (skipped when Open MPI is not installed)."""),
    ("code", """mpirun = shutil.which("mpirun")
if mpirun and os.access(os.path.join(BUILD, "mapo-mpi"), os.X_OK):
    env = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
               OMPI_MCA_rmaps_base_oversubscribe="1", COLUMNS="80")
    r = subprocess.run([mpirun, "-n", "2", os.path.join(BUILD, "mapo-mpi"), "cupboard"],
                       cwd=WORK, env=env, capture_output=True, text=True, timeout=120)
    print(r.stdout or r.stderr)
else:
    print("no mpirun or mapo-mpi here: the MPI lessons are skipped")"""),
    ("md", """## How would we cook in the real world? Async

One cook who boils the rice and, while it boils, heats the oil: one thread, an event
loop, and every boiling step a timer. It reaches the span too, on one thread."""),
    ("code", """mapo("cook", "--model", "async", "--unit-ms", 20, "--quiet", "--svg", "async.svg")
chart("async.svg")
print(notebook_python("notebook_cook.py", "--mode", "asyncio", "--unit", 0.02))"""),
    ("md", """The pitfall: a blocking call inside the loop stops every other step. Same cook, the
waits done blocking: the serial makespan is back."""),
    ("code", """mapo("cook", "--model", "async", "--blocking", "--unit-ms", 20, "--quiet")"""),
    ("md", """## When to use which? I/O-bound work

Orders to a supplier that answers each after 20 ms: serial pays every latency in turn;
threads and the event loop overlap the waiting."""),
    ("code", """for model in ("serial", "threads", "poll"):
    mapo("io", "--model", model, "--requests", 20, "--latency-ms", 20)"""),
    ("md", """## The CPU-bound example

The notebook sums i\\*i for 20 numbers near 5 million. In C there is no GIL: threads
share the work. In the notebook's Python, threads are no faster than one thread (the
GIL) and processes are (here at a smaller n, to keep the cell short)."""),
    ("code", """mapo("sum", "--model", "reduction", "--threads", 2)
for mode in ("serial", "threads", "processes"):
    r = notebook_python("notebook_sum.py", "--mode", mode, "--base", 300000)
    print("Python %-9s %.3f s  verified: %s" % (mode, r["seconds"], r.get("verified")))"""),
    ("md", """How the sum scales with threads, and what Amdahl's law makes of it (past the
processor count, threads share cores):"""),
    ("code", """mapo("scale", "--base", 5000000, "--repeat", 3, "--svg", "scale.svg")
chart("scale.svg")"""),
    ("md", """## Summary

Every number above was measured on this machine just now, and every sentence that
judges (faster, wins, scales) was chosen by mapo from the numbers beside it. `mapo
compare --quick` puts every workload against every model in one table."""),
    ("code", """shutil.rmtree(WORK, ignore_errors=True)"""),
]


def main():
    nb = new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    for kind, text in CELLS:
        nb.cells.append(new_markdown_cell(text) if kind == "md" else new_code_cell(text))
    for i, cell in enumerate(nb.cells):
        cell["id"] = "cell-%02d" % i  # stable ids: the file changes only when a cell does
    nbformat.validate(nb)
    with open(os.path.join(HERE, "mapo.ipynb"), "w", encoding="utf-8") as f:
        nbformat.write(nb, f)
    print("wrote", os.path.join(HERE, "mapo.ipynb"))


if __name__ == "__main__":
    main()
