"""Migration 0021: on PostgreSQL the games' player references are no longer foreign keys
(each checked row locked both players' rows); SQLite keeps them. Every game still names
stored players, and the keys come back down over the stored games."""

from __future__ import annotations

import chess.pgn
import flask_migrate
from sample_games import EXPLORER_SAMPLE
from sqlalchemy import bindparam, inspect, text

from webapp.db.schema import current_revision, head_revision
from webapp.indexer.pgn import import_pgn_files

KEYS = {"fk_games_white_id_players", "fk_games_black_id_players"}


def _keys(engine) -> set[str]:  # type: ignore[no-untyped-def]
    return {key["name"] for key in inspect(engine).get_foreign_keys("games") if key["referred_table"] == "players"}


def _sample_players() -> list[tuple[str, str]]:
    """(White, Black) of every standard game in the sample, each game once (by its Site),
    read by python-chess."""
    pairs = {}
    with open(EXPLORER_SAMPLE, encoding="utf-8") as handle:
        while (game := chess.pgn.read_game(handle)) is not None:
            if game.headers.get("Variant", "Standard") == "Standard":
                pairs.setdefault(game.headers["Site"], (game.headers["White"].lower(), game.headers["Black"].lower()))
    return list(pairs.values())


def _stored_players(engine) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    with engine.connect() as connection:
        return [
            tuple(row)
            for row in connection.execute(
                text(
                    "SELECT w.name, b.name FROM games g JOIN players w ON w.id = g.white_id "
                    "JOIN players b ON b.id = g.black_id ORDER BY g.id"
                )
            )
        ]


def test_migration_0021_drops_the_games_player_keys_on_postgresql_and_back(engine) -> None:
    postgres = engine.dialect.name == "postgresql"
    assert current_revision(engine) == head_revision()
    if postgres:
        assert _keys(engine) == set()
    else:  # SQLite reports its keys unnamed; both columns still refer to players
        referring = {tuple(key["constrained_columns"]) for key in inspect(engine).get_foreign_keys("games")}
        assert referring == {("white_id",), ("black_id",)}
    report = import_pgn_files(engine, [EXPLORER_SAMPLE], index_plies=40)
    expected = _sample_players()
    assert report.imported == len(expected)
    assert sorted(_stored_players(engine)) == sorted(expected)  # every game names stored players

    flask_migrate.downgrade(revision="0020")
    try:
        if postgres:
            assert _keys(engine) == KEYS
            with engine.connect() as connection:  # added NOT VALID, then validated over the stored games
                validated = connection.execute(
                    text("SELECT conname, convalidated FROM pg_constraint WHERE conname IN :names").bindparams(
                        bindparam("names", expanding=True)
                    ),
                    {"names": sorted(KEYS)},
                ).all()
            assert sorted(validated) == [(name, True) for name in sorted(KEYS)]
            with engine.connect() as connection:
                assert connection.execute(text("SELECT count(*) FROM games")).scalar_one() == len(expected)
    finally:
        flask_migrate.upgrade()
    assert current_revision(engine) == head_revision()
    if postgres:
        assert _keys(engine) == set()
    import_pgn_files(engine, [EXPLORER_SAMPLE], index_plies=40)  # a re-import adds nothing
    assert sorted(_stored_players(engine)) == sorted(expected)
