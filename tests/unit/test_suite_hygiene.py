"""The test suite keeps its hands off the machine's shared services (every test that empties
a Redis empties the session's private one, no test counts on a fixed port being closed),
and a run says loudly which tiers were skipped; with CI=true a skip fails the run."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]
_FLUSH = re.compile(r"\.(flushdb|flushall)\(|\bcache\.clear\(\)|\.delete\(\s*key\s*\)")
_FIXED_CLOSED_PORT = re.compile(r"redis://[^/\s\"':]+:(?!6379\b)\d+")


def _test_sources() -> dict[Path, str]:
    return {
        path: path.read_text()
        for path in TESTS.rglob("*.py")
        if path.resolve() != Path(__file__).resolve()
    }


def test_every_test_that_empties_a_redis_uses_the_private_one() -> None:
    offenders = [
        str(path.relative_to(TESTS))
        for path, source in _test_sources().items()
        if _FLUSH.search(source) and "private_redis_url" not in source
    ]
    assert offenders == []


def test_no_test_assumes_a_fixed_port_is_closed() -> None:
    offenders = {
        str(path.relative_to(TESTS)): _FIXED_CLOSED_PORT.findall(source)
        for path, source in _test_sources().items()
        if _FIXED_CLOSED_PORT.search(source)
    }
    assert offenders == {}


def _pytest(*, ci: bool) -> subprocess.CompletedProcess[str]:
    """A small run of the suite in which the browser tier skips (no Chromium here)."""
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    env["CHROMIUM"] = "/nonexistent/chromium"
    if ci:
        env["CI"] = "true"
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "tests/unit/test_speed.py", "tests/browser/test_state.py"],
        cwd=TESTS.parent, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip


def test_a_skipped_tier_is_named_loudly_and_fails_the_run_in_ci() -> None:
    local = _pytest(ci=False)
    assert local.returncode == 0, local.stdout[-2000:]
    assert "browser: " in local.stdout and "TIER SKIPPED" in local.stdout
    assert "SKIPPED: these tests did not run" in local.stdout
    assert "browser tests need chromium and chromedriver" in local.stdout
    ci = _pytest(ci=True)
    assert ci.returncode == 1, ci.stdout[-2000:]
    assert "CI=true: skipped tests fail the run" in ci.stdout
