#!/usr/bin/env python3
"""Execute docs/notebook/mapo.ipynb top to bottom with a real Jupyter kernel.

usage: run_notebook.py BUILD_DIR SOURCE_DIR OUT_DIR

Debian's python3-nbclient and python3-ipykernel run it (the python3 kernel, in the
notebook's own folder, MAPO_BUILD=BUILD_DIR). Checks: the notebook in git has no outputs
and no execution counts (stripped) and is what docs/notebook/make_notebook.py writes;
every code cell ran without an error; the outputs include the charts (SVG images) and
mapo's reports. The executed copy is written to OUT_DIR/mapo.executed.ipynb. Exit 77
(skipped) where no Python with nbclient and ipykernel is installed.
"""
import os
import subprocess
import sys
import time


def reexec():
    """Run again under Debian's python3 when this one lacks nbclient (a pyenv python)."""
    system = "/usr/bin/python3"
    if os.path.realpath(sys.executable) != os.path.realpath(system) and os.access(system, os.X_OK):
        r = subprocess.run([system, "-c", "import nbclient, ipykernel"], capture_output=True)
        if r.returncode == 0:
            os.execv(system, [system] + sys.argv)
    print("skipped: no Python with nbclient and ipykernel (apt-get install python3-nbclient "
          "python3-ipykernel)")
    sys.exit(77)


try:
    import nbclient
    import nbformat
    import ipykernel  # noqa: F401  (the kernel the notebook runs in)
except ImportError:
    reexec()


def stripped(nb):
    """'' when the notebook carries no outputs, else the first cell that does."""
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "code" and (cell.get("outputs") or cell.get("execution_count")):
            return "cell %d has outputs or an execution count: strip them before committing" % i
    return ""


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__.strip().splitlines()[2])
    build, source, out = (os.path.abspath(a) for a in sys.argv[1:4])
    folder = os.path.join(source, "docs", "notebook")
    path = os.path.join(folder, "mapo.ipynb")
    nb = nbformat.read(path, as_version=4)
    failed = []
    why = stripped(nb)
    if why:
        failed.append(why)
    # The committed file is the generator's: regenerate it in memory and compare.
    sys.path.insert(0, folder)
    import make_notebook  # noqa: E402
    fresh = nbformat.v4.new_notebook()
    for kind, text in make_notebook.CELLS:
        fresh.cells.append(nbformat.v4.new_markdown_cell(text) if kind == "md"
                           else nbformat.v4.new_code_cell(text))
    if [c.source for c in fresh.cells] != [c.source for c in nb.cells]:
        failed.append("mapo.ipynb is not what make_notebook.py writes: run it")
    os.environ["MAPO_BUILD"] = build
    os.environ["PYDEVD_DISABLE_FILE_VALIDATION"] = "1"  # the kernel's debugger's chatter
    t0 = time.monotonic()
    client = nbclient.NotebookClient(nb, timeout=120, kernel_name="python3",
                                     resources={"metadata": {"path": folder}})
    try:
        client.execute()
    except nbclient.exceptions.CellExecutionError as e:
        failed.append("a cell failed: %s" % str(e)[-1500:])
    seconds = time.monotonic() - t0
    os.makedirs(out, exist_ok=True)
    nbformat.write(nb, os.path.join(out, "mapo.executed.ipynb"))
    svgs = texts = 0
    for cell in nb.cells:
        for o in cell.get("outputs", []):
            if o.get("output_type") == "error":
                failed.append("an error output: %s" % o.get("ename"))
            data = o.get("data", {})
            svgs += "image/svg+xml" in data
            texts += o.get("output_type") == "stream" and "mapo" in o.get("text", "")
    ran = [c for c in nb.cells if c.cell_type == "code" and c.get("execution_count")]
    code = [c for c in nb.cells if c.cell_type == "code"]
    if len(ran) != len(code):
        failed.append("%d of %d code cells ran" % (len(ran), len(code)))
    if svgs < 4:
        failed.append("%d charts (SVG images) in the outputs, expected at least 4" % svgs)
    if texts < 5:
        failed.append("%d of mapo's reports in the outputs, expected at least 5" % texts)
    print("executed %d code cells in %.1f s: %d charts, %d reports; the executed copy: %s" %
          (len(ran), seconds, svgs, texts, os.path.join(out, "mapo.executed.ipynb")))
    for f in failed:
        print("FAILED: " + f)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
