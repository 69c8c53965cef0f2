"""Migration 0017 (clocks kept compactly): down to 0016 every stored game's clocks are four
bytes a ply again, up they are rewritten in the compact form, and through both the games
read back with the clocks python-chess reads in the files (lichess whole seconds, chess.com
tenths)."""

from __future__ import annotations

import re

import flask_migrate
from sqlalchemy import select
from test_game_api import CHESSCOM, LICHESS, games_of

from webapp.db.schema import current_revision, head_revision
from webapp.db.tables import games
from webapp.indexer.headers import identity_of
from webapp.indexer.pgn import import_pgn_files
from webapp.model.stored_game import four_byte_clock_seconds_many


def _stored_clocks(engine) -> dict[str, tuple[int, bytes]]:  # type: ignore[no-untyped-def]
    with engine.connect() as connection:
        rows = connection.execute(select(games.c.uid, games.c.plies, games.c.clocks).where(games.c.clocks.is_not(None)))
        return {row.uid: (row.plies, bytes(row.clocks)) for row in rows}


def _expected_clocks() -> dict[str, list[float | None]]:
    """Each game's clocks as python-chess reads the files, in whole tenths as the store
    keeps them, by the game's id."""
    out = {}
    for game in (*games_of(LICHESS), *games_of(CHESSCOM)):
        clocks = [node.clock() for node in game.mainline()]
        if any(c is not None for c in clocks):
            uid, _source = identity_of(dict(game.headers), [move.uci() for move in game.mainline_moves()])
            out[uid] = [None if c is None else round(c, 1) for c in clocks]
    return out


def _api_clocks(client, uids) -> dict[str, list[float | None]]:  # type: ignore[no-untyped-def]
    """The clocks `/api/games/<id>` gives, by the game's uid (lichess:<id>, chesscom:live/<number>)."""
    return {uid: client.get(f"/api/games/{re.split('[:/]', uid)[-1]}").get_json()["clocks"] for uid in uids}


def test_migration_0017_rewrites_every_games_clocks_both_ways(client, engine) -> None:
    import_pgn_files(engine, [LICHESS, CHESSCOM], index_plies=40)
    expected = _expected_clocks()
    assert len(expected) > 100 and any(c is not None and c != int(c) for v in expected.values() for c in v)
    assert _api_clocks(client, expected) == expected
    compact = _stored_clocks(engine)
    assert len(compact) == len(expected)

    flask_migrate.downgrade(revision="0016")
    assert current_revision(engine) == "0016"
    four_byte = _stored_clocks(engine)
    assert four_byte.keys() == compact.keys()
    for plies, data in four_byte.values():
        assert len(data) == 4 * plies
    seconds = four_byte_clock_seconds_many([data for _plies, data in four_byte.values()])
    read = {uid: [None if s != s else s for s in one.tolist()] for uid, one in zip(four_byte, seconds, strict=True)}  # type: ignore[union-attr]
    assert read == expected
    assert sum(len(data) for _plies, data in compact.values()) * 3 < sum(len(data) for _plies, data in four_byte.values())

    flask_migrate.upgrade()
    assert current_revision(engine) == head_revision()
    assert _stored_clocks(engine) == compact  # the same bytes an import writes
    assert _api_clocks(client, expected) == expected
