#!/usr/bin/env python3
"""check_outputs.py - the files and JSON that `mapo` writes, read back as their readers
read them.

Cooks the notebook's recipe and examples/recipes/one-knife.recipe with every model,
writing a Chrome trace (--trace) and an SVG Gantt chart (--svg), and checks that the
trace is JSON with one complete event per step on a named row per cook, that the SVG
is SVG with one bar per step, and that no temporary file stays behind. Then checks the
contract fields of `mapo cook --json` and `mapo recipe show --json` (DESIGN.md,
"Command-line contract").

Run it with ctest (`ctest -L cli`), or by hand:
    python3 tests/cli/check_outputs.py build/mapo . /tmp/mapo-outputs-scratch
It prints an "ok" line per check and stops with exit 1 at the first failure. Standard
library only.
"""
import json
import math
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET

SVG = "{http://www.w3.org/2000/svg}"
MODELS = ["serial", "sections", "tasks", "tasks-counted"]
UNIT_MS = 2
TIMEOUT_S = 120


def fail(msg):
    print("check_outputs: FAIL: " + msg, file=sys.stderr)
    sys.exit(1)


def ok(msg):
    print("ok " + msg, flush=True)


def run(mapo, args):
    """Run mapo; return (exit status, stdout, stderr). A hang or a signal fails."""
    cmd = [mapo] + args
    try:
        p = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                           timeout=TIMEOUT_S)
    except subprocess.TimeoutExpired:
        fail("timed out after %d s: %s" % (TIMEOUT_S, " ".join(cmd)))
    if p.returncode < 0:
        fail("killed by signal %d: %s\nstderr: %s" % (-p.returncode, " ".join(cmd), p.stderr))
    return p.returncode, p.stdout, p.stderr


def run_ok(mapo, args):
    rc, out, err = run(mapo, args)
    if rc != 0:
        fail("exit %d, expected 0: mapo %s\nstderr: %s" % (rc, " ".join(args), err))
    return out, err


