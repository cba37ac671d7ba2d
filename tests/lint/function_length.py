#!/usr/bin/env python3
"""function_length.py - no function in the programs (src/cli/*.c, mpi/*.c) is longer than
60 lines, so that each command reads parse -> run -> report.

Run:    tests/lint/function_length.py [SOURCE_DIR] [--max N]
Notice: functions are found the way the code is laid out (.clang-format): a definition
        starts at column 0 on the line that names it, its body's `{` ends that line (or the
        last line of its parameters), and its closing `}` stands at column 0. The length
        counts from the line with the name to that brace, both included. Each offender
        prints as `file:line name length`; exit 1 if there is one.
"""
import glob
import os
import re
import sys

# The name: the last identifier before the first '(' of the line.
NAME = re.compile(r"([A-Za-z_]\w*)\s*\(")


def functions(path):
    """Yield (line number, name, length) for every function defined in path."""
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        name = NAME.search(line)
        # Column 0, not a preprocessor line, a comment, a brace or an initializer.
        if name is None or line[:1] in ("", " ", "\t", "#", "/", "*", "}") or \
                "=" in line[:name.start()]:
            i += 1
            continue
        # The declaration runs until a line ends with '{' (a definition), ';' (a prototype)
        # or '}' (a definition on one line).
        j = i
        while j < len(lines) and not lines[j].rstrip().endswith(("{", ";", "}")):
            j += 1
        if j == len(lines) or lines[j].rstrip().endswith(";"):
            i = j + 1
            continue
        if lines[j].rstrip().endswith("}"):
            yield i + 1, name.group(1), j - i + 1
            i = j + 1
            continue
        end = j + 1
        while end < len(lines) and not lines[end].startswith("}"):
            end += 1
        yield i + 1, name.group(1), end - i + 1
        i = end + 1


def main(argv):
    args = [a for a in argv[1:]]
    limit = 60
    if "--max" in args:
        k = args.index("--max")
        limit = int(args[k + 1])
        del args[k:k + 2]
    root = args[0] if args else os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
    files = sorted(glob.glob(os.path.join(root, "src", "cli", "*.c")) +
                   glob.glob(os.path.join(root, "mpi", "*.c")))
    if not files:
        print(f"function_length: no src/cli/*.c or mpi/*.c under {root}", file=sys.stderr)
        return 1
    bad = 0
    for path in files:
        rel = os.path.relpath(path, root)
        for line, name, length in functions(path):
            if length > limit:
                print(f"{rel}:{line} {name} {length}")
                bad += 1
    if bad:
        print(f"function_length: {bad} function(s) in src/cli and mpi/ longer than {limit} lines: "
              "split them into named steps (parse -> run -> report)", file=sys.stderr)
        return 1
    print(f"function_length: every function in {len(files)} files is at most {limit} lines")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
