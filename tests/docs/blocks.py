"""The docs' fenced blocks, their output blocks and the shape of an output.

Shared by run_docs.py (which runs every command and checks each output block against a
fresh run) and record.py (which writes every output block from a real run).

An output block is a bare fence (three backticks, no language) that follows a ```sh
block, with only blank lines and markers between: it shows what the sh block's last
command printed. A bare fence anywhere else is an error: every block of output in the
docs comes from a command, and a block that is not output (a recipe, a JSON sample, a
hand-drawn figure) names its language (```recipe, ```json, ```text).

Markers are HTML comments (invisible when rendered) on their own line between the two:
  <!-- keep 1-6 -3 -->   the block shows lines 1 to 6 of the output, a line "  ...",
                         then its last 3 (numbered from 1; -N counts from the end).

The shape of an output (shape_of): its table header lines (no digit, at least two gaps
of two blanks) and its rows (a line with a number: the words before the first number,
and how many numbers it has); sentences, which change with the verdict, do not count.
A block holds its shape when its every header and row appears, in order and with the
same number of fields, in a fresh run's output.
"""
import re

FENCE = re.compile(r"^(`{3,})\s*(\S*)")
KEEP = re.compile(r"^<!--\s*keep\s+([-0-9 ]+?)\s*-->$")
ELIDED = "  ..."

# A number as the reports print them: 12, 1,000, 0.146, 5e6, 2.00x, -40, n/a.
NUMBER = re.compile(r"(?<![\w.])(?:[-+]?\d[\d,]*(?:\.\d+)?(?:e[-+]?\d+)?x?|n/a)(?![\w])")


class Block:
    """A fenced block: its language, the line numbers of its fences (1-based), its lines."""

    def __init__(self, lang, start, end, lines):
        self.lang, self.start, self.end, self.lines = lang, start, end, lines
        self.output = None  # for an sh block: the output block that follows it
        self.keep = None    # for an output block: its keep marker's spec


def parse(path):
    """Every fenced block of the file, each sh block linked to the output block after it.
    Returns (blocks, errors): errors are 'line: why' for bare fences without a command."""
    with open(path, encoding="utf-8") as f:
        text = f.read().split("\n")
    blocks, errors, cur, between = [], [], None, None
    for no, line in enumerate(text, 1):
        stripped = line.strip()
        m = FENCE.match(stripped)
        if cur is None:
            if m:
                cur = Block(m.group(2), no, None, [])
                cur.fence = m.group(1)
            elif between is not None:
                k = KEEP.match(stripped)
                if k:
                    between[1] = k.group(1)
                elif stripped:
                    between = None
            continue
        if m and stripped == cur.fence:
            cur.end = no
            blocks.append(cur)
            prev = between
            between = None
            if cur.lang in ("sh", "bash", "shell"):
                between = [cur, None]
            elif cur.lang == "":
                if prev is None:
                    errors.append("%d: an output block with no ```sh block before it (name "
                                  "its language if it is not output)" % cur.start)
                else:
                    prev[0].output = cur
                    cur.keep = prev[1]
            cur = None
            continue
        cur.lines.append(line)
    return blocks, errors


def keep(lines, spec):
    """The lines a keep spec shows, with ELIDED where lines were left out."""
    if not spec:
        return list(lines)
    n, want = len(lines), []
    for part in spec.split():
        if part.startswith("-"):
            want += range(max(n - int(part[1:]), 0), n)
        else:
            a, _, b = part.partition("-")
            want += range(int(a) - 1, min(int(b or a), n))
    out, last = [], -1
    for i in sorted(set(want)):
        if i != last + 1:
            out.append(ELIDED)
        out.append(lines[i])
        last = i
    if last != n - 1 and not spec.split()[-1].startswith("-"):
        out.append(ELIDED)
    return out


# A report's "label  value" line: the value starts after two blanks or more.
LABELLED = re.compile(r"^( *)\S.*?\S? {2,}(\S)")


def unfold(lines):
    """The lines with every folded value joined back to its row: a line indented exactly
    to the value column of the labelled line above it (and deeper than that line) goes on
    where the value was cut, as in "first  2 threads ... holds 1530517," / "       not
    2000000 (...)". Where a fold falls moves with the widths of the numbers."""
    out, column = [], None
    for line in lines:
        s = line.rstrip()
        indent = len(s) - len(s.lstrip())
        if out and column is not None and s.strip() and indent == column:
            out[-1] += " " + s.strip()
            continue
        out.append(s)
        m = LABELLED.match(s)
        column = m.start(2) if m and m.start(2) > len(m.group(1)) else None
    return out


def shape_of(lines):
    """[(kind, key, fields)]: 'h' for a header line (its words), 'r' for a row (the words
    before its first number, and its count of numbers); folded values joined first."""
    out = []
    for line in unfold(lines):
        s = line.rstrip()
        if not s.strip() or s.strip() == "...":
            continue
        nums = NUMBER.findall(s)
        words = s.split()
        if not nums:
            if re.search(r"\S {2,}\S.* {2,}\S", s) and not s.rstrip().endswith((".", ":")):
                out.append(("h", " ".join(words), 0))
            continue
        # A sentence (a wrapped verdict, a note) is prose, not a row: it judges, and its
        # words change with the numbers.
        first = NUMBER.search(s)
        key = " ".join(s[:first.start()].split())
        if len(key) > 40 or len(re.findall(r"[A-Za-z]{2,}", s)) > 9:
            continue
        # The end of a sentence folded over lines ("(speedup 1.97x against 1 thread)."):
        # where it breaks moves with the widths of its numbers.
        if s.endswith(".") or key.startswith("("):
            continue
        out.append(("r", key, len(nums)))
    return out


def holds(block_lines, fresh_lines):
    """'' when the block's shape is a subsequence of the fresh output's, else the first
    header or row of the block that the fresh output lacks."""
    want, have = shape_of(block_lines), shape_of(fresh_lines)
    at = 0
    for item in want:
        while at < len(have) and have[at] != item:
            at += 1
        if at == len(have):
            kind = "header" if item[0] == "h" else "row"
            return "its %s %r (%d numbers) is not in a fresh run's output, in order" % (
                kind, item[1], item[2])
        at += 1
    return ""
