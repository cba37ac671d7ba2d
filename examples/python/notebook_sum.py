"""The notebook's CPU-bound example, as the notebook writes it, timed for `mapo compare`.

    python3 notebook_sum.py [--mode serial|threads|processes] [--base 5000000] [--numbers 20]
                            [--repeat 1]

Prints one JSON object: mode, seconds (the median of --repeat runs, each with a pool of
its own, as the notebook starts one), seconds_median, seconds_min and seconds_max, and
whether every sum equals n(n-1)(2n-1)/6.

The GIL lesson (mapo compare's CPU-bound Python row): threads take as long as serial or
longer, since one thread at a time runs Python; processes, each with its own GIL, less.
"""
import argparse
import json
import statistics
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
    ap.add_argument("--repeat", type=int, default=1)
    a = ap.parse_args()
    numbers = [a.base + x for x in range(a.numbers)]
    times, ok = [], True
    for _ in range(max(1, a.repeat)):
        start = time.perf_counter()
        if a.mode == "serial":
            sums = [cpu_bound(n) for n in numbers]
        else:
            pool = ThreadPoolExecutor if a.mode == "threads" else ProcessPoolExecutor
            with pool() as p:
                sums = list(p.map(cpu_bound, numbers))
        times.append(time.perf_counter() - start)
        ok = ok and all(s == n * (n - 1) * (2 * n - 1) // 6 for s, n in zip(sums, numbers))
    median = statistics.median(times)
    print(json.dumps({"mode": a.mode, "seconds": median, "seconds_median": median,
                      "seconds_min": min(times), "seconds_max": max(times), "runs": len(times),
                      "verified": ok}))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
