"""Compaction's thresholds shrunk to a sample of a few dozen games, so it reaches there
every path a large store takes: a rollup, a monthly summary, merged keys."""

from __future__ import annotations

import pytest

from webapp.indexer import compact as compaction


def shrink_thresholds(monkeypatch: pytest.MonkeyPatch, *, hot: int, monthly: int | None = None) -> None:
    """Positions with more than `hot` rows get a month-less rollup (more than `monthly`,
    when given, a monthly summary too), a key repeated at any position merges, and a merged
    position left with two rows or more is recorded (merged_positions)."""
    monkeypatch.setattr(compaction, "HOT_ROWS", hot)
    monkeypatch.setattr(compaction, "MERGE_ROWS", 1)
    monkeypatch.setattr(compaction, "RECORD_ROWS", 2)
    if monthly is not None:
        monkeypatch.setattr(compaction, "MONTHLY_ROWS", monthly)
