"""Migration 0012 (the player rollup's newest month) fills last_month for the rows already
there: down to 0011 and up again, a player's lists of a few games are the reference's."""

from __future__ import annotations

import flask_migrate
from explorer_reference import read_games
from sample_games import EXPLORER_SAMPLE, import_pgn
from sqlalchemy import inspect, text
from test_position_games import _short_lists, _wrong_short_lists

from webapp.db.schema import current_revision, head_revision


def test_migration_0012_down_and_up_fills_the_player_rollups_newest_months(client, engine) -> None:
    import_pgn(engine, [EXPLORER_SAMPLE])
    games = read_games([EXPLORER_SAMPLE])
    for name in ("frank", "carol_rook", "eve.bishop"):  # now tracked: their rows are written
        assert client.get("/api/explorer", query_string={"player": name}).status_code == 200
    with engine.connect() as connection:
        db_ids = dict(connection.execute(text("SELECT site, id FROM games")).all())
        rows = connection.execute(text("SELECT count(*) FROM player_move_stats_rollup")).scalar()
    assert rows and rows > 100

    flask_migrate.downgrade(revision="0011")
    assert current_revision(engine) == "0011"
    columns = {c["name"] for c in inspect(engine).get_columns("player_move_stats_rollup")}
    assert "last_month" not in columns and "refs" in columns

    flask_migrate.upgrade()
    assert current_revision(engine) == head_revision()
    with engine.connect() as connection:
        unknown = connection.execute(
            text("SELECT count(*) FROM player_move_stats_rollup WHERE last_month IS NULL")
        ).scalar()
    assert unknown == 0
    expected = [case for case in _short_lists(games, db_ids) if "player" in case[1]]
    wrong = _wrong_short_lists(engine, expected, db_ids)
    assert not wrong, f"{len(wrong)} lists differ:\n" + "\n".join(wrong[:10])
