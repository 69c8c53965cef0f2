"""The server and the importer refuse an outdated schema, naming the command that fixes it."""

import flask_migrate
import pytest
from sqlalchemy import text

from webapp.db.schema import SchemaOutdated, check_schema, current_revision, head_revision


def test_migrated_database_passes(engine) -> None:
    assert current_revision(engine) == head_revision()
    check_schema(engine)


def test_outdated_database_is_refused_with_the_fix(app, engine) -> None:
    flask_migrate.downgrade(revision="0001")
    try:
        with pytest.raises(SchemaOutdated, match="is at revision 0001.*python -m webapp db upgrade"):
            check_schema(engine)
    finally:
        flask_migrate.upgrade()


def test_database_newer_than_the_code_is_served_with_a_warning(engine, caplog) -> None:
    head = head_revision()
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = 'fffffffffff9'"))
    try:
        check_schema(engine)
        assert "newer than this code" in caplog.text
    finally:
        with engine.begin() as connection:
            connection.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": head})


def test_empty_database_is_refused(tmp_path) -> None:
    from sqlalchemy import create_engine

    empty = create_engine(f"sqlite:///{tmp_path / 'empty.sqlite3'}")
    with pytest.raises(SchemaOutdated, match="has no schema yet.*python -m webapp db upgrade"):
        check_schema(empty)
