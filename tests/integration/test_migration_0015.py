"""Migration 0015: the BRIN index on move_stats.seq, which a first load's merge lost
before it was built with the position index, is there again after the upgrade."""

from __future__ import annotations

import flask_migrate
from test_first_load import MIGRATED_INDEXES, _indexes

from webapp.db.schema import current_revision, head_revision


def test_migration_0015_builds_the_seq_index_where_it_is_missing(engine) -> None:
    flask_migrate.downgrade(revision="0014")
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:  # as a first load's merge left it before
            connection.exec_driver_sql("DROP INDEX ix_move_stats_seq")
        assert _indexes(engine) == MIGRATED_INDEXES[:1]
    flask_migrate.upgrade()
    assert current_revision(engine) == head_revision()
    if engine.dialect.name == "postgresql":
        assert _indexes(engine) == MIGRATED_INDEXES
