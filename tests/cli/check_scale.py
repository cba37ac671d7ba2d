#!/usr/bin/env python3
"""check_scale.py - `mapo scale`, the scaling study, from the outside: the JSON, CSV and
SVG it writes read back as their readers read them, and every bad flag refused.

Runs small studies (--base 200000 --numbers 4 --threads 1-3 --repeat 2: a fraction of a
second each) and checks that
  - --json prints exactly one object with the contract fields (model, split, weak,
    numbers, base, repeat, processors, points[] of threads, seconds_median/min/max,
    speedup, efficiency, karp_flatt, and the fitted law), whose figures agree with each
    other (speedup T1/Tp, efficiency speedup/p, Karp-Flatt from the speedup);
  - --csv has the header and one row per point, with the JSON's figures;
  - --svg parses as XML in the SVG namespace, names the model, has a dot per point in
    each panel; no temporary file stays behind;
  - --weak grows the numbers with the threads and fits Gustafson's law, not Amdahl's;
  - every bad flag exits 2 with one line on stderr, nothing on stdout, no file.
Speed itself is not asserted: this is a 2-core VM shared with other work.

Run it with ctest (`ctest -L cli`), or by hand:
    python3 tests/cli/check_scale.py build/mapo . /tmp/mapo-scale-scratch
It prints an "ok" line per check and stops with exit 1 at the first failure. Standard
library only.
"""
import csv
import json
import math
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET

SVG = "{http://www.w3.org/2000/svg}"
SMALL = ["--base", "200000", "--numbers", "4", "--threads", "1-3", "--repeat", "2"]
POINT_FIELDS = ["threads", "seconds_median", "seconds_min", "seconds_max", "speedup",
                "efficiency", "karp_flatt"]
STUDY_FIELDS = ["model", "split", "weak", "numbers", "base", "repeat", "processors", "points",
                "amdahl", "gustafson", "environment"]
FIT_FIELDS = ["serial_fraction", "max_speedup", "points_used"]
CSV_HEADER = ["threads", "numbers", "seconds_median", "seconds_min", "seconds_max", "speedup",
              "efficiency", "karp_flatt"]
TIMEOUT_S = 120


def fail(msg):
    print("check_scale: FAIL: " + msg, file=sys.stderr)
    sys.exit(1)


def ok(msg):
    print("ok " + msg, flush=True)


def run(mapo, args):
    """Run `mapo scale ARGS`; return (exit status, stdout, stderr). A hang or a signal
    fails. stdin and stderr are not terminals, so there is no progress line."""
    cmd = [mapo, "scale"] + args
    try:
        p = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                           timeout=TIMEOUT_S)
    except subprocess.TimeoutExpired:
        fail("timed out after %d s: %s" % (TIMEOUT_S, " ".join(cmd)))
    if p.returncode < 0:
        fail("killed by signal %d: %s\nstderr: %s" % (-p.returncode, " ".join(cmd), p.stderr))
    return p.returncode, p.stdout, p.stderr


def run_ok(mapo, args):
    what = "mapo scale " + " ".join(args)
    rc, out, err = run(mapo, args)
    if rc != 0:
        fail("%s: exit %d, expected 0\nstderr: %s" % (what, rc, err))
    if err:
        fail("%s: stderr not empty: %r" % (what, err))
    return out, what


