"""Migration 0010 gives the positions with the most rows a band-less monthly summary that
answers as their month-level rows do, and goes back down without a trace."""

from __future__ import annotations

import flask_migrate
from sample_games import EXPLORER_SAMPLE
from sqlalchemy import inspect, text

from webapp.caching import bump_generation
from webapp.db.schema import current_revision, head_revision
from webapp.indexer import compact as compaction
from webapp.indexer.pgn import import_pgn_files

SUMMARY = (
    "SELECT position_key, month, move, collection, speed, rated, white, draws, black, rating_sum, banded "
    "FROM move_stats_monthly ORDER BY position_key, month, move, collection, speed, rated"
)
#: as 0010 made it: with best_band (which migration 0026 drops)
SUMMARY_AT_0010 = SUMMARY.replace("banded FROM", "banded, best_band FROM")
# the same sums computed straight from the month-level rows of the summarized positions
# (and their highest band, 0010's best_band)
EXPECTED = (
    "SELECT position_key, month, move, collection, speed, rated, sum(white), sum(draws), sum(black), "
    "sum(rating_sum), sum(CASE WHEN rating_band >= 0 THEN white + draws + black ELSE 0 END), max(rating_band) "
    "FROM move_stats_all GROUP BY position_key, month, move, collection, speed, rated "
    "HAVING position_key IN (SELECT position_key FROM move_stats_all GROUP BY position_key HAVING count(*) > :n) "
    "ORDER BY position_key, month, move, collection, speed, rated"
)


def _history(client) -> list:  # type: ignore[no-untyped-def]
    bump_generation()
    answers = []
    for play in ("", "e2e4", "d2d4"):
        for months in ({}, {"since": "2021-03", "until": "2021-07"}):
            response = client.get("/lichess/history", query_string={"play": play, **months})
            explorer = client.get("/api/explorer", query_string={"play": play, **months})
            assert response.status_code == explorer.status_code == 200
            answers.append((response.get_json(), explorer.get_json()["white"], explorer.get_json()["moves"]))
    return answers


def test_migration_0010_down_and_up(client, engine, monkeypatch) -> None:
    monkeypatch.setattr(compaction, "MONTHLY_ROWS", 8)
    import_pgn_files(engine, [EXPLORER_SAMPLE], index_plies=40, batch_size=5)
    compaction.compact(engine)
    answers = _history(client)
    with engine.connect() as connection:
        summarized = [tuple(r) for r in connection.execute(text(SUMMARY))]
        expected = [tuple(int(v) for v in r) for r in connection.execute(text(EXPECTED), {"n": 8})]
    assert summarized and summarized == [row[:-1] for row in expected]

    flask_migrate.downgrade(revision="0009")
    assert current_revision(engine) == "0009"
    tables = set(inspect(engine).get_table_names())
    assert not {"move_stats_monthly", "monthly_positions"} & tables

    flask_migrate.upgrade(revision="0010")
    with engine.connect() as connection:
        assert [tuple(r) for r in connection.execute(text(SUMMARY_AT_0010))] == expected
        assert connection.execute(text("SELECT count(*) FROM monthly_positions")).scalar() == len(
            {row[0] for row in expected}
        )
    flask_migrate.upgrade()  # later migrations recount the statistics: compaction sums them again
    assert current_revision(engine) == head_revision()
    compaction.compact(engine)
    assert _history(client) == answers
