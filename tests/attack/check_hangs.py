"""check_hangs.py - waits on another process under attack (issue 13, class 3, and the
supplier's limits from classes 9 and 10).

usage: python3 check_hangs.py MAPO SCRATCH-DIR

Each check is a reproducer of what hung or grew before:
- a supplier that stops answering (SIGSTOP) mid-run: each of the serial, threads and poll
  clients exits 1 with one line naming the order that did not come, within its latency
  plus --grace-ms (here 500 ms), and leaves no supplier behind;
- `mapo io --model aio` under a low RLIMIT_NPROC as an unprivileged user (root drops to
  nobody with setpriv and prlimit; skipped otherwise): glibc drops aio completions it
  cannot start a thread for, and the run exits 1 with one line instead of waiting in
  ppoll() forever;
- a client that floods the supplier with orders and reads no answer: the supplier stops
  reading it, and its VmRSS stays far below what the flood would have cost (1.2 GB in
  3 s before);
- a TMPDIR of 600+ characters: the network models run (the port comes down a pipe; no
  path in a 512-byte buffer any more), and so does aio.
Timeouts are generous (the test never asserts a speed): "never hangs" is "ends within
60 s", where the bug waited forever.
"""
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

from attack_common import aio_refused, reachable_env, wait_for

mapo, scratch = sys.argv[1], sys.argv[2]
shutil.rmtree(scratch, ignore_errors=True)
os.makedirs(scratch)
LIMIT_S = 60


def fail(msg):
    print(f"check_hangs: FAIL: {msg}")
    sys.exit(1)


def one_line(text):
    return text.endswith("\n") and "\n" not in text[:-1]


def children_of(pid):
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return [int(p) for p in f.read().split()]
    except OSError:
        return []


def alive(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def stopped_supplier(model):
    cmd = [mapo, "io", "--model", model, "--requests", "20", "--latency-ms", "10",
           "--grace-ms", "500", "--repeat", "1000"]
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    supplier = []
    try:
        if not wait_for(lambda: children_of(p.pid), LIMIT_S):
            fail(f"{model}: no supplier started")
        supplier = children_of(p.pid)
        time.sleep(0.3)  # in the middle of the runs
        for s in supplier:
            os.kill(s, signal.SIGSTOP)
        _, err = p.communicate(timeout=LIMIT_S)
    except subprocess.TimeoutExpired:
        p.kill()
        p.communicate()
        fail(f"{model}: still waiting {LIMIT_S} s after its supplier stopped answering")
    finally:
        for s in supplier:
            if alive(s):
                os.kill(s, signal.SIGKILL)
    if p.returncode != 1 or not one_line(err) or "did not answer" not in err:
        fail(f"{model}, supplier stopped: exit {p.returncode}, stderr {err!r}")
    if any(alive(s) for s in supplier):
        fail(f"{model}: its stopped supplier was left behind")
    print(f"check_hangs: {model}, supplier stopped: exit 1: {err.strip()}")


def aio_few_threads():
    if AIO_REFUSED:
        print(f"check_hangs: skipped aio_few_threads (this build: {AIO_REFUSED})")
        return
    if os.geteuid() != 0:
        print("check_hangs: skipped aio under a low RLIMIT_NPROC (needs root to become nobody)")
        return
    if not shutil.which("setpriv") or not shutil.which("prlimit"):
        print("check_hangs: skipped aio under a low RLIMIT_NPROC (no setpriv or prlimit)")
        return
    # nobody must reach the binary and the folder: a build tree under a private folder
    # (mktemp -d is 0700) is out of its reach, so both go to a folder of their own in
    # /tmp, open to all, that this check removes.
    home = tempfile.mkdtemp(prefix="mapo-nobody-", dir="/tmp")
    try:
        aio_as_nobody(home)
    finally:
        shutil.rmtree(home, ignore_errors=True)


def aio_as_nobody(home):
    os.chmod(home, 0o755)
    binary = os.path.join(home, "mapo")
    shutil.copy2(mapo, binary)
    os.chmod(binary, 0o755)
    where = os.path.join(home, "nobody")
    os.makedirs(where)
    os.chmod(where, 0o777)
    # RLIMIT_NPROC counts the user's threads: the loop's thread and glibc's one helper
    # leave none for the thread each completion needs. Root is exempt: hence nobody.
    cmd = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "prlimit",
           "--nproc=2:2", binary, "io", "--model", "aio", "--requests", "200", "--file-kib", "4",
           "--grace-ms", "1000", "--repeat", "2", "--dir", where]
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=LIMIT_S,
                           env=reachable_env(os.environ, home))
    except subprocess.TimeoutExpired:
        fail(f"aio under RLIMIT_NPROC 2: still waiting after {LIMIT_S} s (glibc dropped "
             "completions and the loop waits for them)")
    if p.returncode != 1 or not one_line(p.stderr) or "ulimit -u" not in p.stderr:
        fail(f"aio under RLIMIT_NPROC 2: exit {p.returncode}, stderr {p.stderr!r}")
    if os.listdir(where):
        fail(f"aio under RLIMIT_NPROC 2 left {os.listdir(where)}")
    print(f"check_hangs: aio as nobody, RLIMIT_NPROC 2: exit 1: {p.stderr.strip()}")


