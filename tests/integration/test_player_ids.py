"""The importer's player ids: a player met in several batches is looked up once, and only
ids of committed players are reused (players are never deleted)."""

from __future__ import annotations

import chess.pgn
import pytest
from sample_games import EXPLORER_SAMPLE, sample_batch
from sqlalchemy import text

from webapp.indexer import bulk
from webapp.indexer.bulk import writer_for
from webapp.indexer.pgn import import_pgn_files


class Stop(Exception):
    pass


def _stored(engine) -> dict[tuple[str, str], int]:  # type: ignore[no-untyped-def]
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT source, name, id FROM players")).all()
    return {(source, name): player_id for source, name, player_id in rows}


def test_ids_from_a_rolled_back_transaction_are_not_reused(engine) -> None:  # type: ignore[no-untyped-def]
    batch = sample_batch()
    with engine.connect() as connection:
        writer = writer_for(connection)
        with pytest.raises(Stop), connection.begin():
            writer.player_ids(batch)
            raise Stop
        assert _stored(engine) == {}
        with connection.begin():
            ids = writer.player_ids(batch)
        writer.players_committed()
        stored = _stored(engine)
        assert ids == stored
        assert len(stored) == len({(r.source, r.white.lower()) for r in batch.records} | {(r.source, r.black.lower()) for r in batch.records})
        with connection.begin():  # every player known: nothing inserted, the same ids
            assert writer.player_ids(batch) == stored
        writer.close()


def _players_by_game() -> dict[str, tuple[str, str]]:
    """uid → (white, black) lower-case of the standard games, read by python-chess."""
    found = {}
    with open(EXPLORER_SAMPLE, encoding="utf-8") as handle:
        while (game := chess.pgn.read_game(handle)) is not None:
            if game.headers.get("Variant", "Standard") != "Standard":
                continue  # skipped by the importer
            uid = "lichess:" + game.headers["Site"].rsplit("/", 1)[-1][:8]
            found[uid] = (game.headers["White"].lower(), game.headers["Black"].lower())
    return found


@pytest.mark.parametrize("remembered", [1, 3, bulk.KNOWN_PLAYERS])
def test_every_game_names_its_players_whatever_the_writer_remembers(engine, monkeypatch, remembered: int) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(bulk, "KNOWN_PLAYERS", remembered)
    import_pgn_files(engine, [EXPLORER_SAMPLE], index_plies=40, batch_size=4)
    with engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT g.uid, w.name, b.name FROM games g "
                "JOIN players w ON w.id = g.white_id JOIN players b ON b.id = g.black_id"
            )
        ).all()
        players = connection.execute(text("SELECT count(*) FROM players")).scalar_one()
    expected = _players_by_game()
    assert {uid: (white, black) for uid, white, black in rows} == expected
    names = {name for pair in expected.values() for name in pair}
    assert players == len(names)
