"""Migration 0018: merged_positions, compaction's record of the positions it merged, is
made empty on the way up and dropped on the way down; compaction fills it after."""

from __future__ import annotations

import flask_migrate
from sample_games import EXPLORER_SAMPLE
from sqlalchemy import inspect
from test_compact import _record, _start_key

from webapp.db.schema import current_revision, head_revision
from webapp.indexer import compact as compaction
from webapp.indexer.pgn import import_pgn_files


def test_migration_0018_makes_and_drops_the_merged_positions_table(engine, monkeypatch) -> None:
    flask_migrate.downgrade(revision="0017")
    assert "merged_positions" not in inspect(engine).get_table_names()
    flask_migrate.upgrade()
    assert current_revision(engine) == head_revision()
    assert "merged_positions" in inspect(engine).get_table_names()
    monkeypatch.setattr(compaction, "RECORD_ROWS", 2)  # the sample's busiest positions have dozens
    import_pgn_files(engine, [EXPLORER_SAMPLE], index_plies=40, batch_size=5)
    compaction.compact(engine)
    record, rows, latest = _record(engine, _start_key())
    assert record == (latest, rows)  # merged up to the latest batch, leaving its rows
