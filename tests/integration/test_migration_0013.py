"""Migration 0013 (move orders): down to 0012 the move-order column is gone and the
explorer answers as before; up again every move_stats and rollup row's move order is
filled from the stored games, splitting a transposed position's games exactly as
python-chess orders them, before and after compaction."""

from __future__ import annotations

import flask_migrate
from compaction_thresholds import shrink_thresholds
from explorer_reference import board_after, read_games
from old_schema import explorer_reads_move_stats, position_bandless
from orders_reference import move_orders
from sample_games import LICHESS_2021_10, import_pgn
from sqlalchemy import inspect, text

from webapp.caching import bump_generation
from webapp.db.schema import current_revision, head_revision
from webapp.indexer import compact as compaction
from webapp.model.position import position_key

#: positions the file reaches by several move orders (Italian, French, QGD, Two Knights)
TRANSPOSED = (
    ("e2e4", "e7e5", "g1f3", "b8c6", "f1c4"),
    ("e2e4", "e7e6", "d2d4", "d7d5"),
    ("d2d4", "d7d5", "c2c4", "g8f6", "b1c3", "e7e6"),
    ("e2e4", "e7e5", "g1f3", "b8c6", "f1c4", "g8f6"),
    (),
)
BY_PATH = "SELECT path, sum(white), sum(draws), sum(black) FROM move_stats_all WHERE position_key = :k GROUP BY path"
#: as the explorer reads a position with no dates: the rollup, then the rows appended since
MONTH_LESS_BY_PATH = (
    "SELECT path, sum(white), sum(draws), sum(black) FROM ("
    "SELECT path, white, draws, black FROM move_stats_rollup WHERE position_key = :k "
    "UNION ALL SELECT m.path, m.white, m.draws, m.black FROM move_stats_all m "
    "LEFT JOIN hot_positions h ON h.position_key = m.position_key "
    "WHERE m.position_key = :k AND m.seq > coalesce(h.seq, 0)) t GROUP BY path"
)


def _split(engine, statement: str, play: tuple[str, ...]) -> list[list[int]]:  # type: ignore[no-untyped-def]
    """The position's games per stored move order, as sorted [white, draws, black]."""
    with engine.connect() as connection:
        rows = connection.execute(text(statement), {"k": position_key(board_after(play))}).all()
    assert len({row[0] for row in rows}) == len(rows)
    return sorted([int(v) for v in row[1:]] for row in rows)


def _rollup_indexes(engine) -> set[str]:  # type: ignore[no-untyped-def]
    """The rollup's index names (expression indexes too, which SQLite's reflection skips)."""
    statement = (
        "SELECT indexname FROM pg_indexes WHERE tablename = 'move_stats_rollup'"
        if engine.dialect.name == "postgresql"
        else "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'move_stats_rollup'"
    )
    with engine.connect() as connection:
        return {row[0] for row in connection.execute(text(statement))}


def _explorer(client) -> list:  # type: ignore[no-untyped-def]
    bump_generation()
    return [client.get("/api/explorer", query_string={"play": ",".join(p)}).get_json() for p in TRANSPOSED]


def test_migration_0013_down_and_up_splits_positions_by_move_order(client, engine, monkeypatch) -> None:
    shrink_thresholds(monkeypatch, hot=4)
    import_pgn(engine, [LICHESS_2021_10])
    games = read_games([LICHESS_2021_10])
    expected = {play: sorted(move_orders(games, play).values()) for play in TRANSPOSED}
    assert all(len(expected[play]) >= 3 for play in TRANSPOSED[:-1])
    assert len(expected[()]) == 1  # the start position: one order, even for a knight shuffle
    compaction.compact(engine)
    answers = _explorer(client)

    flask_migrate.downgrade(revision="0012")
    assert current_revision(engine) == "0012"
    for table in ("move_stats", "move_stats_rollup"):
        assert "path" not in {c["name"] for c in inspect(engine).get_columns(table)}
    with explorer_reads_move_stats(engine), position_bandless(engine):
        assert _explorer(client) == answers
    indexes = _rollup_indexes(engine)
    assert {"ix_move_stats_rollup_band", "ix_move_stats_rollup_newest"} <= indexes

    flask_migrate.upgrade()
    assert current_revision(engine) == head_revision()
    assert indexes <= _rollup_indexes(engine)
    for play in TRANSPOSED:
        assert _split(engine, BY_PATH, play) == expected[play]
    assert _explorer(client) == answers
    compaction.compact(engine)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM hot_positions")).scalar()
    for play in TRANSPOSED:
        assert _split(engine, BY_PATH, play) == expected[play]
        assert _split(engine, MONTH_LESS_BY_PATH, play) == expected[play]
    assert _explorer(client) == answers
