#!/usr/bin/env python3
"""check_lesson.py - `mapo lesson`: the HTML lesson page (issue 16).

usage: check_lesson.py MAPO SCRATCH [--browser]

Without --browser (label cli, every preset, sanitizers included): bad input is one
line on stderr and exit 2; `mapo lesson --quick --html` writes one self-contained page
(every section's id, no URL, no script, no external stylesheet or image, a CSP of
default-src 'none', under 2 MB); `--from DIR` draws a folder of JSON the test writes
itself (mapo recipe/cook/sum/scale/race/io --json, a sweep of sums over threads in a
job's sub-folder), skipping files that are not mapo's.

With --browser (label lesson, release): the same page rendered by Debian's headless
chromium: a 1280x720 screenshot kept in SCRATCH, every section in the rendered DOM, no
console error and no network request in chromium's own net log. Exit 77 (skipped)
when chromium is not installed.

No speed is asserted: only shape, and that the sentences agree with the numbers is
the verdict functions' business (tests/cli/check_verdicts.py).
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

SECTIONS = ["recipe", "cooking", "races", "sums", "scaling", "io", "compare", "environment"]
MAX_BYTES = 2 * 1024 * 1024
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what)


def run(mapo, *args, timeout=300):
    return subprocess.run([mapo, *args], capture_output=True, text=True, timeout=timeout)


def bad_input(mapo, scratch):
    empty = os.path.join(scratch, "no-json")
    os.makedirs(empty, exist_ok=True)
    with open(os.path.join(empty, "notes.txt"), "w") as f:
        f.write("not json\n")
    with open(os.path.join(empty, "other.json"), "w") as f:
        f.write('{"a": 1}\n')
    out = os.path.join(scratch, "bad.html")
    cases = [
        ("unknown flag", ["lesson", "--html", out, "--bogus"]),
        ("no --html", ["lesson", "--quick"]),
        ("--from a missing folder", ["lesson", "--html", out, "--from", os.path.join(scratch, "nope")]),
        ("--from a file", ["lesson", "--html", out, "--from", os.path.join(empty, "notes.txt")]),
        ("--from a folder without mapo's JSON", ["lesson", "--html", out, "--from", empty]),
        ("--html in a missing folder", ["lesson", "--quick", "--html", os.path.join(scratch, "nope", "x.html")]),
    ]
    for what, args in cases:
        p = run(mapo, *args)
        lines = [l for l in p.stderr.splitlines() if not l.startswith("mapo lesson: skipped")]
        check(p.returncode == 2, f"{what}: exit {p.returncode}, want 2 ({p.stderr.strip()})")
        check(len(lines) == 1, f"{what}: {len(lines)} lines on stderr, want 1: {p.stderr!r}")
        check(not os.path.exists(out), f"{what}: the page was written")


def page_ok(path, what, want_drawn):
    size = os.path.getsize(path)
    check(size < MAX_BYTES, f"{what}: {size} bytes, want under 2 MB")
    html = open(path, encoding="utf-8").read()
    for s in SECTIONS:
        check(f'<section id="{s}">' in html, f"{what}: no section id={s}")
    check(re.search(r"https?://", html) is None, f"{what}: a URL in the page")
    check(re.search(r"<script", html, re.I) is None, f"{what}: a script in the page")
    check(re.search(r"<link\b", html, re.I) is None, f"{what}: a <link> in the page")
    check(re.search(r"\bsrc\s*=", html, re.I) is None, f"{what}: a src= in the page")
    check(re.search(r"@import|url\((?!#)", html) is None, f"{what}: CSS that loads something")
    check("default-src 'none'" in html, f"{what}: no Content-Security-Policy")
    for word in ("nan", "inf", "n/a"):
        check(re.search(rf"[ (]{word}[ ,.;)]", html) is None, f"{what}: '{word}' in the page")
    # Every section that has results draws a chart (an <svg>) or a table.
    for s in want_drawn:
        body = html.split(f'<section id="{s}">', 1)[-1].split("</section>", 1)[0]
        check("Not in these results" not in body, f"{what}: section {s} says it has no results")
        check("<svg" in body or "<table" in body, f"{what}: section {s} draws nothing")
        if "<svg" in body:
            check('class="notice"' in body, f"{what}: section {s} has a chart and no notice")
    return html


def write(folder, name, mapo, *args):
    p = run(mapo, *args)
    check(p.returncode == 0, f"mapo {' '.join(args)}: exit {p.returncode}: {p.stderr.strip()}")
    with open(os.path.join(folder, name), "w") as f:
        f.write(p.stdout)


def from_folder(mapo, scratch):
    results = os.path.join(scratch, "results")
    shutil.rmtree(results, ignore_errors=True)
    job = os.path.join(results, "mapo-sum-threads-17")
    os.makedirs(job)
    small = ["--numbers", "4", "--base", "50000", "--repeat", "3", "--json"]
    write(results, "recipe.json", mapo, "recipe", "show", "--json")
    write(results, "cook.json", mapo, "cook", "--model", "all", "--unit-ms", "2", "--json")
    write(results, "race.json", mapo, "race", "--demo", "cupboard", "--mode", "all", "--trials", "20",
          "--json")
    write(results, "deadlock.json", mapo, "race", "--demo", "deadlock", "--mode", "all", "--trials",
          "3", "--json")
    for m in ("serial", "false-sharing", "padded", "reduction"):
        write(results, f"sum-{m}.json", mapo, "sum", "--model", m, *small)
    write(results, "scale.json", mapo, "scale", "--threads", "1-3", "--numbers", "6", "--repeat", "1",
          "--json")
    write(results, "io-serial.json", mapo, "io", "--model", "serial", "--requests", "4",
          "--latency-ms", "5", "--repeat", "1", "--json")
    write(results, "io-poll.json", mapo, "io", "--model", "poll", "--requests", "4",
          "--latency-ms", "5", "--repeat", "1", "--json")
    for t in (1, 2, 3):  # a job's sweep over threads: a scaling chart of its own
        write(job, f"sum-{t}.json", mapo, "sum", "--model", "reduction", "--threads", str(t), *small)
    with open(os.path.join(job, "environment.txt"), "w") as f:
        f.write("MAPO_HOST=test\n")
    with open(os.path.join(results, "broken.json"), "w") as f:
        f.write('{"model": "serial", "seconds_median": \n')
    out = os.path.join(scratch, "from.html")
    p = run(mapo, "lesson", "--html", out, "--from", results)
    check(p.returncode == 0, f"--from: exit {p.returncode}: {p.stderr.strip()}")
    check("broken.json" in p.stderr, "--from: the broken file is not named as skipped")
    if p.returncode == 0:
        html = page_ok(out, "--from", ["recipe", "cooking", "races", "sums", "scaling", "io",
                                       "environment"])
        scaling = html.split('<section id="scaling">', 1)[1].split("</section>", 1)[0]
        check(scaling.count("<svg") >= 2, "--from: the sum sweep over threads drew no scaling chart")
        check("mapo-sum-threads-17/sum-2.json" in html, "--from: the job's files are not listed")
        compare = html.split('<section id="compare">', 1)[1].split("</section>", 1)[0]
        check("Not in these results" in compare, "--from: compare without results says nothing")


def page_requests(netlog):
    """The http(s)/ws(s) requests a page made, from chromium's net log: the browser's own
    (updates, its clock, accounts) have the initiator "not an origin"; a page's carry its
    origin ("null" for a file)."""
    text = open(netlog, encoding="utf-8", errors="replace").read().rstrip()
    try:
        log = json.loads(text)
    except ValueError:  # a log cut short when the browser exited
        log = json.loads(text.rstrip(",") + "]}")
    names = {v: k for k, v in log["constants"]["logEventTypes"].items()}
    found = []
    for e in log.get("events", []):
        params = e.get("params") or {}
        url = params.get("url", "")
        if names.get(e.get("type")) != "URL_REQUEST_START_JOB":
            continue
        if re.match(r"(https?|wss?|ftp)://", url) and params.get("initiator") != "not an origin":
            found.append(url)
    return found


def render(chromium, profile, page, extra):
    base = [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
            "--disable-extensions", "--disable-sync", "--disable-background-networking",
            "--disable-component-update", "--no-default-browser-check", "--hide-scrollbars",
            f"--user-data-dir={profile}", "--enable-logging=stderr", "--v=0",
            "--window-size=1280,720"]
    return subprocess.run(base + extra + ["file://" + os.path.abspath(page)],
                          capture_output=True, text=True, timeout=120)


def consoles(stderr):
    return [l for l in stderr.splitlines() if "CONSOLE" in l or "Refused to" in l]


def browser(scratch, page):
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    shot = os.path.join(scratch, "lesson-1280x720.png")
    netlog = os.path.join(scratch, "lesson-netlog.json")
    for f in (shot, netlog):
        if os.path.exists(f):
            os.remove(f)
    profile = tempfile.mkdtemp(prefix="lesson-chromium-", dir=scratch)
    p = render(chromium, profile, page, [f"--screenshot={shot}", f"--log-net-log={netlog}"])
    check(os.path.exists(shot) and os.path.getsize(shot) > 1000,
          f"no screenshot ({p.returncode}): {p.stderr[-2000:]}")
    print("screenshot:", shot)
    check(not consoles(p.stderr), f"console messages: {consoles(p.stderr)}")
    d = render(chromium, profile, page, ["--dump-dom"])
    for s in SECTIONS:
        check(f'id="{s}"' in d.stdout, f"rendered DOM: no section id={s}")
    check(not consoles(d.stderr), f"console messages (dump-dom): {consoles(d.stderr)}")
    if os.path.exists(netlog):
        urls = page_requests(netlog)
        check(not urls, f"the page made network requests: {urls[:10]}")
    else:
        check(False, "chromium wrote no net log")
    # The probe: a page that does load something, to show that the log would see it.
    probe = os.path.join(scratch, "probe.html")
    with open(probe, "w") as f:
        f.write('<!DOCTYPE html><html><body><img src="http://127.0.0.1:9/probe.png"></body></html>\n')
    probe_log = os.path.join(scratch, "probe-netlog.json")
    render(chromium, profile, probe, ["--dump-dom", f"--log-net-log={probe_log}"])
    check(os.path.exists(probe_log) and any("127.0.0.1:9" in u for u in page_requests(probe_log)),
          "the net log did not see the probe page's request: the check above proves nothing")
    shutil.rmtree(profile, ignore_errors=True)
    return 0


def main():
    mapo, scratch = sys.argv[1], sys.argv[2]
    use_browser = "--browser" in sys.argv[3:]
    os.makedirs(scratch, exist_ok=True)
    page = os.path.join(scratch, "lesson.html")
    if os.path.exists(page):
        os.remove(page)
    if use_browser and not (shutil.which("chromium") or shutil.which("chromium-browser")):
        print("skipped: chromium is not installed (apt-get install chromium)")
        return 77
    if not use_browser:
        bad_input(mapo, scratch)
    p = run(mapo, "lesson", "--quick", "--html", page)
    check(p.returncode == 0, f"mapo lesson --quick: exit {p.returncode}: {p.stderr.strip()}")
    if p.returncode == 0:
        page_ok(page, "--quick", ["recipe", "cooking", "races", "sums", "scaling", "io",
                                  "environment"])
    rc = 0
    if use_browser and p.returncode == 0:
        rc = browser(scratch, page)
    elif not use_browser:
        from_folder(mapo, scratch)
    if failures:
        print(f"{len(failures)} failure(s)")
        return 1
    print("ok")
    return rc


if __name__ == "__main__":
    sys.exit(main())
