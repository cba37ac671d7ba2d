"""check_json_keys.py - every JSON key any command printed before is still printed.

usage: python3 check_json_keys.py MAPO MAPO-MPI-OR-EMPTY MPIEXEC SOURCE-DIR SANITIZE [--record]

Runs every command and model with --json at a small size and collects the key paths of
its output ("a.b" for members, "a[]" for the items of an array, merged over the items).
tests/cli/json_keys.json holds the key sets recorded before the report layer was
rewritten (issue 11); a key recorded there and missing now fails the test. Keys may be
added, never removed. --record writes the file anew (only when a key is meant to go).
"""
import json
import os
import subprocess
import sys

mapo, mapo_mpi, mpiexec, source, sanitize = sys.argv[1:6]
record = "--record" in sys.argv[6:]
# ThreadSanitizer builds refuse aio (TSan crashes inside glibc's aio threads). Under any
# sanitizer `mapo compare` is left out: it runs the notebook's full-size sums (no flag
# makes them smaller), 10-20 s a run there, and prints the keys of the release build;
# cli.compare runs it once under the sanitizer.
SKIP = {"io aio"} if "thread" in sanitize else set()
if sanitize:
    SKIP |= {"compare", "compare no-python"}
keys_file = os.path.join(source, "tests", "cli", "json_keys.json")

ENV = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
           OMPI_MCA_rmaps_base_oversubscribe="1")

COOK = ["--unit-ms", "1", "--json"]
SUM = ["--base", "100000", "--repeat", "1", "--json"]
IO = ["--requests", "8", "--latency-ms", "1", "--repeat", "1", "--json"]
RUNS = {
    "recipe show": ["recipe", "show", "--json"],
    "cook serial": ["cook", "--model", "serial"] + COOK,
    "cook sections": ["cook", "--model", "sections"] + COOK,
    "cook tasks": ["cook", "--model", "tasks"] + COOK,
    "cook tasks-counted": ["cook", "--model", "tasks-counted"] + COOK,
    "cook async": ["cook", "--model", "async"] + COOK,
    "cook async blocking": ["cook", "--model", "async", "--blocking"] + COOK,
    "cook all": ["cook", "--model", "all"] + COOK,
    "cook repeat": ["cook", "--model", "tasks", "--repeat", "2"] + COOK,
    "sum serial": ["sum", "--model", "serial"] + SUM,
    "sum critical": ["sum", "--model", "critical", "--threads", "2", "--base", "1000",
                     "--repeat", "1", "--json"],
    "sum atomic": ["sum", "--model", "atomic", "--threads", "2", "--base", "1000",
                   "--repeat", "1", "--json"],
    "sum false-sharing": ["sum", "--model", "false-sharing", "--threads", "2"] + SUM,
    "sum padded": ["sum", "--model", "padded", "--threads", "2"] + SUM,
    "sum reduction": ["sum", "--model", "reduction", "--threads", "2"] + SUM,
    "sum range": ["sum", "--model", "reduction", "--split", "range", "--threads", "2"] + SUM,
    "scale strong": ["scale", "--threads", "1,2"] + SUM,
    "scale weak": ["scale", "--weak", "--threads", "1,2"] + SUM,
    "race cupboard": ["race", "--demo", "cupboard", "--mode", "all", "--trials", "4",
                      "--window-us", "10", "--json"],
    "race cupboard unsafe": ["race", "--demo", "cupboard", "--mode", "unsafe", "--trials",
                             "4", "--window-us", "10", "--json"],
    "race counter": ["race", "--demo", "counter", "--mode", "all", "--trials", "2",
                     "--increments", "1000", "--json"],
    "race counter atomic": ["race", "--demo", "counter", "--mode", "atomic", "--trials",
                            "2", "--increments", "1000", "--json"],
    "race deadlock": ["race", "--demo", "deadlock", "--mode", "all", "--trials", "3",
                      "--json"],
    "race deadlock naive": ["race", "--demo", "deadlock", "--mode", "naive", "--trials",
                            "3", "--json"],
    "io serial": ["io", "--model", "serial"] + IO,
    "io threads": ["io", "--model", "threads"] + IO,
    "io poll": ["io", "--model", "poll"] + IO,
    "io aio": ["io", "--model", "aio", "--requests", "8", "--file-kib", "4", "--repeat", "1",
               "--json"],
    "load": ["load", "--quick", "--json"],
    "compare": ["compare", "--quick", "--base", "2000000", "--requests", "8", "--latency-ms",
                "2", "--unit-ms", "1", "--json"],
    "compare no-python": ["compare", "--quick", "--base", "2000000", "--requests", "8",
                          "--latency-ms", "2", "--unit-ms", "1", "--no-python", "--json"],
}
MPI_RUNS = {
    "mpi cook": (3, ["cook", "--unit-ms", "1", "--json"]),
    "mpi cupboard": (2, ["cupboard", "--trials", "20", "--json"]),
    "mpi sum": (2, ["sum", "--base", "100000", "--repeat", "1", "--json"]),
    "mpi sum hybrid": (2, ["sum", "--base", "100000", "--repeat", "1", "--threads", "2",
                           "--json"]),
    "mpi pingpong": (2, ["pingpong", "--max-bytes", "1024", "--json"]),
}


def paths(value, prefix, out):
    if isinstance(value, dict):
        for k, v in value.items():
            name = f"{prefix}.{k}" if prefix else k
            out.add(name)
            paths(v, name, out)
    elif isinstance(value, list):
        for v in value:
            paths(v, prefix + "[]", out)
    return out


def keys_of(argv):
    p = subprocess.run(argv, capture_output=True, text=True, timeout=600, env=ENV)
    if p.returncode != 0:
        print(f"check_json_keys: FAIL: {' '.join(argv)}: exit {p.returncode}\n{p.stderr[-2000:]}")
        sys.exit(1)
    return sorted(paths(json.loads(p.stdout), "", set()))


now = {}
for name, args in RUNS.items():
    if name in SKIP:
        continue
    now[name] = keys_of([mapo] + args)
if mapo_mpi:
    for name, (ranks, args) in MPI_RUNS.items():
        now[name] = keys_of([mpiexec, "-n", str(ranks), mapo_mpi] + args)

if record:
    with open(keys_file, "w", encoding="utf-8") as f:
        json.dump(now, f, indent=1, sort_keys=True)
        f.write("\n")
    print(f"check_json_keys: recorded {sum(map(len, now.values()))} keys of {len(now)} runs")
    sys.exit(0)

with open(keys_file, encoding="utf-8") as f:
    before = json.load(f)
lost = []
for name, keys in before.items():
    if (name.startswith("mpi ") and not mapo_mpi) or name in SKIP:
        continue
    gone = sorted(set(keys) - set(now.get(name, [])))
    lost += [f"{name}: {k}" for k in gone]
if lost:
    print("check_json_keys: FAIL: keys printed before and not now:\n  " + "\n  ".join(lost))
    sys.exit(1)
print(f"check_json_keys: ok, {sum(map(len, before.values()))} keys of {len(before)} runs kept")
