"""check_outputs.py - output files under attack (issue 13, classes 1 and 7).

usage: python3 check_outputs.py MAPO SCRATCH-DIR

Each check is a reproducer of what broke before:
- special files are written in place, never replaced: a character device made like
  /dev/null (mknod c 1 3, root only: skipped otherwise) stays a device; one like
  /dev/full (c 1 7) gives exit 1 "No space left on device", not exit 0; a FIFO stays a
  FIFO and its reader gets the trace;
- sameness by device and inode: --svg a.svg --trace ./a.svg, and --svg naming the
  recipe read, are refused (exit 2) and the recipe is untouched;
- every output path proved before the run: a folder, a name too long once the
  temporary's suffix is added, a missing folder: exit 2, one line, nothing printed
  on stdout (the run never started), no file left;
- a valid recipe 65,000 steps wide cooks with every model (default cooks capped);
- mapo compare exits 1 when a cell fails.
The device checks need root (mknod) and say "skipped" without it; the others always run.
"""
import json
import os
import shutil
import stat
import subprocess
import sys
import threading

mapo, scratch = sys.argv[1], sys.argv[2]
shutil.rmtree(scratch, ignore_errors=True)
os.makedirs(scratch)
COOK = [mapo, "cook", "--unit-ms", "0", "--quiet"]


def fail(msg):
    print(f"check_outputs: FAIL: {msg}")
    sys.exit(1)


def run(args, want_rc, want_err=None):
    p = subprocess.run(COOK + args, capture_output=True, text=True, timeout=120, cwd=scratch)
    err = p.stderr.strip()
    if p.returncode != want_rc:
        fail(f"{args}: exit {p.returncode}, want {want_rc}; stderr: {err[-500:]}")
    if want_err is not None:
        if want_err not in err or len(err.splitlines()) != 1:
            fail(f"{args}: want one line with {want_err!r}, got {err!r}")
        if want_rc == 2 and p.stdout:
            fail(f"{args}: refused input printed a report: {p.stdout[:200]!r}")
    return p


def at(name):
    return os.path.join(scratch, name)


# Special files: in place, never replaced.
if os.geteuid() == 0:
    os.mknod(at("null"), 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    os.mknod(at("full"), 0o666 | stat.S_IFCHR, os.makedev(1, 7))
    run(["--trace", "null"], 0)
    if not stat.S_ISCHR(os.stat(at("null")).st_mode):
        fail("--trace onto a device replaced the device")
    run(["--svg", "full"], 1, "No space left on device")
    if not stat.S_ISCHR(os.stat(at("full")).st_mode):
        fail("--svg onto a full device replaced the device")
    print("check_outputs: devices written in place (null: kept; full: exit 1, no space)")
else:
    print("check_outputs: skipped the device checks (mknod needs root)")

os.mkfifo(at("pipe"))
got = []
reader = threading.Thread(target=lambda: got.append(open(at("pipe"), "rb").read()))
reader.start()
run(["--trace", "pipe"], 0)
reader.join(30)
if not stat.S_ISFIFO(os.stat(at("pipe")).st_mode):
    fail("--trace onto a FIFO replaced the FIFO")
if not got or b"traceEvents" not in got[0]:
    fail("the FIFO's reader did not get the trace")
print(f"check_outputs: a FIFO written in place, its reader got {len(got[0])} bytes")

# Sameness by device and inode, inputs included.
run(["--svg", "a.svg", "--trace", "./a.svg"], 2, "--trace and --svg name the same file")
if os.path.exists(at("a.svg")):
    fail("a refused run left a.svg")
recipe = os.path.join(os.path.dirname(__file__), "..", "..", "examples", "recipes",
                      "dinner.recipe")
shutil.copy(recipe, at("r.recipe"))
before = open(at("r.recipe"), "rb").read()
run(["--recipe", "r.recipe", "--svg", "./r.recipe"], 2, "--svg and --recipe name the same file")
if open(at("r.recipe"), "rb").read() != before:
    fail("the recipe was overwritten")
print("check_outputs: same files refused by device and inode, the recipe untouched")

# Every output proved writable before the run.
os.mkdir(at("folder"))
run(["--svg", "folder"], 2, "cannot write 'folder' (Is a directory)")
long_name = "a" * 250 + ".svg"  # 254 bytes: fits, but not with the temporary's suffix
run(["--svg", long_name], 2, "(File name too long)")
run(["--trace", "missing/t.json"], 2, "no such folder, or not writable")
left = sorted(n for n in os.listdir(scratch)
              if n not in ("null", "full", "pipe", "r.recipe", "folder"))
if left:
    fail(f"refused runs left files: {left}")
print("check_outputs: a folder, a name too long and a missing folder refused before the run")

# A valid recipe 65,000 steps wide (issue 13, class 2): the default cooks are capped at
# 256 (MAPO_COOKS_DEFAULT_MAX), not a thread per step (libgomp overflowed its stack
# there, exit 139, in tasks, tasks-counted and --model all).
with open(at("wide.recipe"), "w", encoding="utf-8") as f:
    f.write("title As wide as a valid recipe gets\n")
    f.writelines(f"step s{i} 1 hands\n" for i in range(65000))
p = subprocess.run([mapo, "cook", "--model", "all", "--unit-ms", "0", "--quiet", "--recipe",
                    at("wide.recipe"), "--json"], capture_output=True, text=True, timeout=300)
if p.returncode != 0:
    fail(f"a 65,000-step-wide recipe: exit {p.returncode}: {p.stderr[-500:]}")
cooks = {r["model"]: r["cooks"] for r in json.loads(p.stdout)["runs"] if "cooks" in r}
if any(c > 256 for c in cooks.values()):
    fail(f"default cooks above 256: {cooks}")
print(f"check_outputs: a 65,000-wide recipe cooked by every model that can express it (sections says it cannot), cooks {cooks}")

# mapo compare when cells fail (issue 13, class 8): a python3 that exits 3 makes every
# Python cell fail; compare still prints its table, each failed cell saying so, and
# exits 1, not 0.
fake = at("fakebin")
os.mkdir(fake)
with open(os.path.join(fake, "python3"), "w", encoding="utf-8") as f:
    f.write("#!/bin/sh\nexit 3\n")
os.chmod(os.path.join(fake, "python3"), 0o755)
env = dict(os.environ, PATH=fake + os.pathsep + os.environ.get("PATH", ""))
p = subprocess.run([mapo, "compare", "--quick", "--base", "2000000", "--requests", "8",
                    "--latency-ms", "2", "--unit-ms", "1", "--json"], capture_output=True, text=True, timeout=300, env=env)
if p.returncode != 1:
    fail(f"compare with failing cells: exit {p.returncode}, want 1: {p.stderr[-500:]}")
notes = [r["notes"].get("python", "") for r in json.loads(p.stdout)["rows"]]
if not all(n.startswith("failed") for n in notes) or "cells failed" not in p.stderr:
    fail(f"compare with failing cells: notes {notes}, stderr {p.stderr[-300:]!r}")
print("check_outputs: compare with failed cells exits 1, each cell saying it failed")
