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
import sqlite3
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest

from webapp import create_app
from webapp.settings import Settings

FIXTURES = Path(__file__).parent / "fixtures"
SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://root@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def pytest_configure(config: pytest.Config) -> None:
    """One folder a run where the reference readers share what they parsed (read_once.py)."""
    from read_once import FOLDER_VARIABLE

    if not hasattr(config, "workerinput") and FOLDER_VARIABLE not in os.environ:
        config.read_once_dir = tempfile.mkdtemp(prefix="oe-read-once-")  # type: ignore[attr-defined]
        os.environ[FOLDER_VARIABLE] = config.read_once_dir  # type: ignore[attr-defined]


def pytest_unconfigure(config: pytest.Config) -> None:
    from read_once import FOLDER_VARIABLE

    if folder := getattr(config, "read_once_dir", None):
        shutil.rmtree(folder, ignore_errors=True)
        os.environ.pop(FOLDER_VARIABLE, None)


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


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty SQLite store at the head revision, migrated once for this test process."""
    folder = tmp_path_factory.mktemp("migrated")
    template = Settings.from_env(
        {"DATABASE_URL": f"sqlite:///{folder / 'explorer.sqlite3'}", "DATA_DIR": str(folder)}
    )
    app = _upgraded_app(template, dashboard=False)
    from webapp.extensions import db

    with app.app_context():
        db.engine.dispose()
    return folder / "explorer.sqlite3"


def _copy_sqlite(source: Path, url: str) -> None:
    """A new SQLite file at the URL with the source's contents (the backup API: WAL included)."""
    target = Path(url.removeprefix("sqlite:///"))
    if target.exists():
        return
    with closing(sqlite3.connect(source)) as reading, closing(sqlite3.connect(target)) as writing:
        reading.backup(writing)


@pytest.fixture
def app(settings: Settings, request: pytest.FixtureRequest):  # type: ignore[no-untyped-def]
    """An app on a migrated, empty database, inside an app context."""
    if settings.database_url.startswith("sqlite:///"):
        # migrating a new file costs a quarter of a second; a copy of a migrated one does not
        _copy_sqlite(request.getfixturevalue("migrated_sqlite"), settings.database_url)
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


# --------------------------------------------------------------------------- tier summary
TIERS = ("unit", "integration", "browser", "deploy")


def _tier(nodeid: str) -> str:
    parts = nodeid.split("::")[0].split("/")
    return parts[1] if parts[0] == "tests" and len(parts) > 2 else parts[0]


def _skip_reason(report: pytest.TestReport) -> str:
    longrepr = report.longrepr
    reason = longrepr[2] if isinstance(longrepr, tuple) else str(longrepr)
    return reason.removeprefix("Skipped: ")


def _outcomes(config: pytest.Config) -> tuple[dict[str, dict[str, int]], dict[str, dict[str, int]]]:
    """Per tier: {outcome: count}, and {skip reason: count}."""
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    counts: dict[str, dict[str, int]] = {}
    reasons: dict[str, dict[str, int]] = {}
    for outcome in ("passed", "failed", "error", "skipped", "xfailed", "xpassed"):
        for report in reporter.stats.get(outcome, []) if reporter else []:
            nodeid = getattr(report, "nodeid", "")
            if not nodeid or getattr(report, "when", "call") not in ("call", "setup"):
                continue
            if outcome == "passed" and report.when != "call":
                continue
            tier = _tier(nodeid)
            tier_counts = counts.setdefault(tier, {})
            tier_counts[outcome] = tier_counts.get(outcome, 0) + 1
            if outcome == "skipped":
                tier_reasons = reasons.setdefault(tier, {})
                reason = _skip_reason(report)
                tier_reasons[reason] = tier_reasons.get(reason, 0) + 1
    return counts, reasons


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """With CI=true, a skipped test fails the run: every tier must really run there."""
    _counts, reasons = _outcomes(session.config)
    if _in_ci() and reasons and exitstatus == pytest.ExitCode.OK:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:  # type: ignore[no-untyped-def]
    """End the run with each tier's counts and, loudly, what was skipped and why."""
    counts, reasons = _outcomes(config)
    if not counts:
        return
    ordered = [t for t in TIERS if t in counts] + sorted(t for t in counts if t not in TIERS)
    terminalreporter.section("test tiers", sep="=", bold=True)
    for tier in ordered:
        text = ", ".join(f"{n} {outcome}" for outcome, n in sorted(counts[tier].items()))
        skipped = counts[tier].get("skipped", 0)
        whole = skipped and skipped == sum(counts[tier].values())
        label = " — TIER SKIPPED" if whole else (" — PARTLY SKIPPED" if skipped else "")
        terminalreporter.write_line(f"{tier:>12}: {text}{label}", red=bool(skipped), bold=bool(skipped))
    if not reasons:
        return
    terminalreporter.section("SKIPPED: these tests did not run", sep="!", red=True, bold=True)
    for tier in ordered:
        for reason, n in sorted(reasons.get(tier, {}).items(), key=lambda item: -item[1]):
            terminalreporter.write_line(f"{tier:>12}: {n} skipped: {reason}", red=True)
    if _in_ci():
        terminalreporter.write_line(
            "CI=true: skipped tests fail the run (install what is missing)", red=True, bold=True
        )
    else:
        terminalreporter.write_line(
            "A green run with skips did not test these tiers; CI=true makes skips fail.", yellow=True
        )
