#!/usr/bin/env python3
"""Write every output block of README.md and docs/tutorial.md from a real run.

usage: record.py [--bench] BUILD_DIR SOURCE_DIR [DOC...]

For each ```sh block followed by an output block (tests/docs/blocks.py), the sh block's
commands run as run_docs.py runs them (BUILD_DIR's programs, a scratch folder, Open
MPI's root variables for mpirun), at full size, with COLUMNS=80; their stdout, in turn,
replaces the output block (cut by its keep marker). Each document's line that starts
with RECORDED is rewritten to name this machine and the date, so that every figure on
the page says where it came from. A command that fails stops the script (exit 1) and
nothing is written. Run it on a quiet machine after a change to what a command prints;
tests/docs/run_docs.py (ctest docs.run) then checks each block's headers and rows
against a fresh run. A block whose commands are marked `# benchmark` (minutes on a
quiet machine: bench/ scripts beside their references) is recorded only with --bench,
and kept as it is otherwise.
"""
import datetime
import tempfile
import os
import re
import platform
import shlex
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import blocks  # noqa: E402
import run_docs  # noqa: E402

RECORDED = "*Every output on this page was recorded by `tests/docs/record.py`"


def machine():
    """This machine in a few words: CPU, processors, compiler, Open MPI, date."""
    cpu = "an unknown CPU"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            cpu = next(l.split(":", 1)[1].strip() for l in f if l.startswith("model name"))
    except (OSError, StopIteration):
        pass
    def first_line(argv):
        try:
            r = subprocess.run(argv, capture_output=True, text=True, timeout=30)
            return (r.stdout or r.stderr).strip().splitlines()[0]
        except (OSError, IndexError, subprocess.TimeoutExpired):
            return "none"
    gcc = first_line(["gcc", "--version"])
    mpi = first_line(["mpirun", "--version"])
    return "%s on %s, %d processors (%s %s), %s, %s" % (
        datetime.date.today().isoformat(), cpu, len(os.sched_getaffinity(0)),
        platform.system(), platform.release(), gcc, mpi)


def record_block(block, commands, build, source, scratch):
    """The output lines the block's commands print, or raise RuntimeError."""
    outs = []
    for no, line in commands:
        bench = line.rstrip().endswith(run_docs.BENCH_MARK)
        if bench:
            line = line.rstrip()[:-len(run_docs.BENCH_MARK)]
        parts = run_docs.parts_of(line)
        if isinstance(parts, str) or line.rstrip().endswith(run_docs.SKIP_MARK):
            raise RuntimeError("line %d cannot run, so its output block cannot be recorded" % no)
        for part in parts:
            if bench:
                env, part = dict(os.environ), list(part)
                while part and re.match(r"^[A-Z_][A-Z0-9_]*=", part[0]):
                    name, value = part.pop(0).split("=", 1)
                    env[name] = value
                argv = [os.path.join(source, part[0])] + part[1:]

            elif run_docs.classify(part):
                raise RuntimeError("line %d: %s: %s" % (no, " ".join(part), run_docs.classify(part)))
            else:
                argv, env = run_docs.prepare(list(part), build, source, scratch)
            env["COLUMNS"] = "80"
            print("  line %d: %s" % (no, " ".join(shlex.quote(w) for w in part)), flush=True)
            # A benchmark runs from the source folder, where its defaults point.
            why, out = run_docs.run(argv, env, source if bench else scratch,
                                    timeout=1800 if bench else 180)
            if why:
                raise RuntimeError("line %d: %s" % (no, why))
            outs.append(out)
    lines = "".join(outs).rstrip("\n").split("\n")
    return blocks.keep(lines, block.output.keep)


def record(path, build, source, scratch, where, with_bench):
    found, errors = run_docs.sh_blocks(path)
    if errors:
        raise RuntimeError("; ".join(errors))
    with open(path, encoding="utf-8") as f:
        text = f.read().split("\n")
    # From the last block up, so that earlier line numbers stay right.
    for block, commands in reversed(found):
        out = block.output
        if out is None or (not with_bench and any(
                l.rstrip().endswith(run_docs.BENCH_MARK) for _, l in commands)):
            continue
        print("%s:%d" % (os.path.basename(path), out.start), flush=True)
        new = record_block(block, commands, build, source, scratch)
        text[out.start:out.end - 1] = [l.rstrip() for l in new]
    text = [RECORDED + " on " + where + ".*" if l.startswith(RECORDED) else l for l in text]
    return "\n".join(text)


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__.strip().splitlines()[2])
    args = sys.argv[1:]
    with_bench = "--bench" in args
    args = [a for a in args if a != "--bench"]
    build, source = (os.path.abspath(a) for a in args[:2])
    docs = args[2:] or run_docs.DOCS
    where = machine()
    written = {}

    with tempfile.TemporaryDirectory(prefix="mapo-record-") as scratch:
        for doc in docs:
            try:
                written[doc] = record(os.path.join(source, doc), build, source, scratch, where,
                                      with_bench)
            except RuntimeError as e:
                print("record.py: %s: %s (nothing written)" % (doc, e), file=sys.stderr)
                return 1
    for doc, text in written.items():
        with open(os.path.join(source, doc), "w", encoding="utf-8") as f:
            f.write(text)
        print("wrote %s" % doc)
    return 0


if __name__ == "__main__":
    sys.exit(main())
