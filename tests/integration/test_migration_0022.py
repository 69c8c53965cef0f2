"""Migration 0022: each monthly summary row keeps the highest rating among its games'
references (best_rating) instead of their highest band, written by compaction and by the
migration alike; down, the band comes back as the one of that rating."""

from __future__ import annotations

from collections import defaultdict

import flask_migrate
from sample_games import EXPLORER_SAMPLE
from sqlalchemy import text
from test_migration_0010 import EXPECTED

from webapp.caching import bump_generation
from webapp.db.schema import current_revision, head_revision
from webapp.indexer import compact as compaction
from webapp.indexer.pgn import import_pgn_files
from webapp.model import game_refs

KEY = "position_key, month, move, collection, speed, rated"


def _best_ratings(engine) -> list[tuple[int, ...]]:  # type: ignore[no-untyped-def]
    with engine.connect() as connection:
        return [tuple(r) for r in connection.execute(text(f"SELECT {KEY}, best_rating FROM move_stats_monthly ORDER BY {KEY}"))]


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


def _answers(client) -> list:  # type: ignore[no-untyped-def]
    bump_generation()
    answers = []
    for play in ("", "e2e4", "d2d4", "e2e4,c7c5"):
        params = {"play": play, "since": "2021-01", "until": "2021-12", "topGames": "15", "recentGames": "15"}
        response = client.get("/api/explorer", query_string=params)
        assert response.status_code == 200
        answers.append(response.get_json())
    return answers


def test_migration_0022_best_ratings_down_to_bands_and_up(client, engine, monkeypatch) -> None:
    monkeypatch.setattr(compaction, "MONTHLY_ROWS", 8)
    import_pgn_files(engine, [EXPLORER_SAMPLE], index_plies=40, batch_size=5)
    compaction.compact(engine)
    expected = _expected_best_ratings(engine)
    ratings = {rating for *_, rating in expected}
    assert len(expected) > 100 and len(ratings) > 2 * len({rating // 100 for rating in ratings})  # finer than bands
    assert _best_ratings(engine) == expected
    answers = _answers(client)
    assert answers[0]["topGames"] and answers[0]["recentGames"]

    flask_migrate.downgrade(revision="0021")
    assert current_revision(engine) == "0021"
    with engine.connect() as connection:
        bands = [tuple(r) for r in connection.execute(text(f"SELECT {KEY}, best_band FROM move_stats_monthly ORDER BY {KEY}"))]
        # the highest band of the month-level rows, as compaction wrote best_band before
        by_month = {tuple(int(v) for v in r[:6]): int(r[-1]) for r in connection.execute(text(EXPECTED), {"n": 8})}
    assert bands == [(*key, by_month[key]) for key in (tuple(r[:6]) for r in bands)]

    flask_migrate.upgrade()
    assert current_revision(engine) == head_revision()
    assert _best_ratings(engine) == expected
    assert _answers(client) == answers
