"""Migration 0022: each monthly summary row keeps the highest rating among its games'
references (best_rating), written by compaction and backfilled by the migration alike,
beside the best_band the previous release reads (until migration 0026). On PostgreSQL,
at 0022 (up to 0025), triggers give the rows the previous release's compaction writes
their best rating."""

from __future__ import annotations

from collections import defaultdict

import chess
import flask_migrate
import numpy as np
import pytest
from compaction_thresholds import shrink_thresholds
from sample_games import EXPLORER_SAMPLE
from sqlalchemy import inspect, text
from test_migration_0010 import EXPECTED

from webapp.caching import bump_generation
from webapp.db.schema import current_revision, head_revision
from webapp.indexer import compact as compaction
from webapp.indexer.pgn import import_pgn_files
from webapp.model import game_refs
from webapp.model.position import position_key

KEY = "position_key, month, move, collection, speed, rated"
#: the setting this release's compaction set on, up to migration 0026, for its transactions
#: that wrote best_rating themselves
WRITES_BEST_RATING = "webapp.writes_best_rating"


def _column(engine, name: str) -> list[tuple[int, ...]]:  # type: ignore[no-untyped-def]
    with engine.connect() as connection:
        return [tuple(r) for r in connection.execute(text(f"SELECT {KEY}, {name} FROM move_stats_monthly ORDER BY {KEY}"))]


def _expected_best_ratings(engine) -> list[tuple[int, ...]]:  # type: ignore[no-untyped-def]
    """The highest rating among the references of the month-level rows each summary row
    sums, decoded here (0 when they have none)."""
    best: dict[tuple[int, ...], int] = defaultdict(int)
    with engine.connect() as connection:
        rows = connection.execute(
            text(
                f"SELECT {KEY}, refs FROM move_stats_all "
                "WHERE position_key IN (SELECT position_key FROM monthly_positions)"
            )
        )
        for *key, refs in rows:
            ratings = game_refs.decode(refs)["rating"]
            best[tuple(key)] = max(best[tuple(key)], int(ratings.max()) if len(ratings) else 0)
    return sorted((*key, rating) for key, rating in best.items())


def _expected_best_bands(engine) -> list[tuple[int, ...]]:  # type: ignore[no-untyped-def]
    """The highest band of the month-level rows each summary row sums."""
    with engine.connect() as connection:
        return [tuple(int(v) for v in (*r[:6], r[-1])) for r in connection.execute(text(EXPECTED), {"n": 8})]


def _answers(client) -> list:  # type: ignore[no-untyped-def]
    bump_generation()
    answers = []
    for play in ("", "e2e4", "d2d4", "e2e4,c7c5"):
        params = {"play": play, "since": "2021-01", "until": "2021-12", "topGames": "15", "recentGames": "15"}
        response = client.get("/api/explorer", query_string=params)
        assert response.status_code == 200
        answers.append(response.get_json())
    return answers


def _import_and_compact(engine, monkeypatch, *, merging: bool = False) -> None:  # type: ignore[no-untyped-def]
    """The sample imported and compacted, positions of more than 8 rows given a monthly
    summary; `merging`: the rows appended later merge into it too (compaction_thresholds)."""
    if merging:
        shrink_thresholds(monkeypatch, hot=4, monthly=8)
    monkeypatch.setattr(compaction, "MONTHLY_ROWS", 8)
    import_pgn_files(engine, [EXPLORER_SAMPLE], index_plies=40, batch_size=5)
    compaction.compact(engine)


