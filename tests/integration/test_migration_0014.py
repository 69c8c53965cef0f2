"""Migration 0014 (think time, counted in every statistics row): down to 0013 the columns
are gone and the explorer still answers; up again they are filled exactly from the stored
games' clocks and time controls, for all games, a compacted store's summaries and a tracked
player, as python-chess reads the files."""

from __future__ import annotations

import time

import flask_migrate
from compaction_thresholds import shrink_thresholds
from old_schema import explorer_reads_move_stats, position_bandless
from sample_games import import_pgn
from sqlalchemy import inspect
from test_think_time_api import EMPTY, FILES, PLAYER, POSITIONS, answers
from think_time_reference import read_timed_games, think_time_reference

from webapp.caching import bump_generation
from webapp.db.players import find_player_ids
from webapp.db.schema import current_revision, head_revision
from webapp.indexer import compact as compaction
from webapp.indexer.reindex import index_players
from webapp.model.think_time import THINK_TIME_COLUMNS

TABLES = ("move_stats", "move_stats_rollup", "move_stats_monthly", "player_move_stats", "player_move_stats_rollup")


def _columns(engine, table: str) -> set[str]:  # type: ignore[no-untyped-def]
    return {c["name"] for c in inspect(engine).get_columns(table)}


def test_migration_0014_down_and_up_fills_the_think_times(client, engine, monkeypatch) -> None:
    import_pgn(engine, FILES)
    games = read_timed_games(FILES)
    with engine.connect() as connection:
        ids = find_player_ids(connection, PLAYER)
    index_players(engine, ids)
    shrink_thresholds(monkeypatch, hot=8, monthly=16)
    compaction.compact(engine)

    flask_migrate.downgrade(revision="0013")
    assert current_revision(engine) == "0013"
    for table in TABLES:
        assert not _columns(engine, table) & set(THINK_TIME_COLUMNS)
    bump_generation()
    with explorer_reads_move_stats(engine), position_bandless(engine):
        old = client.get("/api/explorer?play=e2e4&topGames=0&recentGames=0&endings=1")
    assert old.status_code == 200 and old.get_json()["games"] > 0

    started = time.monotonic()
    flask_migrate.upgrade()
    print(f"migration 0014 on {len(games)} games: {time.monotonic() - started:.1f} s")
    assert current_revision(engine) == head_revision()
    for table in TABLES:
        assert set(THINK_TIME_COLUMNS) <= _columns(engine, table)
    bump_generation()
    for play in POSITIONS:
        expected = think_time_reference(games, play)
        assert answers(client, play) == expected, play
        assert answers(client, play, since="2000-01", until="2030-12") == expected, play
        mine = think_time_reference(games, play, player=PLAYER.split(":")[1])
        assert answers(client, play, player=PLAYER) == {"position": EMPTY, **mine}, play
    compaction.compact(engine)  # the recounted store compacts again into the same answers
    bump_generation()
    assert answers(client, ()) == think_time_reference(games, ())