def is_number(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def near(a, b, rel=1e-6):
    return abs(a - b) <= rel * max(1.0, abs(a), abs(b))


def one_json_object(text, what):
    """`--json` prints exactly one JSON object, on one line, and nothing else."""
    if not text.endswith("\n") or "\n" in text[:-1]:
        fail("%s: stdout is not exactly one line: %r" % (what, text[:300]))
    try:
        obj = json.loads(text)
    except ValueError as e:
        fail("%s: stdout is not JSON (%s): %r" % (what, e, text[:300]))
    if not isinstance(obj, dict):
        fail("%s: stdout is not a JSON object" % what)
    return obj


def need(obj, keys, what):
    for k in keys:
        if k not in obj:
            fail("%s: no field '%s' in %s" % (what, k, sorted(obj)))


def no_temporaries(scratch, what):
    left = [n for n in os.listdir(scratch) if ".tmp." in n]
    if left:
        fail("%s: temporary files left behind: %s" % (what, left))


def check_fit(fit, points, processors, law, what):
    need(fit, FIT_FIELDS, what + " " + law)
    used = [p["threads"] for p in points if p["threads"] <= processors]
    if fit["points_used"] != used:
        fail("%s: %s.points_used is %r, expected the counts <= %d processors: %r" %
             (what, law, fit["points_used"], processors, used))
    f = fit["serial_fraction"]
    if len(used) < 2:
        if f is not None:
            fail("%s: %s fitted %r with no point 1 < p <= processors" % (what, law, f))
        return
    if not is_number(f) or not 0 <= f <= 1:
        fail("%s: %s.serial_fraction is %r, not a number in [0, 1]" % (what, law, f))
    m = fit["max_speedup"]
    if law == "amdahl":
        # 1/f, or null when f = 0 (no limit).
        if (f == 0 and m is not None) or (f > 0 and not (is_number(m) and near(m, 1 / f))):
            fail("%s: amdahl.max_speedup %r is not 1/f for f = %r" % (what, m, f))
    elif m is not None:
        fail("%s: gustafson.max_speedup is %r: the scaled speedup has no limit" % (what, m))


def check_points(j, weak, what):
    pts = j["points"]
    if not isinstance(pts, list) or [p.get("threads") for p in pts] != [1, 2, 3]:
        fail("%s: points are not threads 1, 2, 3: %r" % (what, pts))
    t1 = pts[0]["seconds_median"]
    for p in pts:
        need(p, POINT_FIELDS, what + " point")
        n = p["threads"]
        for k in ("seconds_median", "seconds_min", "seconds_max", "speedup", "efficiency"):
            if not is_number(p[k]) or p[k] <= 0:
                fail("%s: threads %d: %s is %r" % (what, n, k, p[k]))
        if not p["seconds_min"] <= p["seconds_median"] <= p["seconds_max"]:
            fail("%s: threads %d: min %r, median %r, max %r out of order" %
                 (what, n, p["seconds_min"], p["seconds_median"], p["seconds_max"]))
        if p.get("numbers") != j["numbers"] * (n if weak else 1):
            fail("%s: threads %d: numbers %r" % (what, n, p.get("numbers")))
        s = (n if weak else 1) * t1 / p["seconds_median"]
        if not near(p["speedup"], s) or not near(p["efficiency"], s / n):
            fail("%s: threads %d: speedup %r, efficiency %r; expected %r and %r" %
                 (what, n, p["speedup"], p["efficiency"], s, s / n))
        kf = p["karp_flatt"]
        if n == 1:
            if kf is not None:
                fail("%s: karp_flatt at one thread is %r, expected null" % (what, kf))
        elif not is_number(kf) or not near(kf, (1 / s - 1 / n) / (1 - 1 / n), 1e-5):
            fail("%s: threads %d: karp_flatt %r is not (1/S - 1/p)/(1 - 1/p)" % (what, n, kf))


def check_csv(path, j, what):
    try:
        with open(path, newline="", encoding="utf-8") as f:
            rows = list(csv.reader(f))
    except OSError as e:
        fail("%s: cannot read the CSV %s: %s" % (what, path, e))
    if not rows or rows[0] != CSV_HEADER:
        fail("%s: CSV header is %r, expected %r" % (what, rows[:1], CSV_HEADER))
    if len(rows) != 1 + len(j["points"]):
        fail("%s: CSV has %d rows after the header, expected one per point: %d" %
             (what, len(rows) - 1, len(j["points"])))
    for row, p in zip(rows[1:], j["points"]):
        if len(row) != len(CSV_HEADER):
            fail("%s: CSV row %r has %d fields" % (what, row, len(row)))
        for k, v in zip(CSV_HEADER, row):
            want = p[k]
            if want is None:
                if v != "":
                    fail("%s: CSV %s is %r where the JSON has null" % (what, k, v))
                continue
            try:
                got = float(v)
            except ValueError:
                fail("%s: CSV %s is %r, not a number" % (what, k, v))
            if not near(got, want, 1e-6):
                fail("%s: CSV %s = %r, JSON %r" % (what, k, got, want))


def check_svg(path, j, what):
    try:
        root = ET.parse(path).getroot()
    except (OSError, ET.ParseError) as e:
        fail("%s: the SVG %s does not parse as XML: %s" % (what, path, e))
    if root.tag != SVG + "svg":
        fail("%s: the root element is %s, not %ssvg" % (what, root.tag, SVG))
    texts = ["".join(t.itertext()) for t in root.iter(SVG + "text")]
    if not any(j["model"] in t for t in texts):
        fail("%s: the model %s is not named in any label" % (what, j["model"]))
    for label in ("threads", "efficiency", "speedup"):
        if not any(label in t for t in texts):
            fail("%s: no label with '%s' among %s" % (what, label, texts[:12]))
    dots = list(root.iter(SVG + "circle"))
    # A dot per point in each of the two panels, and one in the legend.
    if len(dots) != 2 * len(j["points"]) + 1:
        fail("%s: %d dots, expected 2 x %d points + 1" % (what, len(dots), len(j["points"])))
    if not list(root.iter(SVG + "polyline")):
        fail("%s: no polyline (the measured curve)" % what)
    for d in dots:
        for k in ("cx", "cy"):
            try:
                v = float(d.get(k))
            except (TypeError, ValueError):
                fail("%s: a dot's %s is not a number: %r" % (what, k, d.attrib))
            if not math.isfinite(v):
                fail("%s: a dot's %s is %r" % (what, k, v))


def check_study(mapo, scratch):
    out_csv = os.path.join(scratch, "study.csv")
    out_svg = os.path.join(scratch, "study.svg")
    out, what = run_ok(mapo, SMALL + ["--json", "--csv", out_csv, "--svg", out_svg])
    j = one_json_object(out, what)
    need(j, STUDY_FIELDS, what)
    want = {"model": "reduction", "split": "numbers", "weak": False, "numbers": 4,
            "base": 200000, "repeat": 2}
    for k, v in want.items():
        if j[k] != v:
            fail("%s: %s is %r, expected %r" % (what, k, j[k], v))
    if not isinstance(j["processors"], int) or j["processors"] < 1:
        fail("%s: processors is %r" % (what, j["processors"]))
    check_points(j, False, what)
    if j["amdahl"] is None or j["gustafson"] is not None:
        fail("%s: strong scaling: amdahl %r, gustafson %r" % (what, j["amdahl"], j["gustafson"]))
    check_fit(j["amdahl"], j["points"], j["processors"], "amdahl", what)
    ok("%s: one JSON object, contract fields, figures consistent" % what)
    check_csv(out_csv, j, what)
    ok("%s: CSV header and a row per point, the JSON's figures" % what)
    check_svg(out_svg, j, what)
    ok("%s: SVG parses, names the model, a dot per point per panel" % what)
    no_temporaries(scratch, what)

    out, what = run_ok(mapo, SMALL)
    for word in ("speedup", "efficiency", "Karp-Flatt", "Amdahl", "reduction"):
        if word not in out:
            fail("%s: the text report does not mention %s:\n%s" % (what, word, out))
    ok("%s: text report" % what)

    out, what = run_ok(mapo, SMALL + ["--split", "range", "--model", "padded", "--json"])
    j = one_json_object(out, what)
    if j["split"] != "range" or j["model"] != "padded":
        fail("%s: split %r, model %r" % (what, j["split"], j["model"]))
    check_points(j, False, what)
    ok(what)


def check_weak(mapo, scratch):
    out_csv = os.path.join(scratch, "weak.csv")
    out, what = run_ok(mapo, SMALL + ["--weak", "--json", "--csv", out_csv])
    j = one_json_object(out, what)
    need(j, STUDY_FIELDS, what)
    if j["weak"] is not True:
        fail("%s: weak is %r" % (what, j["weak"]))
    check_points(j, True, what)
    if j["amdahl"] is not None or j["gustafson"] is None:
        fail("%s: weak scaling: amdahl %r, gustafson %r" % (what, j["amdahl"], j["gustafson"]))
    check_fit(j["gustafson"], j["points"], j["processors"], "gustafson", what)
    check_csv(out_csv, j, what)
    no_temporaries(scratch, what)
    ok("%s: numbers grow with p, scaled speedup, Gustafson fit" % what)

    out, what = run_ok(mapo, SMALL + ["--weak"])
    if "Gustafson" not in out or "scaled" not in out:
        fail("%s: the text report does not name Gustafson and the scaled speedup:\n%s" %
             (what, out))
    ok("%s: text report" % what)


BAD = [
    ["--threads", "1,,2"],
    ["--threads", "0-4"],
    ["--threads", "3-1"],
    ["--threads", "1,1"],
    ["--threads", "1-3,2"],
    ["--threads", "2,4"],
    ["--threads", ""],
    ["--threads", "1,"],
    ["--threads", ",1"],
    ["--threads", "a"],
    ["--threads", "1-"],
    ["--threads", "-3"],
    ["--threads", "1- 3"],
    ["--threads", "1-1025"],
    ["--threads", "1-65"],
    ["--threads", "99999999999"],
    ["--threads"],
    ["--model", "nope"],
    ["--model", "serial"],
    ["--repeat", "0"],
    ["--repeat", "x"],
    ["--numbers", "0"],
    ["--base", "-1"],
    ["--base", "4294967297"],
    ["--base", "4294967296", "--numbers", "2"],
    ["--weak", "--numbers", "60000", "--threads", "1,2"],
    ["--split", "nope"],
    ["--weak=1"],
    ["--json", "--json"],
    ["--bogus"],
    ["extra"],
    ["--csv", "/no/such/dir/x.csv"],
    ["--svg", "/no/such/dir/x.svg"],
    ["--csv", "SCRATCH/same", "--svg", "SCRATCH/same"],
]


def check_bad_flags(mapo, scratch):
    for args in BAD:
        args = [a.replace("SCRATCH", scratch) for a in args]
        what = "mapo scale " + " ".join(repr(a) if a == "" or " " in a else a for a in args)
        # A small --base first: should a bad flag slip through, the run is short.
        rc, out, err = run(mapo, (["--base", "200000"] if "--base" not in args else []) + args)
        if rc != 2:
            fail("%s: exit %d, expected 2\nstdout: %r\nstderr: %r" % (what, rc, out, err))
        if out:
            fail("%s: stdout not empty: %r" % (what, out))
        if not err.endswith("\n") or "\n" in err[:-1] or not err.startswith("mapo scale"):
            fail("%s: stderr is not one line starting 'mapo scale': %r" % (what, err))
        ok("%s: exit 2: %s" % (what, err.strip()))
    if os.path.exists(os.path.join(scratch, "same")):
        fail("a refused run wrote %s" % os.path.join(scratch, "same"))
    rc, out, err = run(mapo, ["--threads", "2,4"])
    if "must include 1" not in err:
        fail("--threads 2,4: the message does not say that 1 is needed: %r" % err)
    rc, out, err = run(mapo, ["--help"])
    if rc != 0 or not out.startswith("usage: mapo scale") or err:
        fail("mapo scale --help: exit %d, stdout %r, stderr %r" % (rc, out[:80], err))
    ok("mapo scale --help")


def main():
    if len(sys.argv) != 4:
        print("usage: check_scale.py MAPO-BINARY SOURCE-DIR SCRATCH-DIR", file=sys.stderr)
        sys.exit(2)
    mapo, _src, scratch = sys.argv[1:]
    if not os.access(mapo, os.X_OK):
        fail("not an executable: " + mapo)
    shutil.rmtree(scratch, ignore_errors=True)
    os.makedirs(scratch)
    check_bad_flags(mapo, scratch)
    check_study(mapo, scratch)
    check_weak(mapo, scratch)
    no_temporaries(scratch, "all runs")
    print("check_scale: all passed")


if __name__ == "__main__":
    main()
