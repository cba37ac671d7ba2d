#!/usr/bin/env python3
"""The prose of README.md and docs/tutorial.md quotes no figure that is not in a block.

usage: figures.py SOURCE_DIR

A figure is a measured quantity: a number with a unit of time, rate, speed-up or
temperature (0.15 us, 2.00x, 8.8 GB/s, 76 degrees, 23.1 units, 12%). Every one in the
prose (outside fenced blocks and HTML comments) must appear, as the same number, in an
output block of the same page: the blocks are written from real runs by record.py and
checked against fresh runs by run_docs.py, so a figure the prose repeats stays one the
machine printed. Figures that are settings, not measurements, are written as code
(`--unit-ms 20`, `--grace-ms 500`) or in words; a number in backquotes is not checked.

It also finds the statements that once went stale (STALE): each is an error wherever
it is, docs/man included.
"""
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import blocks  # noqa: E402

DOCS = ["README.md", "docs/tutorial.md", "docs/measurements.md"]
FIGURE = re.compile(r"(?<![\w.`/-])(\d+(?:[.,]\d+)?)(?:-(\d+(?:\.\d+)?))?"
                    r"(x| ?(?:ms|us|ns|s|GB/s|MB/s|units?|degrees|%))(?![\w/])")
# Statements the docs once made that the code no longer bears out (issue 15's list).
STALE = [
    (r"later milestone", "mapo-mpi exists"),
    (r"until the MPI edition", "the processes column is measured"),
    (r"mpirun -q -n", "-q hides Open MPI's own errors: show them"),
    (r"\b2024\b", "a stale date"),
    (r"ranks 1 to 1", "the cook lesson's wording at one rank"),
    (r"\[1\.\.1e\+07\]", "a range printed in exponent form"),
]
STALE_FILES = DOCS + ["slurm/README.md", "DEVELOPERS.md"]


def check_page(path):
    parsed, _ = blocks.parse(path)
    # Output blocks, and the notebook's own output cells (```notebook) that a page quotes.
    shown = "\n".join("\n".join(b.lines) for b in parsed if b.lang in ("", "notebook"))
    inside = set()
    for b in parsed:
        inside.update(range(b.start, b.end + 1))
    bad = []
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    for no, line in enumerate(lines, 1):
        if no in inside or line.lstrip().startswith("<!--"):
            continue
        prose = re.sub(r"`[^`]*`", "", line)  # code spans: settings and commands
        for m in FIGURE.finditer(prose):
            for number in filter(None, (m.group(1), m.group(2))):
                if not re.search(r"(?<![\d.])" + re.escape(number) + r"(?![\d])", shown):
                    bad.append("%d: '%s' is in no output block of this page" % (no, m.group(0)))
                    break
    return bad


def stale(source):
    bad = []
    man = os.path.join(source, "docs", "man")
    files = STALE_FILES + (["docs/man/" + f for f in sorted(os.listdir(man))]
                           if os.path.isdir(man) else [])
    for rel in files:
        path = os.path.join(source, rel)
        if not os.path.isfile(path):
            continue
        with open(path, encoding="utf-8") as f:
            for no, line in enumerate(f, 1):
                for pattern, why in STALE:
                    if re.search(pattern, line):
                        bad.append("%s:%d: %r: %s" % (rel, no, pattern, why))
    return bad


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__.strip().splitlines()[2])
    source = os.path.abspath(sys.argv[1])
    bad = []
    for doc in DOCS:
        bad += ["%s:%s" % (doc, b) for b in check_page(os.path.join(source, doc))]
    bad += stale(source)
    for b in bad:
        print(b)
    print("%d problems" % len(bad))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
