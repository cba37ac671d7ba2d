#!/usr/bin/env python3
"""Submit one of slurm/*.sbatch to the test Slurm (tests/slurm/slurm.sh) and check it.

  check_job.py SLURM_SH SCRIPT RESULTS [--expect-error TEXT] [SBATCH ARGS] [-- SCRIPT ARGS]
  check_job.py SLURM_SH SCRIPT --test-only [SBATCH ARGS]

A normal run must exit 0 and leave RESULTS/JOBNAME-JOBID holding environment.txt and
JSON that parses, says "verified": true wherever it has that field, and matches the
job's shape (ranks, threads). With --expect-error the job must fail within 30 s and
its output must name TEXT. --test-only: `sbatch --test-only` must accept the script.
Exit 77 (skipped) when slurm.sh skips: Slurm is not installed.
"""
import glob
import json
import os
import shutil
import subprocess
import sys
import time

SKIP = 77


def fail(msg):
    print(f"check_job: FAIL: {msg}", file=sys.stderr)
    sys.exit(1)


def environment(folder):
    env = {}
    with open(os.path.join(folder, "environment.txt")) as f:
        for line in f:
            key, _, value = line.rstrip("\n").partition("=")
            env[key] = value
    for key in ("MAPO_HOST", "MAPO_VERSION", "SLURM_JOB_ID"):
        if not env.get(key):
            fail(f"environment.txt has no {key}")
    if not env["MAPO_VERSION"].startswith("mapo"):
        fail(f"MAPO_VERSION is {env['MAPO_VERSION']!r}")
    return env


def load(folder, name):
    path = os.path.join(folder, name)
    if not os.path.exists(path):
        fail(f"{path} missing")
    with open(path) as f:
        try:
            return json.load(f)
        except ValueError as e:
            fail(f"{path} is not JSON: {e}")


def check_sum(doc, ranks, threads, where):
    if doc.get("verified") is not True:
        fail(f"{where}: not verified")
    if doc.get("ranks") != ranks or doc.get("threads") != threads:
        fail(f"{where}: ranks {doc.get('ranks')} threads {doc.get('threads')}, "
             f"expected {ranks} and {threads}")


def check_results(folder):
    env = environment(folder)
    job = env["SLURM_JOB_NAME"]
    ntasks = int(env.get("SLURM_NTASKS", "1"))
    for path in glob.glob(os.path.join(folder, "*.json")):  # every file parses
        doc = load(folder, os.path.basename(path))
        if "verified" in doc and doc["verified"] is not True:
            fail(f"{path}: not verified")
    if job == "mapo-mpi-cook":
        doc = load(folder, "cook.json")
        if doc["cooks"] != ntasks - 1 or doc["bound_units"] != 9:
            fail(f"cook: {doc['cooks']} cooks, bound {doc['bound_units']}")
        if not 9 <= doc["makespan_units"] < 12 or doc["rice_temperature"] is None:
            fail(f"cook: makespan {doc['makespan_units']} units, rice {doc['rice_temperature']}")
    elif job == "mapo-openmp-scale":
        doc = load(folder, "scale.json")
        cpus = int(env["SLURM_CPUS_PER_TASK"])
        counts = [p["threads"] for p in doc["points"]]
        if counts != list(range(1, cpus + 1)):
            fail(f"scale: thread counts {counts}, expected 1..{cpus}")
        for name in ("scale.csv", "scale.svg"):
            if not os.path.getsize(os.path.join(folder, name)):
                fail(f"scale: {name} empty")
    elif job == "mapo-hybrid-sum":
        cpus = int(env["SLURM_CPUS_PER_TASK"])
        if env.get("SRUN_CPUS_PER_TASK", str(cpus)) != str(cpus) or env.get("OMP_NUM_THREADS") != str(cpus):
            fail("hybrid: OMP_NUM_THREADS is not --cpus-per-task")
        check_sum(load(folder, "sum.json"), ntasks, cpus, "hybrid sum.json")
    elif job == "mapo-pingpong-node":
        doc = load(folder, "pingpong.json")
        if doc["ranks"] != 2 or not doc["rows"] or any(r["usec"] <= 0 for r in doc["rows"]):
            fail(f"pingpong: {doc}")
    elif job == "mapo-sum-ranks":
        for k in range(1, ntasks + 1):
            check_sum(load(folder, f"sum-{k}.json"), k, 1, f"sum-{k}.json")
    else:
        fail(f"no check for job {job}")
    print(f"check_job: {folder}: results checked")


def main():
    if len(sys.argv) < 4:
        fail(__doc__)
    slurm_sh, script = sys.argv[1], sys.argv[2]
    if sys.argv[3] == "--test-only":
        run = subprocess.run([slurm_sh, "test-only", script] + sys.argv[4:],
                             stderr=subprocess.STDOUT, stdout=subprocess.PIPE, text=True)
        print(run.stdout, end="")
        if run.returncode == SKIP:
            sys.exit(SKIP)
        if run.returncode != 0 or "to start at" not in run.stdout:
            fail(f"sbatch --test-only refused {script}")
        return
    results, rest = sys.argv[3], sys.argv[4:]
    expect = None
    if rest[:1] == ["--expect-error"]:
        expect, rest = rest[1], rest[2:]
    shutil.rmtree(results, ignore_errors=True)
    os.makedirs(results)
    env = dict(os.environ, MAPO_RESULTS=results)
    start = time.monotonic()
    run = subprocess.run([slurm_sh, "submit", script] + rest, env=env, cwd=results,
                         stderr=subprocess.PIPE, text=True)
    seconds = time.monotonic() - start
    print(run.stderr, end="", file=sys.stderr)
    if run.returncode == SKIP:
        sys.exit(SKIP)
    if expect is not None:
        if run.returncode == 0:
            fail("the misconfigured job succeeded")
        if expect not in run.stderr:
            fail(f"the job's output does not say {expect!r}")
        if seconds > 30:
            fail(f"the misconfigured job took {seconds:.1f} s to fail")
        print(f"check_job: failed as it should, in {seconds:.1f} s, naming {expect!r}")
        return
    if run.returncode != 0:
        fail(f"the job exited {run.returncode}")
    folders = glob.glob(os.path.join(results, "*-*"))
    if len(folders) != 1:
        fail(f"expected one results folder in {results}, found {folders}")
    check_results(folders[0])


if __name__ == "__main__":
    main()