def test_migration_0022_best_ratings_backfilled_and_taken_away(client, engine, monkeypatch) -> None:
    _import_and_compact(engine, monkeypatch)
    expected = _expected_best_ratings(engine)
    ratings = {rating for *_, rating in expected}
    assert len(expected) > 100 and len(ratings) > 2 * len({rating // 100 for rating in ratings})  # finer than bands
    assert _column(engine, "best_rating") == expected
    bands = _expected_best_bands(engine)
    answers = _answers(client)
    assert answers[0]["topGames"] and answers[0]["recentGames"]

    flask_migrate.downgrade(revision="0021")
    assert current_revision(engine) == "0021"
    assert "best_rating" not in {c["name"] for c in inspect(engine).get_columns("move_stats_monthly")}
    assert _column(engine, "best_band") == bands  # as migration 0026 gives it back

    flask_migrate.upgrade()
    assert current_revision(engine) == head_revision()
    assert _column(engine, "best_rating") == expected  # backfilled from the references
    assert _answers(client) == answers


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)  # SQLite: one writer at a time
def test_on_postgresql_the_previous_releases_compaction_writes_get_their_best_rating(
    client, engine, monkeypatch
) -> None:
    """While migration 0022 runs and until its worker stops, the previous release's
    compaction writes monthly rows without best_rating: triggers read it from their
    references, where a row is inserted and where games are added to one, so the lists stay
    exact. A transaction that writes the rating itself (WRITES_BEST_RATING) is left alone.
    At 0025, the last revision with the triggers (0026 drops them)."""
    _import_and_compact(engine, monkeypatch)
    flask_migrate.downgrade(revision="0025")
    try:
        _previous_compactions_writes(client, engine)
    finally:
        flask_migrate.upgrade()
    assert current_revision(engine) == head_revision()


def _previous_compactions_writes(client, engine) -> None:  # type: ignore[no-untyped-def]
    where = " AND ".join(f"{name} = :{name}" for name in KEY.split(", "))
    with engine.connect() as connection:
        *key, refs = connection.execute(
            text(
                f"SELECT {KEY}, refs FROM move_stats_monthly WHERE position_key = :key "
                "AND month BETWEEN 202101 AND 202112 AND refs IS NOT NULL ORDER BY best_rating LIMIT 1"
            ),
            {"key": position_key(chess.Board())},
        ).one()
    values = dict(zip(KEY.split(", "), key, strict=True))
    entries = game_refs.decode(refs).copy()
    game_id = int(entries["id"][0])
    entries["rating"][0] = 3999  # as if the game came rated 3999, added by the older compaction
    with engine.begin() as connection:
        connection.execute(text(f"UPDATE move_stats_monthly SET refs = :refs WHERE {where}"), {**values, "refs": entries.tobytes()})
        connection.execute(  # and a row it wrote anew
            text(
                f"INSERT INTO move_stats_monthly ({KEY}, white, draws, black, rating_sum, banded, best_band, refs) "
                "VALUES (:position_key, 199901, :move, :collection, :speed, :rated, 1, 0, 0, 2500, 1, 25, :refs)"
            ),
            {**values, "refs": game_refs.encode(np.array([game_id]), np.array([2500]), np.array([19990115])).tobytes()},
        )
    same_row = {**values, "month": 199901}
    assert _best_rating(engine, where, values) == 3999 and _best_rating(engine, where, same_row) == 2500
    bump_generation()
    top = client.get("/api/explorer", query_string={"since": "2021-01", "until": "2021-12", "topGames": "15"})
    with engine.connect() as connection:
        uid = connection.execute(text("SELECT uid FROM games WHERE id = :id"), {"id": game_id}).scalar_one()
    assert "lichess:" + top.get_json()["topGames"][0]["id"] == uid

    entries["rating"][0] = 100
    with engine.begin() as connection:  # this release's compaction writes the rating itself
        connection.execute(text(f"SET LOCAL {WRITES_BEST_RATING} = 'on'"))
        connection.execute(text(f"UPDATE move_stats_monthly SET refs = :refs WHERE {where}"), {**values, "refs": entries.tobytes()})
    assert _best_rating(engine, where, values) == 3999


def _best_rating(engine, where: str, values: dict) -> int | None:  # type: ignore[no-untyped-def, type-arg]
    with engine.connect() as connection:
        return connection.execute(text(f"SELECT best_rating FROM move_stats_monthly WHERE {where}"), values).scalar_one()
