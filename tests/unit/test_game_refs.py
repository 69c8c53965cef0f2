"""game_refs.best / newest: the first entries of top_order / recent_order, found without
sorting every entry (a position's rows can hold thousands)."""

from __future__ import annotations

import numpy as np
import pytest

from webapp.model import game_refs


def _entries(count: int, seed: int) -> np.ndarray:
    """Entries with many ties: few ratings and dates, so the id decides often."""
    rng = np.random.default_rng(seed)
    ids = rng.permutation(np.arange(1, 10 * count + 1))[:count]
    ratings = rng.choice([0, 1500, 1500, 2100, 2800], count)
    dates = rng.choice([0, 20190000, 20190300, 20190315, 20211231], count)
    return game_refs.encode(ids, ratings, dates)


@pytest.mark.parametrize("count", [0, 1, 7, 15, 16, 200, 3000])
@pytest.mark.parametrize("limit", [0, 1, 2, 15, 30])
def test_best_and_newest_are_the_first_of_the_full_orders(count: int, limit: int) -> None:
    for seed in range(3):
        entries = _entries(count, seed)
        assert game_refs.best(entries, limit).tolist() == game_refs.top_order(entries)[:limit].tolist()
        assert game_refs.newest(entries, limit).tolist() == game_refs.recent_order(entries)[:limit].tolist()


def test_the_rating_outranks_the_date_and_the_date_the_rating() -> None:
    entries = game_refs.encode(np.array([3, 2, 1]), np.array([2000, 2500, 2500]), np.array([20240101, 20200101, 20100101]))
    assert game_refs.best(entries, 3).tolist() == [1, 2, 0]  # 2500 newer first, then 2000
    assert game_refs.newest(entries, 3).tolist() == [0, 1, 2]  # 2024, 2020, 2010


def _sorted_entries(data: bytes | None) -> list[tuple[int, int, int]]:
    return sorted(tuple(int(v) for v in entry) for entry in game_refs.decode(data).tolist())


@pytest.mark.parametrize("first, second", [(10, 20), (30, 30), (1, game_refs.REFS_TRIMMED_PAST - 1)])
def test_rows_merged_keep_every_entry_up_to_the_trim_bound(first: int, second: int) -> None:
    entries = _entries(first + second, seed=first)
    parts = (entries[:first].tobytes(), entries[first:].tobytes())
    assert game_refs.merge(parts) == entries.tobytes()


@pytest.mark.parametrize("count", [game_refs.REFS_TRIMMED_PAST + 1, 500])
def test_rows_merged_past_the_bound_keep_their_best_and_newest(count: int) -> None:
    entries = _entries(count, seed=count)
    merged = game_refs.merge((entries[:7].tobytes(), None, entries[7:].tobytes()))
    kept = game_refs.decode(merged)
    assert merged == game_refs.trim(entries).tobytes()
    assert len(kept) <= game_refs.REFS_KEPT_ALL
    best = entries[game_refs.top_order(entries)[: game_refs.TOP_KEPT]]
    newest = entries[game_refs.recent_order(entries)[: game_refs.TOP_KEPT]]
    assert set(_sorted_entries(best.tobytes())) | set(_sorted_entries(newest.tobytes())) == set(_sorted_entries(merged))


def test_nothing_to_merge_is_none() -> None:
    assert game_refs.merge((None, b"")) is None
