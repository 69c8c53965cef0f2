"""Migration 0004 sets fillfactor 70 on the statistics tables (PostgreSQL) and resets it."""

from __future__ import annotations

import flask_migrate
from sqlalchemy import text

from webapp.db.schema import current_revision, head_revision

STATS_TABLES = ("move_stats", "move_stats_rollup", "player_move_stats")


def fillfactors(engine) -> dict[str, list[str] | None]:  # type: ignore[no-untyped-def]
    """Table → its storage options (pg_class.reloptions) on PostgreSQL."""
    with engine.connect() as connection:
        rows = connection.execute(
            text("SELECT relname, reloptions FROM pg_class WHERE relname = ANY(:names)"),
            {"names": list(STATS_TABLES)},
        )
        return {name: options for name, options in rows}


def test_migration_0004_down_and_up(app, engine) -> None:
    assert current_revision(engine) == head_revision()
    postgres = engine.dialect.name == "postgresql"
    flask_migrate.downgrade(revision="0004")
    if postgres:
        assert fillfactors(engine) == {table: ["fillfactor=70"] for table in STATS_TABLES}
    flask_migrate.downgrade(revision="0003")
    assert current_revision(engine) == "0003"
    if postgres:
        assert fillfactors(engine) == {table: None for table in STATS_TABLES}
    flask_migrate.upgrade(revision="0004")
    assert current_revision(engine) == "0004"
    if postgres:
        assert fillfactors(engine) == {table: ["fillfactor=70"] for table in STATS_TABLES}
    flask_migrate.upgrade()
    assert current_revision(engine) == head_revision()
