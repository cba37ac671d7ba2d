#!/usr/bin/env python3
"""check_io.py - `mapo io`, the I/O-bound benchmark, from the outside: every model against
a live local supplier, the supplier itself, and every bad flag refused.

Runs small workloads (50 orders of 20 ms: a fraction of a second each) and checks that
  - --json prints exactly one object with the contract fields (model, requests, seconds,
    ideal_seconds) and ours (seconds_min/max, per_request_overhead_us,
    connections_before_clock, verified, environment), every order answered right;
  - no run beats its ideal (N x L serial, ceil(N/width) x L threads and poll), and none
    is far above it: serial below 3 x ideal + 0.5 s, the concurrent models below
    ideal + 0.5 s (wide bounds: speed is measured by the command, not asserted here);
  - aio reports the read() yardstick and glibc's helper threads, and has no ideal;
  - no supplier is left behind after a run, after a failed start, or when `mapo io` is
    killed (the supplier exits by itself when its parent dies); a supplier killed in
    the middle of a run fails the run in one line (exit 1), and nothing hangs;
  - the supplier, run by hand, writes its port atomically, answers pipelined orders on
    one connection in order after the latency, drops a connection that breaks the
    protocol, and exits 0 on SIGTERM;
  - every bad flag exits 2 with one line on stderr and nothing on stdout, and a file
    descriptor limit too low for the connections asked for is refused the same way.

usage: python3 check_io.py MAPO-BINARY SOURCE-DIR SCRATCH-DIR
It prints an "ok" line per check and stops with exit 1 at the first failure. Standard
library only.
"""
import json
import math
import os
import resource
import shutil
import signal
import socket
import subprocess
import sys
import time

TIMEOUT_S = 120
SMALL = ["--requests", "50", "--latency-ms", "20", "--repeat", "2"]
CONTRACT = ["model", "requests", "seconds", "ideal_seconds"]
OURS = ["seconds_min", "seconds_max", "seconds_runs", "per_request_overhead_us",
        "connections_before_clock", "before_clock", "verified", "answered", "wrong", "lesson",
        "environment", "ideal"]

mapo = sys.argv[1]
scratch = sys.argv[3] if len(sys.argv) > 3 else "/tmp/mapo-io-scratch"


def fail(msg):
    print("check_io: FAIL: " + msg, file=sys.stderr)
    sys.exit(1)


def ok(msg):
    print("ok " + msg, flush=True)


def suppliers_of(parent):
    """Live `mapo io-supplier` processes started by the process `parent` (zombies, whose
    command line is empty, are gone for our purpose)."""
    found = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open("/proc/%s/cmdline" % pid, "rb") as f:
                argv = f.read().split(b"\0")
        except OSError:
            continue
        if b"io-supplier" in argv and b"--parent-pid" in argv:
            i = argv.index(b"--parent-pid")
            if i + 1 < len(argv) and argv[i + 1] == str(parent).encode():
                found.append(int(pid))
    return found


def run(args, env=None, preexec=None):
    """Run `mapo io ARGS`; return (exit status, stdout, stderr). Checks that no supplier
    of this run is left afterwards."""
    cmd = [mapo, "io"] + args
    p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True, env=env, preexec_fn=preexec)
    try:
        out, err = p.communicate(timeout=TIMEOUT_S)
    except subprocess.TimeoutExpired:
        p.kill()
        p.communicate()
        fail("timed out after %d s: %s" % (TIMEOUT_S, " ".join(cmd)))
    if p.returncode < 0:
        fail("killed by signal %d: %s\nstderr: %s" % (-p.returncode, " ".join(cmd), err))
    left = suppliers_of(p.pid)
    if left:
        fail("%s: supplier(s) %s left running" % (" ".join(cmd), left))
    return p.returncode, out, err


def one_line(text):
    return text.endswith("\n") and "\n" not in text[:-1]


