"""Migration 0002 goes down to 0001 and up again, keeping the games of 0001's tables."""

from __future__ import annotations

import flask_migrate
from sqlalchemy import inspect

from webapp.db.schema import current_revision, head_revision

TABLES_0002 = {"people", "person_accounts", "account_imports", "import_jobs"}


def test_migration_0002_down_and_up(app, engine) -> None:
    assert current_revision(engine) == head_revision()
    flask_migrate.downgrade(revision="0001")
    tables = set(inspect(engine).get_table_names())
    assert not TABLES_0002 & tables and "games" in tables
    flask_migrate.upgrade(revision="0002")
    assert TABLES_0002 <= set(inspect(engine).get_table_names())
    flask_migrate.upgrade()
    assert current_revision(engine) == head_revision()
