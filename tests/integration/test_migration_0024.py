"""Migration 0024: the positions' band-less sums come as two new, empty tables, which
compaction fills; down, they go, and the rollups they summed are left as they were."""

from __future__ import annotations

import flask_migrate
from compaction_thresholds import shrink_thresholds
from declared_tables import assert_declared_and_empty
from explorer_reference import api_numbers, read_games, reference
from sample_games import EXPLORER_SAMPLE, import_pgn
from sqlalchemy import inspect, text

from webapp.db.tables import bandless_positions, move_stats_bandless
from webapp.indexer.compact import compact

TABLES = (move_stats_bandless, bandless_positions)


def _rollup(engine) -> list:  # type: ignore[type-arg]
    with engine.connect() as connection:
        return connection.execute(text("SELECT * FROM move_stats_rollup ORDER BY 1, 2, 3, 4, 5, 6, 7")).all()


def _listed(engine) -> int:  # type: ignore[no-untyped-def]
    with engine.connect() as connection:
        return int(connection.execute(text("SELECT count(*) FROM bandless_positions")).scalar_one())


def test_down_and_up_again(client, engine, monkeypatch) -> None:
    shrink_thresholds(monkeypatch, hot=1, monthly=1)
    import_pgn(engine, [EXPLORER_SAMPLE])
    games = read_games([EXPLORER_SAMPLE])
    assert compact(engine).bandless_added == _listed(engine) > 0
    rollup = _rollup(engine)

    flask_migrate.downgrade(revision="0023")
    names = set(inspect(engine).get_table_names())
    assert not {t.name for t in TABLES} & names
    assert _rollup(engine) == rollup
    assert compact(engine).bandless_added == 0  # the schema before: compaction goes on without them

    flask_migrate.upgrade()
    assert_declared_and_empty(engine, TABLES)
    for play in ([], ["e2e4"]):  # nothing summed: the rollup answers
        body = client.get(f"/api/explorer?play={','.join(play)}").get_json()
        assert api_numbers(body) == reference(games, play=play)

    assert compact(engine).bandless_added == _listed(engine) > 0  # the next compaction sums them
    for play in ([], ["e2e4"]):
        body = client.get(f"/api/explorer?play={','.join(play)}&speeds=blitz").get_json()
        assert api_numbers(body) == reference(games, play=play, speeds=["blitz"])
