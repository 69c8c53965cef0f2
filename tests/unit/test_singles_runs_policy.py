"""Which runs of one-game rows a compaction merges (webapp.indexer.runs): FAN_IN sealed
runs of one size tier in a row, the oldest such group first, never the open run."""

from __future__ import annotations

from webapp.indexer.runs import FAN_IN, SEAL_BYTES, Run, mergeable, tier

MB = 1 << 20


def _runs(*sizes: int, open_size: int = 0) -> list[Run]:
    """Sealed runs of these sizes, oldest first, each holding 10 batches, then the open run."""
    found = [Run(f"r{index}", None if index == 0 else 10 * index, 10 * (index + 1), size) for index, size in enumerate(sizes)]
    return [*found, Run("open", 10 * len(sizes), None, open_size)]


def test_tiers_grow_by_the_fan_in() -> None:
    assert (FAN_IN, SEAL_BYTES) == (4, 64 * MB)
    assert [tier(size) for size in (0, 64 * MB, 256 * MB - 1, 256 * MB, MB << 10, (MB << 12) - 1, MB << 12)] == [
        0, 0, 0, 1, 2, 2, 3,
    ]  # fmt: skip


def test_fan_in_runs_of_one_tier_in_a_row_are_merged() -> None:
    assert mergeable(_runs(64 * MB, 70 * MB, 80 * MB)) == []  # three: not yet
    group = mergeable(_runs(64 * MB, 70 * MB, 80 * MB, 65 * MB))
    assert [run.name for run in group] == ["r0", "r1", "r2", "r3"]


def test_the_open_run_is_never_merged() -> None:
    assert mergeable(_runs(64 * MB, 70 * MB, 80 * MB, open_size=65 * MB)) == []


def test_the_oldest_group_of_one_tier_goes_first_and_other_tiers_break_a_group() -> None:
    sizes = (MB << 12, 300 * MB, 64 * MB, 64 * MB, 64 * MB, 64 * MB, 64 * MB)
    assert [run.name for run in mergeable(_runs(*sizes))] == ["r2", "r3", "r4", "r5"]
    assert mergeable(_runs(64 * MB, 64 * MB, 300 * MB, 64 * MB, 64 * MB)) == []
