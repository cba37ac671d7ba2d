"""attack_common.py - what several attack tests share: waiting for a condition, and
whether this build of mapo runs POSIX aio at all.

ThreadSanitizer builds refuse `mapo io --model aio` in one line (TSan crashes inside
glibc's aio threads: src/async/aio.c), so the attack tests that need aio say "skipped"
there instead of failing (tests/cli/check_io.py checks the refusal itself).
"""
import os
import re
import shutil
import subprocess
import time


def aio_refused(mapo):
    """The refusal's line when this build cannot run aio, else None."""
    p = subprocess.run([mapo, "io", "--model", "aio", "--requests", "1", "--repeat", "1"],
                       capture_output=True, text=True, timeout=120)
    if p.returncode == 1 and "cannot run POSIX aio" in p.stderr:
        return p.stderr.strip()
    return None


def wait_for(cond, seconds):
    """Poll cond every 20 ms for up to seconds; its last answer."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if cond():
            return True
        time.sleep(0.02)
    return cond()


def reachable_env(env, place):
    """env for a run as user nobody from place: a sanitizer's suppressions file (in a
    build tree nobody may not enter, such as a clone under mktemp -d) copied into place."""
    env = dict(env)
    for name in ("TSAN_OPTIONS", "ASAN_OPTIONS", "LSAN_OPTIONS", "UBSAN_OPTIONS"):
        def moved(m, name=name):
            copy = os.path.join(place, name.lower() + "-" + os.path.basename(m.group(2)))
            shutil.copy(m.group(2), copy)
            os.chmod(copy, 0o644)
            return m.group(1) + "suppressions=" + copy
        if name in env:  # suppressions=PATH, not print_suppressions=0
            env[name] = re.sub(r"(^|:)suppressions=([^:]+)", moved, env[name])
    return env
