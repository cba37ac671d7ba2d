"""The notebook's rule for I/O-bound work (async or threads), in Python, for `mapo compare`.

    python3 notebook_io.py --mapo PATH [--mode asyncio|threads] [--requests 100] [--latency-ms 20]

Starts mapo's supplier (`mapo io-supplier`) on 127.0.0.1, opens one connection per
order before the clock starts (as mapo io does: a client with keep-alive), then places
every order at once and waits for the answers. Prints one JSON object: mode, requests,
seconds, ideal_seconds.
"""
import argparse
import asyncio
import json
import os
import select
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

MSG = 16  # "order NNNNNNNNN\n" and "ready NNNNNNNNN\n"


def start_supplier(mapo, latency_ms):
    # The port comes down a pipe the supplier inherits (--port-fd), as `mapo io` does:
    # no temporary folder to make, or to leave behind when this script is killed.
    r, w = os.pipe()
    p = subprocess.Popen([mapo, "io-supplier", "--port-fd", str(w), "--latency-ms", str(latency_ms),
                          "--parent-pid", str(os.getpid())], pass_fds=(w,))
    os.close(w)
    with os.fdopen(r) as f:
        ready, _, _ = select.select([f], [], [], 10)
        text = f.readline().strip() if ready else ""
    if text.isdigit():
        return p, int(text)
    p.kill()
    p.wait()
    raise SystemExit("notebook_io: the supplier did not start")


def order(i):
    return f"order {i:09d}\n".encode()


async def run_asyncio(port, n):
    conns = [await asyncio.open_connection("127.0.0.1", port) for _ in range(n)]

    async def one(i, reader, writer):
        writer.write(order(i))
        await writer.drain()
        answer = await reader.readexactly(MSG)
        return answer == f"ready {i:09d}\n".encode()

    start = time.perf_counter()
    ok = await asyncio.gather(*(one(i, r, w) for i, (r, w) in enumerate(conns)))
    seconds = time.perf_counter() - start
    for _, w in conns:
        w.close()
    return seconds, all(ok)


def run_threads(port, n):
    socks = [socket.create_connection(("127.0.0.1", port)) for _ in range(n)]
    for s in socks:
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def one(i):
        s = socks[i]
        s.sendall(order(i))
        got = b""
        while len(got) < MSG:
            chunk = s.recv(MSG - len(got))
            if not chunk:
                return False
            got += chunk
        return got == f"ready {i:09d}\n".encode()

    with ThreadPoolExecutor(max_workers=min(n, 256)) as pool:
        start = time.perf_counter()
        ok = list(pool.map(one, range(n)))
        seconds = time.perf_counter() - start
    for s in socks:
        s.close()
    return seconds, all(ok)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mapo", required=True)
    ap.add_argument("--mode", choices=["asyncio", "threads"], default="asyncio")
    ap.add_argument("--requests", type=int, default=100)
    ap.add_argument("--latency-ms", type=int, default=20)
    a = ap.parse_args()
    supplier, port = start_supplier(a.mapo, a.latency_ms)
    try:
        if a.mode == "asyncio":
            seconds, ok = asyncio.run(run_asyncio(port, a.requests))
        else:
            seconds, ok = run_threads(port, a.requests)
    finally:
        supplier.terminate()
        supplier.wait()
    print(json.dumps({"mode": a.mode, "requests": a.requests, "seconds": seconds,
                      "ideal_seconds": a.latency_ms / 1000, "verified": ok}))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
