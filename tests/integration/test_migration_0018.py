"""Migration 0018: merged_positions, compaction's record of the positions it merged, is
made empty on the way up and dropped on the way down; compaction fills it after."""

from __future__ import annotations

import chess
import flask_migrate
from sample_games import EXPLORER_SAMPLE
from sqlalchemy import inspect, text

from webapp.db.schema import current_revision, head_revision
from webapp.indexer.compact import compact
from webapp.indexer.pgn import import_pgn_files
from webapp.model.position import position_key


def test_migration_0018_makes_and_drops_the_merged_positions_table(engine) -> None:
    flask_migrate.downgrade(revision="0017")
    assert "merged_positions" not in inspect(engine).get_table_names()
    flask_migrate.upgrade()
    assert current_revision(engine) == head_revision()
    assert "merged_positions" in inspect(engine).get_table_names()
    import_pgn_files(engine, [EXPLORER_SAMPLE], index_plies=40, batch_size=5)
    compact(engine)
    start = position_key(chess.Board())
    with engine.connect() as connection:
        recorded = connection.execute(
            text("SELECT seq, row_count FROM merged_positions WHERE position_key = :k"), {"k": start}
        ).one()
        now = connection.execute(
            text(
                "SELECT (SELECT max(id) FROM stat_batches), "
                "(SELECT count(*) FROM move_stats_all WHERE position_key = :k)"
            ),
            {"k": start},
        ).one()
    assert tuple(recorded) == tuple(now)  # merged up to the latest batch, leaving its rows
