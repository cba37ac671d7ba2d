"""check_litter.py - orphans and litter under attack (issue 13, class 4).

usage: python3 check_litter.py MAPO SCRATCH-DIR

Each check is a reproducer of what was left behind before:
- SIGTERM, SIGHUP and SIGINT to `mapo compare` in the middle of its run: it dies of that
  signal, and no process it started (mapo io and its supplier, mpirun and its ranks,
  Python and its pool) outlives it for long, nor any file in its TMPDIR. Its processes
  are found by a marker in their environment, which every descendant inherits;
- SIGINT during `mapo io --model aio`: nothing is left in its --dir (the files have no
  names; 6,015 files, 377 MB were left before);
- SIGKILL to `mapo io` while its supplier starts, 20 times: no `mapo-io-*` folder in its
  TMPDIR (the port comes down a pipe now; 11 of 40 tries left one before);
- a stale `mapo-io-files-PID-XXXXXX` folder of a dead owner is swept by the next aio run;
  one of a live owner is left alone.
"""
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid

from attack_common import aio_refused, wait_for

mapo, scratch = sys.argv[1], sys.argv[2]
shutil.rmtree(scratch, ignore_errors=True)
os.makedirs(scratch)
LIMIT_S = 120


def fail(msg):
    print(f"check_litter: FAIL: {msg}")
    sys.exit(1)


def marked(mark):
    """Live processes whose environment holds the marker: {pid: command line}."""
    found = {}
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/environ", "rb") as f:
                if mark.encode() not in f.read().split(b"\0"):
                    continue
            with open(f"/proc/{pid}/stat") as f:
                if f.read().rsplit(")", 1)[1].split()[0] == "Z":
                    continue
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                found[int(pid)] = f.read().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
    return found


def kill_marked(mark):
    for pid in marked(mark):
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass


def compare_stopped(sig, target):
    """Start mapo compare, wait for a child whose command line holds target, send sig."""
    tmp = os.path.join(scratch, f"tmp-{sig.name}")
    os.makedirs(tmp)
    mark = f"MAPO_ATTACK_MARK={uuid.uuid4().hex}"
    env = dict(os.environ, TMPDIR=tmp, MAPO_ATTACK_MARK=mark.split("=", 1)[1])
    cmd = [mapo, "compare", "--quick", "--base", "2000000", "--requests", "20", "--latency-ms",
           "20", "--unit-ms", "2"]
    p = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                         start_new_session=True)
    try:
        def child_running():
            return any(pid != p.pid and target in line for pid, line in marked(mark).items())
        if not wait_for(child_running, LIMIT_S):
            fail(f"mapo compare: no child running {target!r} within {LIMIT_S} s")
        os.kill(p.pid, sig)
        p.wait(LIMIT_S)
        if p.returncode != -sig:
            fail(f"mapo compare after {sig.name}: exit {p.returncode}, want death by the signal")
        # The children were sent SIGTERM and then SIGKILL before mapo compare died: only
        # the kernel's last steps may be in flight.
        if not wait_for(lambda: not marked(mark), 30):
            fail(f"mapo compare after {sig.name}: left running {marked(mark)}")
        if os.listdir(tmp):
            fail(f"mapo compare after {sig.name}: left in TMPDIR {os.listdir(tmp)}")
    except subprocess.TimeoutExpired:
        fail(f"mapo compare did not end within {LIMIT_S} s of {sig.name}")
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
        kill_marked(mark)
    print(f"check_litter: {sig.name} to mapo compare while it ran {target!r}: it died of "
          f"{sig.name}, nothing of its group left, TMPDIR empty")


def aio_interrupted():
    if AIO_REFUSED:
        print(f"check_litter: skipped aio_interrupted (this build: {AIO_REFUSED})")
        return
    where = os.path.join(scratch, "aio")
    os.makedirs(where)
    cmd = [mapo, "io", "--model", "aio", "--requests", "2000", "--file-kib", "64",
           "--repeat", "1000", "--dir", where]
    for delay in (0.05, 0.5, 2.0):  # while the files are made, and during the runs
        p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        p.send_signal(signal.SIGINT)
        try:
            p.wait(LIMIT_S)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
            fail("mapo io --model aio did not end on SIGINT")
        if os.listdir(where):
            fail(f"SIGINT {delay} s into mapo io --model aio left {os.listdir(where)[:5]}")
    print("check_litter: SIGINT to mapo io --model aio (0.05, 0.5 and 2 s in): its --dir "
          "stays empty")


def killed_while_starting():
    tmp = os.path.join(scratch, "start")
    os.makedirs(tmp)
    env = dict(os.environ, TMPDIR=tmp)
    for i in range(20):
        p = subprocess.Popen([mapo, "io", "--model", "serial", "--requests", "2",
                              "--latency-ms", "1"], env=env, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
        time.sleep(0.001 * i)
        p.kill()
        p.wait()
    left = [n for n in os.listdir(tmp) if n.startswith("mapo-io")]
    if left:
        fail(f"SIGKILL while the supplier starts left {left}")
    print("check_litter: SIGKILL to mapo io while its supplier starts, 20 times: no folder")


def stale_swept():
    if AIO_REFUSED:
        print(f"check_litter: skipped stale_swept (this build: {AIO_REFUSED})")
        return
    where = os.path.join(scratch, "stale")
    os.makedirs(where)
    gone = subprocess.Popen(["true"])
    gone.wait()
    dead = os.path.join(where, f"mapo-io-files-{gone.pid}-aB3xY9")
    live = os.path.join(where, f"mapo-io-files-{os.getpid()}-aB3xY9")
    for d in (dead, live):
        os.makedirs(d)
        open(os.path.join(d, "000000001"), "w").close()
    p = subprocess.run([mapo, "io", "--model", "aio", "--requests", "4", "--repeat", "1",
                        "--dir", where], capture_output=True, text=True, timeout=LIMIT_S)
    if p.returncode != 0:
        fail(f"aio with stale folders: exit {p.returncode}, {p.stderr!r}")
    if os.path.exists(dead):
        fail("a stale folder of a dead owner was not swept")
    if not os.path.exists(os.path.join(live, "000000001")):
        fail("the folder of a live owner was swept")
    print("check_litter: a stale mapo-io-files folder of a dead owner swept, a live one kept")


compare_stopped(signal.SIGHUP, "mpirun")
compare_stopped(signal.SIGTERM, "io-supplier")
compare_stopped(signal.SIGINT, "notebook_sum.py")
AIO_REFUSED = aio_refused(mapo)
aio_interrupted()
killed_while_starting()
stale_swept()
shutil.rmtree(scratch, ignore_errors=True)
print("check_litter: all passed")
