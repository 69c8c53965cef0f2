"""The test suite keeps its hands off the machine's shared services: every test that empties
a Redis empties the session's private one, and no test counts on a fixed port being closed."""

from __future__ import annotations

import re
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
