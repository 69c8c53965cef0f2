"""Shared fixtures: settings, apps on real databases (SQLite and PostgreSQL), sample games.

PostgreSQL tests use a database of their own, created for the session on the server
named by TEST_POSTGRES_URL (default: the local server's `test` database) and dropped
after, so parallel runs never see each other's rows. Set TEST_POSTGRES_URL=skip to run
the SQLite half alone.

Tests that flush or stop a Redis use `private_redis_url`: a redis-server of this session's
own on a free port, never the machine's shared one; a Redis that is down is
`closed_redis_url`, a port held bound and not listening (so nothing can answer there).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
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


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _redis_answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as connection:
            connection.sendall(b"PING\r\n")
            return connection.recv(16).startswith(b"+PONG")
    except OSError:
        return False


@pytest.fixture(scope="session")
def private_redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A redis-server of this test session's own on a free port: tests may flush or stop it."""
    binary = shutil.which("redis-server")
    if binary is None:
        if os.environ.get("CI"):
            raise RuntimeError("redis-server is not installed (.ci/run installs it)")
        pytest.skip("redis-server is not installed: the tests that need a private Redis skip")
    directory = tmp_path_factory.mktemp("redis")
    for _attempt in range(5):
        port = _free_port()
        process = subprocess.Popen(
            [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--daemonize", "no", "--dir", str(directory)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and process.poll() is None and not _redis_answers(port):
            time.sleep(0.05)
        if process.poll() is None and _redis_answers(port):
            break
        process.kill()
        process.wait()
    else:
        raise RuntimeError("could not start a private redis-server")
    try:
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def closed_redis_url() -> Iterator[str]:
    """A Redis URL where nothing answers: the port is held bound, not listening."""
    with socket.socket() as bound:
        bound.bind(("127.0.0.1", 0))
        yield f"redis://127.0.0.1:{bound.getsockname()[1]}/0"


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
