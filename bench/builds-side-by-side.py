#!/usr/bin/env python3
"""builds-side-by-side.py - two builds of mapo, measured alternately: is a change free?

usage: bench/builds-side-by-side.py OLD_DIR NEW_DIR [ROUNDS, default 7]

OLD_DIR and NEW_DIR each hold a `mapo` and (optionally) a `mapo-mpi`. Every round runs
each figure once with the old build and once with the new, alternating which goes first,
so that drift on a shared machine (a process now and then runs 2-3x slower throughout)
hits both alike; the table gives the median over rounds and new/old. The figures are the
ones the lessons quote:
  cook dispatch    mapo cook --model tasks --unit-ms 10 --repeat 5: median dispatch, ms
  cook per step    mapo cook --model tasks-counted --unit-ms 0 on 10,000 generated steps
  async per step   mapo cook --model async --unit-ms 0 on 10,000 generated steps
  sum serial       mapo sum --model serial: median of 5 runs, ms
  sum reduction    mapo sum --model reduction --threads 2 --base 50000000: median, ms
  io poll          mapo io --model poll --requests 1000 --latency-ms 50: above ideal, ms
  pingpong 0 B     mpirun -n 2 mapo-mpi pingpong: latency at 0 bytes, us
  pingpong 1 MiB   mpirun -n 2 mapo-mpi pingpong: bandwidth at 1 MiB, MB/s
Run it on a quiet machine; it takes about 20 s a round.
"""
import json
import os
import statistics
import subprocess
import sys
import tempfile

ENV = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
           OMPI_MCA_rmaps_base_oversubscribe="1")


def run_json(argv):
    p = subprocess.run(argv, capture_output=True, text=True, env=ENV, timeout=600)
    if p.returncode != 0:
        sys.exit(f"builds-side-by-side: {' '.join(argv)}: exit {p.returncode}\n{p.stderr}")
    return json.loads(p.stdout)


def pingpong_row(d, size):
    return next(r for r in run_json(["mpirun", "-n", "2", f"{d}/mapo-mpi", "pingpong",
                                     "--max-bytes", str(size), "--json"])["rows"]
                if r["bytes"] == size)


def figures(recipe):
    return {
        "cook dispatch (ms)": lambda d: run_json(
            [f"{d}/mapo", "cook", "--model", "tasks", "--unit-ms", "10", "--repeat", "5",
             "--json"])["spread"]["dispatch_ms"]["median"],
        "cook per step tasks-counted (us)": lambda d: run_json(
            [f"{d}/mapo", "cook", "--model", "tasks-counted", "--unit-ms", "0", "--cooks",
             "2", "--recipe", recipe, "--repeat", "5", "--json"])["us_per_step"],
        "async per step (us)": lambda d: run_json(
            [f"{d}/mapo", "cook", "--model", "async", "--unit-ms", "0", "--recipe", recipe,
             "--repeat", "5", "--json"])["us_per_step"],
        "sum serial (ms)": lambda d: 1e3 * run_json(
            [f"{d}/mapo", "sum", "--model", "serial", "--json"])["seconds_median"],
        "sum reduction 2 threads, 5e7 (ms)": lambda d: 1e3 * run_json(
            [f"{d}/mapo", "sum", "--model", "reduction", "--threads", "2", "--base",
             "50000000", "--json"])["seconds_median"],
        "io poll above ideal (ms)": lambda d: 1e3 * run_json(
            [f"{d}/mapo", "io", "--model", "poll", "--requests", "1000", "--latency-ms", "50",
             "--json"])["above_ideal_seconds"],
        "pingpong 0 B (us)": lambda d: pingpong_row(d, 0)["usec"],
        "pingpong 1 MiB (MB/s)": lambda d: pingpong_row(d, 1048576)["mbytes_per_sec"],
    }


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    old, new = sys.argv[1], sys.argv[2]
    rounds = int(sys.argv[3]) if len(sys.argv) > 3 else 7
    with tempfile.TemporaryDirectory() as tmp:
        recipe = os.path.join(tmp, "g10000.recipe")
        with open(recipe, "w", encoding="utf-8") as f:
            subprocess.run([f"{new}/mapo", "recipe", "generate", "--steps", "10000", "--seed",
                            "1"], stdout=f, check=True)
        todo = figures(recipe)
        have_mpi = all(os.path.exists(f"{d}/mapo-mpi") for d in (old, new))
        got = {name: {old: [], new: []} for name in todo}
        for r in range(rounds):
            order = (old, new) if r % 2 == 0 else (new, old)
            for name, fn in todo.items():
                if name.startswith("pingpong") and not have_mpi:
                    continue
                for d in order:
                    got[name][d].append(fn(d))
    print(f"{'figure':36} {'old':>10} {'new':>10} {'new/old':>8}   (medians of {rounds} rounds)")
    for name, by in got.items():
        if not by[old]:
            continue
        a, b = statistics.median(by[old]), statistics.median(by[new])
        print(f"{name:36} {a:10.4g} {b:10.4g} {b / a if a else float('nan'):8.3f}")


if __name__ == "__main__":
    main()