def is_number(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


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


def recipe_stats(mapo, recipe):
    args = ["recipe", "show", "--json"] + ([recipe] if recipe else [])
    out, err = run_ok(mapo, args)
    if err:
        fail("mapo %s: stderr not empty: %s" % (" ".join(args), err))
    return one_json_object(out, "mapo " + " ".join(args))


def check_trace(path, nsteps, model, what):
    try:
        with open(path, encoding="utf-8") as f:
            trace = json.load(f)
    except (OSError, ValueError) as e:
        fail("%s: the trace %s does not load as JSON: %s" % (what, path, e))
    if not isinstance(trace, dict) or not isinstance(trace.get("traceEvents"), list):
        fail("%s: the trace has no traceEvents list" % what)
    events = trace["traceEvents"]
    rows = {}
    steps = []
    for e in events:
        if not isinstance(e, dict) or "ph" not in e:
            fail("%s: a trace event without ph: %r" % (what, e))
        if e["ph"] == "M" and e.get("name") == "thread_name":
            if not isinstance(e.get("tid"), int) or not isinstance(e.get("args", {}).get("name"), str):
                fail("%s: a thread_name event without tid or args.name: %r" % (what, e))
            rows[e["tid"]] = e["args"]["name"]
        elif e["ph"] == "X":
            steps.append(e)
    if len(steps) != nsteps:
        fail("%s: %d complete events (\"ph\":\"X\"), expected one per step: %d" %
             (what, len(steps), nsteps))
    if not rows:
        fail("%s: no thread_name metadata events" % what)
    if sorted(rows) != list(range(len(rows))):
        fail("%s: the rows are not cooks 0..%d: %s" % (what, len(rows) - 1, sorted(rows)))
    names = set()
    for e in steps:
        for k in ("ts", "dur"):
            if not is_number(e.get(k)) or e[k] < 0:
                fail("%s: event %r: '%s' is not a number >= 0" % (what, e.get("name"), k))
        tid = e.get("tid")
        if not isinstance(tid, int) or isinstance(tid, bool) or tid not in rows:
            fail("%s: event %r: tid %r is not a cook with a thread_name" %
                 (what, e.get("name"), tid))
        if model == "serial" and tid != 0:
            fail("%s: the serial model put a step on cook %d" % (what, tid))
        if not isinstance(e.get("name"), str) or not e["name"]:
            fail("%s: an event without a name: %r" % (what, e))
        args = e.get("args", {})
        step = args.get("step")
        if step is not None:
            if step in names:
                fail("%s: step %r appears twice" % (what, step))
            names.add(step)
        units = args.get("units")
        # A step sleeps (or works) until start + its units: never shorter.
        if is_number(units) and e["dur"] < units * UNIT_MS * 1000 - 1:
            fail("%s: step %r lasted %g us, shorter than its %g units of %d ms" %
                 (what, step, e["dur"], units, UNIT_MS))
    return len(rows)


def check_svg(path, nsteps, model, what):
    try:
        root = ET.parse(path).getroot()
    except (OSError, ET.ParseError) as e:
        fail("%s: the SVG %s does not parse as XML: %s" % (what, path, e))
    if root.tag != SVG + "svg":
        fail("%s: the root element is %s, not %ssvg" % (what, root.tag, SVG))
    rects = list(root.iter(SVG + "rect"))
    bars = [r for g in root.iter(SVG + "g") for r in g.findall(SVG + "rect")]
    if len(bars) != nsteps:
        fail("%s: %d step bars (rect in g), expected one per step: %d" % (what, len(bars), nsteps))
    others = [r for r in rects if r not in bars]
    if len(others) < 2:
        fail("%s: no background and legend rects beside the bars (%d rects in all)" %
             (what, len(rects)))
    width = root.get("width")
    if not any(r.get("width") == width and r.get("x") is None for r in others):
        fail("%s: no background rect as wide as the picture (%s)" % (what, width))
    for r in bars:
        for k in ("x", "y", "width", "height"):
            try:
                v = float(r.get(k))
            except (TypeError, ValueError):
                fail("%s: a bar's %s is not a number: %r" % (what, k, r.attrib))
            if not math.isfinite(v) or (k in ("width", "height") and v <= 0):
                fail("%s: a bar's %s is %g" % (what, k, v))
    texts = ["".join(t.itertext()) for t in root.iter(SVG + "text")]
    if not any(texts):
        fail("%s: no text labels" % what)
    if "cook 0" not in texts:
        fail("%s: no row label 'cook 0' among %s" % (what, texts[:10]))
    if not any(model in t for t in texts):
        fail("%s: the model %s is not named in any label" % (what, model))


def check_files(mapo, src, scratch):
    one_knife = os.path.join(src, "examples", "recipes", "one-knife.recipe")
    for recipe in (None, one_knife):
        stats = recipe_stats(mapo, recipe)
        nsteps = stats["steps"]
        label = os.path.basename(recipe) if recipe else "built-in"
        for model in MODELS:
            what = "cook --model %s (%s)" % (model, label)
            trace = os.path.join(scratch, "%s-%s.json" % (model, label))
            svg = os.path.join(scratch, "%s-%s.svg" % (model, label))
            args = ["cook", "--model", model, "--unit-ms", str(UNIT_MS), "--trace", trace,
                    "--svg", svg, "--quiet"] + (["--recipe", recipe] if recipe else [])
            rc, out, err = run(mapo, args)
            if rc == 2 and model == "sections":
                # A recipe that is no fork-join: sections refuses it, cleanly.
                if out or not err.endswith("\n") or "\n" in err[:-1] or "tasks" not in err:
                    fail("%s: refused, but not with one line that points to tasks: %r %r" %
                         (what, out, err))
                if os.path.exists(trace) or os.path.exists(svg):
                    fail("%s: refused, yet wrote %s or %s" % (what, trace, svg))
                no_temporaries(scratch, what)
                ok("%s: refused in one line, no file written" % what)
                continue
            if rc != 0:
                fail("%s: exit %d\nstderr: %s" % (what, rc, err))
            if err:
                fail("%s: stderr not empty: %s" % (what, err))
            rows = check_trace(trace, nsteps, model, what)
            ok("%s: trace has %d steps on %d cooks" % (what, nsteps, rows))
            check_svg(svg, nsteps, model, what)
            ok("%s: svg has %d bars" % (what, nsteps))
            no_temporaries(scratch, what)
    ok("no temporary files left in %s" % scratch)


COOK_FIELDS = ["model", "cooks", "makespan_units", "makespan_ms", "span_units", "work_units",
               "bound_units", "overhead_ms", "dispatch_ms", "rice_temperature", "steps"]
STEP_FIELDS = ["name", "worker", "start_units", "end_units"]


def check_cook_json(mapo):
    for model in MODELS:
        args = ["cook", "--model", model, "--unit-ms", str(UNIT_MS), "--json"]
        out, err = run_ok(mapo, args)
        what = "mapo " + " ".join(args)
        if err:
            fail("%s: stderr not empty: %s" % (what, err))
        j = one_json_object(out, what)
        need(j, COOK_FIELDS, what)
        if j["model"] != model:
            fail("%s: model is %r" % (what, j["model"]))
        if not isinstance(j["cooks"], int) or j["cooks"] < 1:
            fail("%s: cooks is %r" % (what, j["cooks"]))
        if model == "serial" and j["cooks"] != 1:
            fail("%s: serial has %d cooks" % (what, j["cooks"]))
        for k in COOK_FIELDS[2:-1]:
            if not is_number(j[k]):
                fail("%s: %s is not a number: %r" % (what, k, j[k]))
        if j["work_units"] != 23 or j["span_units"] != 9:
            fail("%s: work %r and span %r, expected 23 and 9" %
                 (what, j["work_units"], j["span_units"]))
        bound = 23 if model == "serial" else 9
        if abs(j["bound_units"] - bound) > 1e-9:
            fail("%s: bound_units %r, expected %d" % (what, j["bound_units"], bound))
        # Steps sleep until their deadlines: the makespan cannot beat the bound.
        if j["makespan_units"] < bound - 1e-6:
            fail("%s: makespan_units %r is below the bound %d" % (what, j["makespan_units"], bound))
        if not 0 <= j["rice_temperature"] <= 80:
            fail("%s: rice_temperature %r" % (what, j["rice_temperature"]))
        if not isinstance(j["steps"], list) or len(j["steps"]) != 8:
            fail("%s: steps is not a list of the 8 steps" % what)
        for s in j["steps"]:
            need(s, STEP_FIELDS, what + " step")
            if not isinstance(s["worker"], int) or not 0 <= s["worker"] < j["cooks"]:
                fail("%s: step %r on worker %r of %d cooks" %
                     (what, s["name"], s["worker"], j["cooks"]))
            if not is_number(s["start_units"]) or not is_number(s["end_units"]) or \
                    s["end_units"] < s["start_units"]:
                fail("%s: step %r runs from %r to %r" %
                     (what, s["name"], s["start_units"], s["end_units"]))
        if sorted(s["name"] for s in j["steps"]) != sorted(
                ["wash-rice", "boil-rice", "blend-spices", "fry-spices", "fry-meat", "mix-tofu",
                 "mix-oil-meat", "serve"]):
            fail("%s: the steps are not the notebook's: %s" % (what, [s["name"] for s in j["steps"]]))
        ok("%s: contract fields" % what)

        args = ["cook", "--model", model, "--unit-ms", "0", "--json"]
        out, err = run_ok(mapo, args)
        what = "mapo " + " ".join(args)
        if err:
            fail("%s: stderr not empty: %s" % (what, err))
        j = one_json_object(out, what)
        need(j, COOK_FIELDS, what)
        for obj in [j] + j["steps"]:
            need(obj, STEP_FIELDS if obj is not j else COOK_FIELDS, what)
            for k, v in obj.items():
                if k.endswith("_units") and v is not None:
                    fail("%s: %s is %r, expected null at --unit-ms 0" % (what, k, v))
        for k in ("makespan_ms", "overhead_ms", "dispatch_ms"):
            if not is_number(j[k]):
                fail("%s: %s is not a number: %r" % (what, k, j[k]))
        ok("%s: every *_units field is null" % what)


def check_recipe_json(mapo, src):
    what = "mapo recipe show --json"
    j = recipe_stats(mapo, None)
    need(j, ["steps", "work_units", "span_units", "critical_path", "width"], what)
    want = {"steps": 8, "work_units": 23, "span_units": 9, "width": 3}
    for k, v in want.items():
        if j[k] != v:
            fail("%s: %s is %r, expected %r" % (what, k, j[k], v))
    path = j["critical_path"]
    if not isinstance(path, list) or not path or path[-1] != "serve":
        fail("%s: critical_path %r does not end with serve" % (what, path))
    ok("%s: steps 8, work 23, span 9, width 3, critical path ends with serve" % what)
    for name in sorted(os.listdir(os.path.join(src, "examples", "recipes"))):
        if not name.endswith(".recipe"):
            continue
        f = os.path.join(src, "examples", "recipes", name)
        j = recipe_stats(mapo, f)
        need(j, ["steps", "work_units", "span_units", "critical_path", "width"], what + " " + name)
        if not (is_number(j["work_units"]) and is_number(j["span_units"])
                and 0 < j["span_units"] <= j["work_units"] and isinstance(j["width"], int)
                and 1 <= j["width"] <= j["steps"] and isinstance(j["critical_path"], list)
                and j["critical_path"]):
            fail("%s %s: inconsistent figures: %s" % (what, name, j))
        ok("%s %s" % (what, name))


def main():
    if len(sys.argv) != 4:
        print("usage: check_outputs.py MAPO-BINARY SOURCE-DIR SCRATCH-DIR", file=sys.stderr)
        sys.exit(2)
    mapo, src, scratch = sys.argv[1:]
    if not os.access(mapo, os.X_OK):
        fail("not an executable: " + mapo)
    shutil.rmtree(scratch, ignore_errors=True)
    os.makedirs(scratch)
    check_files(mapo, src, scratch)
    check_cook_json(mapo)
    check_recipe_json(mapo, src)
    print("check_outputs: all passed")


if __name__ == "__main__":
    main()
