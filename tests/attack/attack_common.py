"""attack_common.py - what several attack tests share: waiting for a condition, and
whether this build of mapo runs POSIX aio at all.

ThreadSanitizer builds refuse `mapo io --model aio` in one line (TSan crashes inside
glibc's aio threads: src/async/aio.c), so the attack tests that need aio say "skipped"
there instead of failing (tests/cli/check_io.py checks the refusal itself).
"""
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
