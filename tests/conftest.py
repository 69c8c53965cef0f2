"""Shared fixtures: settings, apps on real databases (SQLite and PostgreSQL), sample games.

PostgreSQL tests use a database of their own, created for the session on the server
named by TEST_POSTGRES_URL (default: the local server's `test` database) and dropped
after, so parallel runs never see each other's rows. Set TEST_POSTGRES_URL=skip to run
the SQLite half alone.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from webapp import create_app
from webapp.settings import Settings

FIXTURES = Path(__file__).parent / "fixtures"
SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://root@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def _admin_connection():  # type: ignore[no-untyped-def]
    import psycopg

    return psycopg.connect(POSTGRES_URL, autocommit=True)


@pytest.fixture(scope="session")
def postgres_database_url() -> Iterator[str]:
    """A fresh PostgreSQL database for this test session."""
    if POSTGRES_URL == "skip":
        pytest.skip("TEST_POSTGRES_URL=skip")
    name = f"oe_test_{uuid.uuid4().hex[:10]}"
    try:
        admin = _admin_connection()
    except Exception as error:  # noqa: BLE001
        if os.environ.get("CI"):
            raise
        pytest.skip(f"PostgreSQL at {POSTGRES_URL} is not reachable ({error}); .ci/run starts it")
    with admin as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    base = POSTGRES_URL.rsplit("/", 1)[0]
    yield f"{base}/{name}"
    with _admin_connection() as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Each database test runs twice: on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'explorer.sqlite3'}"
    return request.getfixturevalue("postgres_database_url")


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings.from_env(
        {"DATABASE_URL": database_url, "CACHE_DIR": str(tmp_path / "cache"), "DATA_DIR": str(tmp_path)}
    )


def _upgraded_app(settings: Settings, *, dashboard: bool):  # type: ignore[no-untyped-def]
    import flask_migrate

    from webapp.db.tables import metadata
    from webapp.extensions import db

    app = create_app(settings, dashboard=dashboard)
    with app.app_context():
        flask_migrate.upgrade()
        with db.engine.begin() as connection:
            for table in reversed(metadata.sorted_tables):
                connection.execute(table.delete())
    return app


@pytest.fixture
def app(settings: Settings):  # type: ignore[no-untyped-def]
    """An app on a migrated, empty database, inside an app context."""
    app = _upgraded_app(settings, dashboard=False)
    with app.app_context():
        yield app
    from webapp.extensions import db

    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def client(app):  # type: ignore[no-untyped-def]
    return app.test_client()


@pytest.fixture
def engine(app):  # type: ignore[no-untyped-def]
    from webapp.extensions import db

    return db.engine
