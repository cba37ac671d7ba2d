"""The notebook's CPU-bound example, as the notebook writes it, timed for `mapo compare`.

    python3 notebook_sum.py [--mode serial|threads|processes] [--base 5000000] [--numbers 20]

Prints one JSON object: mode, seconds, and whether every sum equals n(n-1)(2n-1)/6.
"""
import argparse
import json
import sys
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor


def cpu_bound(number: int) -> int:
    return sum(i * i for i in range(number))


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--mode", choices=["serial", "threads", "processes"], default="processes")
    ap.add_argument("--base", type=int, default=5_000_000)
    ap.add_argument("--numbers", type=int, default=20)
    a = ap.parse_args()
    numbers = [a.base + x for x in range(a.numbers)]
    start = time.perf_counter()
    if a.mode == "serial":
        sums = [cpu_bound(n) for n in numbers]
    else:
        pool = ThreadPoolExecutor if a.mode == "threads" else ProcessPoolExecutor
        with pool() as p:
            sums = list(p.map(cpu_bound, numbers))
    seconds = time.perf_counter() - start
    ok = all(s == n * (n - 1) * (2 * n - 1) // 6 for s, n in zip(sums, numbers))
    print(json.dumps({"mode": a.mode, "seconds": seconds, "verified": ok}))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
