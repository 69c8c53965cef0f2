"""Migration 0011 (how games ended, counted in every statistics row): down to 0009 the
columns are gone and the explorer still answers; up again they are filled exactly from
the stored games, for all games and a tracked player, as python-chess reads the files."""

from __future__ import annotations

import flask_migrate
from endings_reference import endings_reference, read_ended_games
from old_schema import explorer_reads_move_stats, position_bandless
from sample_games import import_pgn
from sqlalchemy import inspect
from test_endings_api import FILES, PLAYER, answers

from webapp.caching import bump_generation
from webapp.db.players import find_player_ids
from webapp.db.schema import current_revision, head_revision
from webapp.indexer.reindex import index_players
from webapp.model.endings import ENDING_COLUMNS

TABLES = ("move_stats", "move_stats_rollup", "player_move_stats", "player_move_stats_rollup")


def _columns(engine, table: str) -> set[str]:  # type: ignore[no-untyped-def]
    return {c["name"] for c in inspect(engine).get_columns(table)}


def test_migration_0011_down_and_up_fills_the_endings(client, engine) -> None:
    files = FILES[1:]  # the chess.com files: every kind of sentence
    import_pgn(engine, files)
    games = read_ended_games(files)
    with engine.connect() as connection:
        ids = find_player_ids(connection, PLAYER)
    index_players(engine, ids)

    flask_migrate.downgrade(revision="0009")
    assert current_revision(engine) == "0009"
    for table in TABLES:
        assert not _columns(engine, table) & set(ENDING_COLUMNS)
    bump_generation()
    with explorer_reads_move_stats(engine), position_bandless(engine):
        old = client.get("/api/explorer?play=e2e4&topGames=0&recentGames=0").get_json()
    assert (old["white"], old["draws"], old["black"]) == tuple(
        endings_reference(games, ("e2e4",))["position"][s] for s in ("white", "draws", "black")
    )

    flask_migrate.upgrade()
    assert current_revision(engine) == head_revision()
    for table in TABLES:
        assert set(ENDING_COLUMNS) <= _columns(engine, table)
    bump_generation()
    for play in ((), ("e2e4",), ("d2d4",)):
        assert answers(client, play) == endings_reference(games, play)
        assert answers(client, play, player=PLAYER) == endings_reference(games, play, player=PLAYER.split(":")[1])
