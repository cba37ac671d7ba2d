"""check_text.py - text under attack (issue 13, class 6).

usage: python3 check_text.py MAPO SCRATCH-DIR

Each check is a reproducer of what broke before:
- a recipe whose title or says has a byte that is not UTF-8 (\\xe9, Latin-1's e-acute)
  made `--json` output that was not UTF-8 and an SVG that was not XML: now one line
  `FILE:LINE: not valid UTF-8 ...`, exit 2, nothing printed on stdout;
- nasty but valid text (quotes, <, &, a backslash, a tab, emoji, U+FFFE, which XML 1.0
  forbids) in title, says and step names: the cook's JSON parses with python's json,
  its trace too, and its SVG with xml.etree (U+FFFE written as U+FFFD);
- messages that cut a long UTF-8 text to fit (a directive, a step name) cut between
  characters: stderr decodes as UTF-8;
- mapo compare run from a folder with a long UTF-8 name: its note quoting the scripts'
  path (cut at 200 bytes) is UTF-8, the JSON parses.
"""
import json
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET

mapo, scratch = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
shutil.rmtree(scratch, ignore_errors=True)
os.makedirs(scratch)


def fail(msg):
    print(f"check_text: FAIL: {msg}")
    sys.exit(1)


def at(name):
    return os.path.join(scratch, name)


def write(name, data):
    with open(at(name), "wb") as f:
        f.write(data)
    return at(name)


def run(args, timeout=120):
    return subprocess.run([mapo] + args, capture_output=True, timeout=timeout, cwd=scratch)


def refused(args, where, want):
    p = run(args)
    err = p.stderr.decode("utf-8", "replace").strip()
    if p.returncode != 2 or len(err.splitlines()) != 1 or where not in err or want not in err:
        fail(f"{args}: exit {p.returncode}, stderr {err!r}; want exit 2, one line with "
             f"{where!r} and {want!r}")
    if p.stdout:
        fail(f"{args}: a refused recipe printed {p.stdout[:200]!r}")


# Bytes that are not UTF-8, in every text field: refused with the line.
bad = {
    "title": b"title Caf\xe9\nstep a 1 wait\n",
    "says": b"title ok\nstep a 1 wait says Caf\xe9 au lait\n",
    "name": b"step caf\xc3 1 wait\n",
    "surrogate": b"step a 1 wait says \xed\xa0\x80\n",
    "overlong": b"step a 1 wait says \xc0\xaf\n",
}
for what, data in bad.items():
    path = write(f"{what}.recipe", data)
    want_line = 1 if what in ("title", "name", "surrogate", "overlong") else 2
    refused(["recipe", "check", path], f"{what}.recipe:{want_line}:", "not valid UTF-8")
    refused(["cook", "--recipe", path, "--unit-ms", "0", "--json"], f"{what}.recipe:{want_line}:",
            "not valid UTF-8")
print(f"check_text: {len(bad)} recipes with bytes that are not UTF-8 refused, exit 2, file:line")

# Nasty but valid: every writer's output parses.
nasty = 'Quotes "q" \'a\' <b> & \\ back\tslash \U0001F35C U+FFFE:\ufffe end'
recipe = (f"title {nasty}\n"
          f"step a 1 wait says {nasty}\n"
          f"step b 2 hands after a says {nasty} again\n").encode("utf-8")
path = write("nasty.recipe", recipe)
p = run(["recipe", "check", path])
if p.returncode != 0:
    fail(f"a valid UTF-8 recipe refused: {p.stderr!r}")
p = run(["cook", "--recipe", path, "--unit-ms", "0", "--model", "all", "--json"], timeout=300)
if p.returncode != 0:
    fail(f"cook of nasty text: exit {p.returncode}: {p.stderr[-300:]!r}")
doc = json.loads(p.stdout.decode("utf-8"))  # strict: raises on bytes that are not UTF-8
if doc.get("recipe") != nasty:
    fail("the cook's JSON lost the title")
p = run(["cook", "--recipe", path, "--unit-ms", "0", "--quiet", "--trace", at("n.json"),
         "--svg", at("n1.svg")])
if p.returncode != 0:
    fail(f"cook --trace --svg of nasty text: exit {p.returncode}: {p.stderr[-300:]!r}")
with open(at("n.json"), "rb") as f:
    trace = json.loads(f.read().decode("utf-8"))
if not any(nasty in e.get("name", "") for e in trace["traceEvents"]):
    fail("the trace lost the says text")
for svg in ("n1.svg",):
    try:
        root = ET.parse(at(svg)).getroot()
    except ET.ParseError as e:
        fail(f"{svg} is not well-formed XML: {e}")
    text = "".join(root.itertext())
    if "\ufffe" in text or "\ufffd" not in text or "\U0001F35C" not in text:
        fail(f"{svg}: U+FFFE not replaced by U+FFFD, or the emoji lost")
p = run(["recipe", "show", path, "--json"])
if p.returncode != 0:
    fail(f"recipe show --json: exit {p.returncode}")
json.loads(p.stdout.decode("utf-8"))
print("check_text: quotes, <, &, a backslash, a tab, an emoji and U+FFFE: JSON, trace and SVG parse")

# Messages cut to fit: between characters. Two alignments each (x, xy before the e's).
for lead in ("x", "xy"):
    long_word = lead + "\u00e9" * 60
    for name, text in (("directive", f"{long_word} 1\n"), ("step", f"step {long_word} 1 wait\n")):
        path = write(f"cut-{name}-{len(lead)}.recipe", text.encode("utf-8"))
        p = run(["recipe", "check", path])
        try:
            err = p.stderr.decode("utf-8")
        except UnicodeDecodeError:
            fail(f"{name}: the message cut a character in half: {p.stderr!r}")
        if p.returncode != 2 or len(err.strip().splitlines()) != 1:
            fail(f"{name}: exit {p.returncode}, stderr {err!r}")
print("check_text: long UTF-8 words in messages cut between characters")

# compare from a folder with a long UTF-8 name: the scripts' path in a note, cut at 200
# bytes, is UTF-8 (its JSON is read strictly).
for lead in ("d", "de"):
    folder = at(lead + "\u00e9" * 100)  # 201 or 202 bytes: one path component
    os.mkdir(folder)
    copy = os.path.join(folder, "mapo")
    shutil.copy(mapo, copy)
    p = subprocess.run([copy, "compare", "--quick", "--base", "2000000", "--requests", "4",
                        "--latency-ms", "1", "--unit-ms", "0.5", "--json"], capture_output=True,
                       timeout=600)
    try:
        doc = json.loads(p.stdout.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as e:
        fail(f"compare from a UTF-8 folder: {e}: {p.stdout[-300:]!r}")
    notes = [r["notes"].get("python", "") for r in doc["rows"]]
    if not any("\u00e9" in n for n in notes):
        fail(f"compare's notes do not quote the path: {notes}")
    shutil.rmtree(folder)
print("check_text: compare's note quoting a long UTF-8 path is UTF-8")
shutil.rmtree(scratch, ignore_errors=True)
print("check_text: ok")
