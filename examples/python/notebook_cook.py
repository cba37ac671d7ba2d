"""The notebook's cooking, threads and asyncio, timed for `mapo compare`.

    python3 notebook_cook.py [--mode serial|threads|asyncio] [--unit 0.02]

The steps and their durations are the notebook's (wash 2, boil 5; blend 2, fry 5; fry
meat 5, mix tofu 2; then mix oil and meat 2), a unit being --unit seconds. Prints one
JSON object: mode, seconds, makespan in units, rice temperature.
"""
import argparse
import asyncio
import json
import sys
import time
from concurrent.futures import ThreadPoolExecutor

U = 0.02


def chain(a, b):
    time.sleep(a * U)
    time.sleep(b * U)
    return time.perf_counter()


async def chain_async(a, b):
    await asyncio.sleep(a * U)
    await asyncio.sleep(b * U)
    return time.perf_counter()


def main() -> int:
    global U
    ap = argparse.ArgumentParser()
    ap.add_argument("--mode", choices=["serial", "threads", "asyncio"], default="asyncio")
    ap.add_argument("--unit", type=float, default=0.02)
    a = ap.parse_args()
    U = a.unit
    start = time.perf_counter()
    if a.mode == "serial":
        rice = chain(2, 5)
        chain(2, 5)
        chain(5, 2)
        time.sleep(2 * U)
    elif a.mode == "threads":
        with ThreadPoolExecutor() as pool:
            futures = [pool.submit(chain, 2, 5), pool.submit(chain, 2, 5), pool.submit(chain, 5, 2)]
            rice = futures[0].result()
            [f.result() for f in futures]
        time.sleep(2 * U)
    else:
        async def cook():
            r = await asyncio.gather(chain_async(2, 5), chain_async(2, 5), chain_async(5, 2))
            await asyncio.sleep(2 * U)
            return r[0]
        rice = asyncio.run(cook())
    now = time.perf_counter()
    print(json.dumps({"mode": a.mode, "seconds": now - start, "makespan_units": (now - start) / U,
                      "rice_temperature": 80 - 2 * (now - rice) / U}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
