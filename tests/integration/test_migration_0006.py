"""Migration 0006 (games stored as move codes, append-and-compact statistics) keeps every
game and every count: down to 0005's shapes and up again, the explorer answers the same."""

from __future__ import annotations

import chess
import flask_migrate
from explorer_reference import api_numbers, read_games, reference
from sample_games import EXPLORER_SAMPLE, import_pgn
from sqlalchemy import text
from stats_tables import games_by_uid
from test_explorer_counts import FILTERS, POSITIONS, _mismatches

from webapp.caching import bump_generation
from webapp.db.schema import current_revision, head_revision
from webapp.model.position import position_key, uci_to_code


def test_migration_0006_down_and_up_keeps_games_and_counts(client, engine) -> None:
    import_pgn(engine, [EXPLORER_SAMPLE])
    games = read_games([EXPLORER_SAMPLE])
    with engine.connect() as connection:
        stored = games_by_uid(connection)
    assert client.get("/api/explorer?player=frank").status_code == 200  # frank is tracked now

    flask_migrate.downgrade(revision="0005")
    assert current_revision(engine) == "0005"
    with engine.connect() as connection:
        text_moves = dict(connection.execute(text("SELECT uid, moves FROM games")).all())
        old_start = connection.execute(
            text(
                "SELECT sum(white), sum(draws), sum(black) FROM move_stats_rollup "
                "WHERE position_key = :start AND move = :e4"
            ),
            {"start": position_key(chess.Board()), "e4": uci_to_code("e2e4")},
        ).one()
    assert text_moves == {uid: moves for uid, (_r, _p, moves) in stored.items()}
    e4 = next(m for m in reference(games)["moves"] if m["uci"] == "e2e4")
    assert tuple(int(v) for v in old_start) == (e4["white"], e4["draws"], e4["black"])

    flask_migrate.upgrade()
    assert current_revision(engine) == head_revision()
    with engine.connect() as connection:
        assert games_by_uid(connection) == stored
        collections = dict(connection.execute(text("SELECT name, id FROM collections")).all())
        by_collection = connection.execute(
            text("SELECT collection_id, count(*) FROM games GROUP BY collection_id")
        ).all()
    assert {cid for cid, _ in by_collection} <= {collections["lichess"], collections["otb"]}
    bump_generation()
    wrong, games_seen = _mismatches(client, games, POSITIONS, FILTERS)
    assert not wrong, f"{len(wrong)} answers differ:\n" + "\n".join(wrong)
    assert games_seen > 500
    assert api_numbers(client.get("/api/explorer").get_json()) == reference(games)
