"""Which runs of one-game rows a compaction merges (webapp.indexer.runs.next_merge): small
runs in a row once they add up to a full run or number MAX_SMALL_RUNS, then FAN_IN full
runs of one size tier in a row, the oldest group first, never an open run."""

from __future__ import annotations

from webapp.indexer.runs import (
    FAN_IN,
    FULL_BYTES,
    MAX_SMALL_RUNS,
    Run,
    mergeable,
    next_merge,
    small_group,
    tier,
)

MB = 1 << 20


def _runs(*sizes: int, open_size: int | None = None) -> list[Run]:
    """Runs of these sizes, oldest first, each holding 10 batches (then an open run)."""
    found = [Run(f"r{index}", None if index == 0 else 10 * index, 10 * (index + 1), size) for index, size in enumerate(sizes)]
    if open_size is not None:
        found.append(Run("open", 10 * len(sizes), None, open_size))
    return found


def _names(group: list[Run]) -> list[str]:
    return [run.name for run in group]


def test_tiers_grow_by_the_fan_in() -> None:
    assert (FAN_IN, FULL_BYTES, MAX_SMALL_RUNS) == (4, 64 * MB, 20)
    assert [tier(size) for size in (64 * MB, 256 * MB - 1, 256 * MB, MB << 10, (MB << 12) - 1, MB << 12)] == [
        0, 0, 1, 2, 2, 3,
    ]  # fmt: skip


def test_small_runs_are_merged_once_they_add_up_to_a_full_run() -> None:
    assert small_group(_runs(100 * MB, 30 * MB, 30 * MB)) == []  # 60 MB: not yet
    assert _names(small_group(_runs(100 * MB, 30 * MB, 30 * MB, 5 * MB, 30 * MB))) == ["r1", "r2", "r3"]
    assert small_group(_runs(70 * MB)) == []  # one run alone is never merged


def test_many_small_runs_are_merged_however_small() -> None:
    few = (MB,) * (MAX_SMALL_RUNS - 1)
    assert small_group(_runs(100 * MB, *few)) == []
    assert _names(small_group(_runs(100 * MB, *few, MB))) == [f"r{index}" for index in range(1, MAX_SMALL_RUNS + 1)]


def test_a_full_run_between_small_ones_parts_them() -> None:
    """Merged runs must lie side by side: their bounds become the merged run's."""
    assert small_group(_runs(40 * MB, 100 * MB, 40 * MB)) == []
    assert _names(small_group(_runs(40 * MB, 100 * MB, 40 * MB, 40 * MB))) == ["r2", "r3"]


def test_fan_in_full_runs_of_one_tier_in_a_row_are_merged() -> None:
    assert mergeable(_runs(64 * MB, 70 * MB, 80 * MB)) == []  # three: not yet
    assert _names(mergeable(_runs(64 * MB, 70 * MB, 80 * MB, 65 * MB))) == ["r0", "r1", "r2", "r3"]
    assert mergeable(_runs(64 * MB, 70 * MB, MB, 80 * MB, 65 * MB)) == []  # a small run between


def test_an_open_run_is_never_merged() -> None:
    assert mergeable(_runs(64 * MB, 70 * MB, 80 * MB, open_size=65 * MB)) == []
    assert small_group(_runs(100 * MB, 40 * MB, open_size=40 * MB)) == []
    assert next_merge(_runs(100 * MB, *(MB,) * (MAX_SMALL_RUNS - 1), open_size=MB)) == []


def test_the_oldest_group_of_one_tier_goes_first_and_other_tiers_break_a_group() -> None:
    sizes = (MB << 12, 300 * MB, 64 * MB, 64 * MB, 64 * MB, 64 * MB, 64 * MB)
    assert _names(mergeable(_runs(*sizes))) == ["r2", "r3", "r4", "r5"]
    assert mergeable(_runs(64 * MB, 64 * MB, 300 * MB, 64 * MB, 64 * MB)) == []


def test_small_runs_go_before_full_ones() -> None:
    current = _runs(64 * MB, 64 * MB, 64 * MB, 64 * MB, 40 * MB, 40 * MB)
    assert _names(next_merge(current)) == ["r4", "r5"]
    assert _names(next_merge(current[:4])) == ["r0", "r1", "r2", "r3"]