def run_json(args):
    what = "mapo io " + " ".join(args)
    rc, out, err = run(args + ["--json"])
    if rc != 0:
        fail("%s: exit %d, expected 0\nstderr: %s" % (what, rc, err))
    if err:
        fail("%s: stderr not empty: %r" % (what, err))
    if not one_line(out):
        fail("%s: stdout is not exactly one line: %r" % (what, out[:300]))
    try:
        doc = json.loads(out)
    except ValueError as e:
        fail("%s: stdout is not JSON (%s)" % (what, e))
    for k in CONTRACT + OURS:
        if k not in doc:
            fail("%s: no field '%s' in %s" % (what, k, sorted(doc)))
    return doc, what


def is_number(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def check_common(doc, what, model, requests, repeat):
    if doc["model"] != model or doc["requests"] != requests:
        fail("%s: model/requests are %r/%r" % (what, doc["model"], doc["requests"]))
    for k in ("seconds", "seconds_min", "seconds_max", "per_request_overhead_us"):
        if not is_number(doc[k]):
            fail("%s: %s is %r, not a number" % (what, k, doc[k]))
    if not doc["seconds_min"] <= doc["seconds"] <= doc["seconds_max"]:
        fail("%s: median %r outside [min %r, max %r]" %
             (what, doc["seconds"], doc["seconds_min"], doc["seconds_max"]))
    if len(doc["seconds_runs"]) != repeat:
        fail("%s: %d runs reported, expected %d" % (what, len(doc["seconds_runs"]), repeat))
    if doc["connections_before_clock"] is not True:
        fail("%s: connections_before_clock is %r" % (what, doc["connections_before_clock"]))
    if doc["verified"] is not True or doc["wrong"] != 0 or doc["answered"] != requests * repeat:
        fail("%s: verified %r, answered %r of %d, wrong %r" %
             (what, doc["verified"], doc["answered"], requests * repeat, doc["wrong"]))
    if not isinstance(doc["environment"], dict) or "compiler" not in doc["environment"]:
        fail("%s: environment is not the environment object" % what)


def check_network(args, model, requests, latency_ms, rounds, concurrent):
    """A network model: seconds >= its ideal (rounds x L): the supplier answers no order
    before its latency is over, so no run can be faster, on any machine. A concurrent
    model also stays below the middle between its ideal and serial's N x L (at least
    0.5 s above the ideal): one that lost its concurrency pays every latency in turn and
    fails, while a slow or loaded machine would have to add more than 10 ms to each of
    the 50 orders. Serial has no upper bound: only a hang (the time limit) is wrong."""
    doc, what = run_json(args)
    check_common(doc, what, model, requests, 2)
    ideal = rounds * latency_ms / 1000.0
    if not is_number(doc["ideal_seconds"]) or abs(doc["ideal_seconds"] - ideal) > 1e-9:
        fail("%s: ideal_seconds %r, expected %r" % (what, doc["ideal_seconds"], ideal))
    if doc["seconds_min"] < ideal:
        fail("%s: a run took %r s, below the ideal %r s" % (what, doc["seconds_min"], ideal))
    bound = ideal + max(0.5, (requests * latency_ms / 1000.0 - ideal) / 2)
    if concurrent and doc["seconds"] >= bound:
        fail("%s: %r s, not below %r s: the orders did not overlap" %
             (what, doc["seconds"], bound))
    overhead = (doc["seconds"] - ideal) / requests * 1e6
    if abs(doc["per_request_overhead_us"] - overhead) > 1e-3 * max(1.0, abs(overhead)):
        fail("%s: per_request_overhead_us %r, expected %r" %
             (what, doc["per_request_overhead_us"], overhead))
    if doc["latency_ms"] != latency_ms:
        fail("%s: latency_ms %r" % (what, doc["latency_ms"]))
    ok("%s: %.4f s, ideal %.3f s, %.1f us per order above it" %
       (what, doc["seconds"], ideal, doc["per_request_overhead_us"]))
    return doc


def check_models():
    check_network(["--model", "serial"] + SMALL, "serial", 50, 20, 50, False)
    doc = check_network(["--model", "threads"] + SMALL, "threads", 50, 20, 1, True)
    if doc["threads"] != 50 or doc["connections"] != 50:
        fail("threads: default threads %r, connections %r, expected 50" %
             (doc["threads"], doc["connections"]))
    check_network(["--model", "threads", "--threads", "10"] + SMALL, "threads", 50, 20, 5, True)
    doc = check_network(["--model", "poll"] + SMALL, "poll", 50, 20, 1, True)
    if doc["connections"] != 50 or "loop" not in doc:
        fail("poll: connections %r, loop %r" % (doc["connections"], doc.get("loop")))
    check_network(SMALL, "poll", 50, 20, 1, True)  # the default model
    check_network(["--model", "poll", "--connections", "10"] + SMALL, "poll", 50, 20, 5, True)
    check_network(["--model", "poll", "--requests", "50", "--latency-ms", "0", "--repeat", "2"],
                  "poll", 50, 0, 1, True)

    args = ["--model", "aio", "--requests", "50", "--file-kib", "4", "--repeat", "2"]
    if "TSAN_OPTIONS" in os.environ:
        # ThreadSanitizer cannot run glibc's aio (src/async/aio.c): the build says so.
        rc, out, err = run(args + ["--json"])
        if rc != 1 or out or not one_line(err) or "cannot run POSIX aio" not in err:
            fail("aio under ThreadSanitizer: exit %d, stdout %r, stderr %r" % (rc, out, err))
        ok("aio under ThreadSanitizer: refused in one line: %s" % err.strip())
        return
    doc, what = run_json(args)
    check_common(doc, what, "aio", 50, 2)
    if doc["ideal_seconds"] is not None:
        fail("%s: ideal_seconds %r, expected null (aio's yardstick is read())" %
             (what, doc["ideal_seconds"]))
    for k in ("read_seconds", "read_seconds_min", "read_seconds_max", "above_read_seconds"):
        if not is_number(doc.get(k)):
            fail("%s: %s is %r" % (what, k, doc.get(k)))
    for k in ("aio_notify_threads", "aio_peak_threads"):
        if not isinstance(doc.get(k), int) or doc[k] < 1:
            fail("%s: %s is %r, expected at least one helper thread" % (what, k, doc.get(k)))
    if doc["file_kib"] != 4 or doc["files"] != 50 or not doc["seconds"] > 0:
        fail("%s: %r" % (what, doc))
    ok("%s: aio %.5f s, read() %.5f s, %d notifying threads, peak %d threads" %
       (what, doc["seconds"], doc["read_seconds"], doc["aio_notify_threads"],
        doc["aio_peak_threads"]))
    args = args[:-2] + ["--repeat", "1", "--dir", scratch]
    run_json(args)
    left = [n for n in os.listdir(scratch) if n.startswith("mapo-io")]
    if left:
        fail("aio --dir: temporary files left behind: %s" % left)
    ok("aio --dir %s: the files are made there and removed" % scratch)


def check_text():
    rc, out, err = run(["--model", "poll", "--requests", "20", "--latency-ms", "10"])
    if rc != 0 or err or "verified" not in out or "ideal" not in out:
        fail("text report: exit %d, stderr %r, stdout %r" % (rc, err, out[:500]))
    ok("mapo io (text): exit 0, a report with its ideal and verification")


def check_hidden():
    p = subprocess.run([mapo, "--help"], capture_output=True, text=True, timeout=TIMEOUT_S)
    if p.returncode != 0 or "io-supplier" in p.stdout or " io " not in p.stdout:
        fail("mapo --help: io must be listed and io-supplier must not: %r" % p.stdout)
    p = subprocess.run([mapo, "io-supplier"], capture_output=True, text=True, timeout=TIMEOUT_S)
    if p.returncode != 2 or p.stdout or not one_line(p.stderr):
        fail("mapo io-supplier with no --port-file: exit %d, %r" % (p.returncode, p.stderr))
    ok("io-supplier is hidden from mapo --help, and checks its flags")


def new_net_namespace():
    """In the child before exec: a network namespace of its own, whose loopback is down,
    so that the supplier cannot listen on 127.0.0.1 (it goes when the child exits)."""
    import ctypes
    if ctypes.CDLL(None, use_errno=True).unshare(0x40000000) != 0:  # CLONE_NEWNET
        os._exit(77)


def check_start_failure():
    # The supplier tells its port through a pipe, so $TMPDIR cannot stop it any more; a
    # network namespace whose loopback is down can (root only).
    if os.geteuid() != 0:
        ok("a supplier that cannot start: skipped (a network namespace needs root)")
        return
    rc, out, err = run(["--model", "serial", "--requests", "2", "--latency-ms", "1"],
                       preexec=new_net_namespace)
    if rc == 77:
        ok("a supplier that cannot start: skipped (no network namespace here)")
        return
    if rc != 1 or out or not one_line(err) or "supplier" not in err:
        fail("a supplier that cannot start: exit %d, stdout %r, stderr %r" % (rc, out, err))
    ok("a supplier that cannot start: exit 1, one line: %s" % err.strip())


def wait_for(cond, seconds):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if cond():
            return True
        time.sleep(0.01)
    return cond()


def check_parent_killed():
    p = subprocess.Popen([mapo, "io", "--model", "serial", "--requests", "200", "--latency-ms",
                          "50"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        if not wait_for(lambda: suppliers_of(p.pid), 20):
            fail("mapo io --model serial: no supplier seen")
        sup = suppliers_of(p.pid)
        time.sleep(0.2)  # in the middle of the run
        p.kill()
        p.wait()
        if not wait_for(lambda: not suppliers_of(p.pid), 5):
            fail("mapo io killed: its supplier %s is still running" % sup)
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
    ok("mapo io killed with SIGKILL: its supplier %s exited by itself" % sup)


def check_supplier_killed():
    """A supplier that dies in the middle of a run: the client sees the connections
    close and fails in one line (exit 1), whatever the model; it does not hang."""
    for model in ("serial", "threads", "poll"):
        # A run long enough to be killed in the middle: over the time limit (serial:
        # 1000 s), so it insists.
        cmd = [mapo, "io", "--model", model, "--requests", "20", "--latency-ms", "50",
               "--repeat", "1000", "--insist"]
        p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
        try:
            if not wait_for(lambda: suppliers_of(p.pid), 20):
                fail("%s: no supplier seen" % " ".join(cmd))
            time.sleep(0.3)
            for pid in suppliers_of(p.pid):
                os.kill(pid, signal.SIGKILL)
            out, err = p.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            fail("%s: still running 30 s after its supplier was killed" % " ".join(cmd))
        finally:
            if p.poll() is None:
                p.kill()
                p.wait()
        if p.returncode != 1 or not one_line(err):
            fail("%s, supplier killed: exit %d, stderr %r" % (" ".join(cmd), p.returncode, err))
        ok("--model %s, its supplier killed mid-run: exit 1: %s" % (model, err.strip()))


def check_supplier_by_hand():
    port_file = os.path.join(scratch, "port")
    if os.path.exists(port_file):
        os.unlink(port_file)
    sp = subprocess.Popen([mapo, "io-supplier", "--port-file", port_file, "--latency-ms", "30",
                           "--parent-pid", str(os.getpid())],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        if not wait_for(lambda: os.path.exists(port_file), 10):
            fail("io-supplier: no port file after 10 s")
        with open(port_file) as f:
            port = int(f.read())
        tmp = [n for n in os.listdir(scratch) if n.startswith("port.tmp")]
        if tmp:
            fail("io-supplier: temporary port files left: %s" % tmp)
        # Three orders on one connection, pipelined, the second cut in two.
        orders = b"".join(b"order %09d\n" % n for n in (7, 8, 9))
        c = socket.create_connection(("127.0.0.1", port), timeout=10)
        t0 = time.monotonic()
        c.sendall(orders[:20])
        time.sleep(0.005)
        c.sendall(orders[20:])
        got = b""
        while len(got) < 48:
            chunk = c.recv(48 - len(got))
            if not chunk:
                fail("io-supplier closed a good connection")
            got += chunk
        dt = time.monotonic() - t0
        want = b"".join(b"ready %09d\n" % n for n in (7, 8, 9))
        if got != want:
            fail("io-supplier answered %r, expected %r" % (got, want))
        if dt < 0.030:
            fail("io-supplier answered after %.4f s, before its latency of 0.030 s" % dt)
        # The same connection again: keep-alive.
        c.sendall(b"order 000000042\n")
        got = c.recv(16)
        if got != b"ready 000000042\n":
            fail("io-supplier, second order on the connection: %r" % got)
        # A broken order ends the connection (and only it).
        bad = socket.create_connection(("127.0.0.1", port), timeout=10)
        bad.sendall(b"give me tofu!!!\n")
        if bad.recv(16) != b"":
            fail("io-supplier kept a connection that broke the protocol")
        bad.close()
        c.sendall(b"order 000000043\n")
        if c.recv(16) != b"ready 000000043\n":
            fail("io-supplier: a broken client disturbed another connection")
        c.close()
        sp.send_signal(signal.SIGTERM)
        out, err = sp.communicate(timeout=10)
        if sp.returncode != 0 or out or err:
            fail("io-supplier after SIGTERM: exit %r, stdout %r, stderr %r" %
                 (sp.returncode, out, err))
    finally:
        if sp.poll() is None:
            sp.kill()
            sp.wait()
    ok("io-supplier by hand: port written atomically, pipelined orders answered in order "
       "after %.1f ms, keep-alive, a broken client dropped, exit 0 on SIGTERM" % (dt * 1e3))
    # A parent that is not ours: the supplier refuses to start.
    p = subprocess.run([mapo, "io-supplier", "--port-file", port_file + "2", "--parent-pid", "1"],
                       capture_output=True, text=True, timeout=TIMEOUT_S)
    if os.getppid() != 1 and (p.returncode != 1 or not one_line(p.stderr)):
        fail("io-supplier --parent-pid 1: exit %d, %r" % (p.returncode, p.stderr))
    ok("io-supplier --parent-pid of a process that is not its parent: exit 1")


BAD = [
    ["--model", "fax"],
    ["--requests", "0"],
    ["--requests", "-5"],
    ["--requests", "ten"],
    ["--requests", "1000001"],
    ["--requests"],
    ["--latency-ms", "-1"],
    ["--latency-ms", "10001"],
    ["--latency-ms", "1.5"],
    ["--repeat", "0"],
    ["--repeat", "1001"],
    ["--threads", "0", "--model", "threads"],
    ["--threads", "4097", "--model", "threads"],
    ["--threads", "8"],                                   # poll, the default model
    ["--threads", "8", "--model", "serial"],
    ["--threads", "100", "--requests", "50", "--model", "threads"],
    ["--connections", "0"],
    ["--connections", "10001"],
    ["--connections", "100", "--requests", "50"],
    ["--connections", "5", "--model", "threads"],
    ["--file-kib", "4"],
    ["--file-kib", "0", "--model", "aio"],
    ["--file-kib", "16385", "--model", "aio"],
    ["--model", "aio", "--requests", "2000", "--file-kib", "1024"],   # 2000 MiB in all
    ["--model", "aio", "--latency-ms", "10"],
    ["--model", "aio", "--dir", "/no/such/folder"],
    ["--dir", "/tmp"],
    ["--json=yes"],
    ["--json", "--json"],
    ["--bogus"],
    ["-x"],
    ["extra"],
]


def check_bad():
    for args in BAD:
        rc, out, err = run(args)
        if rc != 2 or out or not one_line(err) or not err.startswith("mapo io"):
            fail("mapo io %s: exit %d (expected 2), stdout %r, stderr %r" %
                 (" ".join(args), rc, out, err))
    ok("%d bad flags: exit 2, one line on stderr, nothing on stdout" % len(BAD))

    # Too few file descriptors for the connections asked for: refused, not a crash.
    def low_limit():
        resource.setrlimit(resource.RLIMIT_NOFILE, (256, 256))

    rc, out, err = run(["--model", "poll", "--requests", "1000"], preexec=low_limit)
    if rc != 2 or out or not one_line(err) or "descriptors" not in err:
        fail("1000 connections under ulimit -n 256: exit %d, stdout %r, stderr %r" % (rc, out, err))
    ok("1000 connections with 256 descriptors: refused: %s" % err.strip())


def main():
    shutil.rmtree(scratch, ignore_errors=True)
    os.makedirs(scratch)
    check_hidden()
    check_bad()
    check_models()
    check_text()
    check_start_failure()
    check_parent_killed()
    check_supplier_killed()
    check_supplier_by_hand()
    shutil.rmtree(scratch, ignore_errors=True)
    print("check_io: all passed")


if __name__ == "__main__":
    main()
