"""The SQL that merges statistics rows' game references (webapp.db.refs_sql) gives what
webapp.model.game_refs.merge gives, on SQLite and PostgreSQL: every entry up to
REFS_TRIMMED_PAST, past it the best and newest TOP_KEPT; and refs_best reads the highest
rating among the entries merged."""

from __future__ import annotations

import numpy as np
import pytest
from sqlalchemy import text

from webapp.db.refs_sql import refs_agg, refs_best, refs_merge
from webapp.model import game_refs

BOUND = game_refs.REFS_TRIMMED_PAST


def _entries(count: int, seed: int) -> np.ndarray:
    """Entries with ties on rating and date, so the id decides often."""
    rng = np.random.default_rng(seed)
    ids = rng.permutation(np.arange(1, 10 * count + 1))[:count]
    ratings = rng.choice([0, 1500, 2100, 2800], count)
    dates = rng.choice([0, 20190000, 20190315, 20211231], count)
    return game_refs.encode(ids, ratings, dates)


def _sorted(data: bytes | None) -> list[tuple[int, ...]]:
    return sorted(tuple(int(v) for v in entry) for entry in game_refs.decode(data).tolist())


@pytest.mark.parametrize(
    "first, second",
    [(0, 5), (5, 0), (12, 18), (game_refs.REFS_KEPT_ALL, 1), (30, BOUND - 30), (30, BOUND - 29), (BOUND, BOUND), (3, 200)],
)
def test_refs_merge_is_game_refs_merge(engine, first: int, second: int) -> None:  # type: ignore[no-untyped-def]
    entries = _entries(first + second, seed=first * 1000 + second)
    a = entries[:first].tobytes() or None
    b = entries[first:].tobytes() or None
    expected = game_refs.merge((a, b))
    with engine.connect() as connection:
        dialect = connection.dialect.name
        first_sql, second_sql = (("CAST(:a AS bytea)", "CAST(:b AS bytea)") if dialect == "postgresql" else (":a", ":b"))
        merged = connection.execute(
            text(f"SELECT {refs_merge(first_sql, second_sql, dialect)}"), {"a": a, "b": b}
        ).scalar_one()
    assert (bytes(merged) if merged is not None else None) == expected
    if first + second <= BOUND:
        assert _sorted(expected) == _sorted(entries.tobytes())
    else:
        assert len(game_refs.decode(expected)) <= game_refs.REFS_KEPT_ALL


@pytest.mark.parametrize("sizes", [(1, 2, 3), (20, 20, 20), (20, 20, 21), (40, 40, 40, 40), (200,)])
def test_refs_agg_keeps_what_game_refs_merge_keeps(engine, sizes: tuple[int, ...]) -> None:  # type: ignore[no-untyped-def]
    entries = _entries(sum(sizes), seed=sum(sizes))
    parts, start = [], 0
    for size in sizes:
        parts.append(entries[start : start + size].tobytes())
        start += size
    blob = "bytea" if engine.dialect.name == "postgresql" else "blob"
    with engine.connect() as connection:
        connection.execute(text(f"CREATE TEMPORARY TABLE refs_parts (refs {blob})"))
        connection.execute(text("INSERT INTO refs_parts (refs) VALUES (:refs)"), [{"refs": part} for part in parts])
        merged = connection.execute(
            text(f"SELECT {refs_agg('refs', connection.dialect.name)} FROM refs_parts")
        ).scalar_one()
        connection.rollback()
    # the rows are aggregated in no set order: the same entries, not the same bytes
    assert _sorted(bytes(merged)) == _sorted(game_refs.merge(parts))
    if sum(sizes) <= BOUND:
        assert _sorted(bytes(merged)) == _sorted(entries.tobytes())


@pytest.mark.parametrize("sizes", [(), (1,), (0, 1), (3, 2, 7), (40, 40, 40, 40)])
def test_refs_best_is_the_highest_rating_of_every_entry_merged(engine, sizes: tuple[int, ...]) -> None:  # type: ignore[no-untyped-def]
    """Over rows of `sizes` entries (0: a row without references), ratings up to 65,535:
    the highest of them all, trimmed or not, 0 when there is none."""
    rng = np.random.default_rng(len(sizes))
    entries = game_refs.encode(
        np.arange(1, sum(sizes) + 1), rng.integers(0, 0x10000, sum(sizes)), np.full(sum(sizes), 20210315)
    )
    parts, start = [], 0
    for size in sizes:
        parts.append(entries[start : start + size].tobytes() or None)
        start += size
    blob = "bytea" if engine.dialect.name == "postgresql" else "blob"
    with engine.connect() as connection:
        connection.execute(text(f"CREATE TEMPORARY TABLE refs_parts (refs {blob})"))
        if parts:
            connection.execute(text("INSERT INTO refs_parts (refs) VALUES (:refs)"), [{"refs": p} for p in parts])
        best = connection.execute(
            text(f"SELECT {refs_best('refs', connection.dialect.name)} FROM refs_parts")
        ).scalar_one()
        connection.rollback()
    assert best == (max(int(r) for r in entries["rating"]) if len(entries) else 0)