def vm_rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def flood():
    port_file = os.path.join(scratch, "port")
    sp = subprocess.Popen([mapo, "io-supplier", "--port-file", port_file, "--latency-ms",
                           "10000", "--parent-pid", str(os.getpid())],
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    conns = []
    try:
        if not wait_for(lambda: os.path.exists(port_file), LIMIT_S):
            fail("io-supplier: no port file")
        port = int(open(port_file).read())
        before = vm_rss_kib(sp.pid)
        orders = b"".join(b"order %09d\n" % (i % 1000000) for i in range(65536))  # 1 MiB
        sent = 0
        end = time.monotonic() + 3
        conns = [socket.create_connection(("127.0.0.1", port), timeout=10) for _ in range(8)]
        for c in conns:
            c.setblocking(False)
        while time.monotonic() < end:
            moved = 0
            for c in conns:
                try:
                    n = c.send(orders)
                    sent += n
                    moved += n
                except BlockingIOError:
                    pass
            if not moved:
                time.sleep(0.01)  # every socket full: the supplier stopped reading
        after = vm_rss_kib(sp.pid)
        if sp.poll() is not None:
            fail(f"io-supplier died under the flood: {sp.returncode}")
    finally:
        for c in conns:
            c.close()
        sp.terminate()
        sp.wait(LIMIT_S)
    # 8 connections x 1024 orders x about 48 bytes: a few hundred KiB. The bound is
    # loose on purpose (a sanitizer's allocator holds more); before, the heap grew
    # with every order sent.
    if after - before > 64 * 1024:
        fail(f"io-supplier grew from {before} to {after} KiB under a flood of "
             f"{sent // 16} orders")
    if sent // 16 < 8 * 1024:
        fail(f"the flood sent only {sent // 16} orders: it did not reach the limit")
    print(f"check_hangs: a flood of {sent // 16} orders on 8 connections: the supplier's "
          f"VmRSS {before} -> {after} KiB (it stops reading past 1024 orders a connection)")


def long_tmpdir():
    deep = scratch
    while len(deep) < 620:
        deep = os.path.join(deep, "d" * 100)
    os.makedirs(deep)
    env = dict(os.environ, TMPDIR=deep)
    for model in ("serial", "threads", "poll") + (() if AIO_REFUSED else ("aio",)):
        args = [mapo, "io", "--model", model, "--requests", "4", "--repeat", "1"]
        if model != "aio":
            args += ["--latency-ms", "1"]
        p = subprocess.run(args, capture_output=True, text=True, timeout=LIMIT_S, env=env)
        if p.returncode != 0 or p.stderr:
            fail(f"{model} with a TMPDIR of {len(deep)} characters: exit {p.returncode}, "
                 f"stderr {p.stderr!r}")
    if os.listdir(deep):
        fail(f"files left in the long TMPDIR: {os.listdir(deep)}")
    print(f"check_hangs: a TMPDIR of {len(deep)} characters: every model runs, nothing left")


for model in ("serial", "threads", "poll"):
    stopped_supplier(model)
AIO_REFUSED = aio_refused(mapo)
aio_few_threads()
flood()
long_tmpdir()
shutil.rmtree(scratch, ignore_errors=True)
print("check_hangs: all passed")
