"""Connections as the deployment needs them: the database dropping every connection costs no
request after it, explorer queries are bounded by a statement timeout, Redis down leaves the
site answering (uncached).

Real PostgreSQL and Redis; the fixture games are imported through the importer and counted
independently with python-chess.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import chess.pgn
import flask_migrate
import psycopg
import pytest
from deploy_files import POSTGRES_URL
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from webapp import create_app
from webapp.settings import Settings

FIXTURE = Path(__file__).parent / "fixtures" / "smoke.pgn"


def games_with_first_move(uci: str) -> int:
    """Games of the fixture whose first move is `uci`, counted by python-chess."""
    count = 0
    with FIXTURE.open() as handle:
        while (game := chess.pgn.read_game(handle)) is not None:
            moves = list(game.mainline_moves())
            count += bool(moves) and moves[0].uci() == uci
    return count


def make_app(database_url: str, tmp_path: Path, **environ: str):  # type: ignore[no-untyped-def]
    """An app as the container builds it (from environment variables), on a migrated database
    holding exactly the fixture's games."""
    from webapp.db.tables import metadata
    from webapp.extensions import db
    from webapp.indexer.pgn import import_pgn_files

    settings = Settings.from_env(
        {"DATABASE_URL": database_url, "DATA_DIR": str(tmp_path), **environ}
    )
    app = create_app(settings, dashboard=False)
    with app.app_context():
        flask_migrate.upgrade()
        with db.engine.begin() as connection:
            for table in reversed(metadata.sorted_tables):
                connection.execute(table.delete())
        import_pgn_files(db.engine, [FIXTURE], index_plies=settings.index_plies)
    return app


@pytest.fixture
def postgres_app(postgres_database_url: str, tmp_path: Path) -> Iterator:  # type: ignore[type-arg]
    app = make_app(postgres_database_url, tmp_path)
    yield app
    from webapp.extensions import db

    with app.app_context():
        db.engine.dispose()


def terminate_connections(database_url: str) -> int:
    """pg_terminate_backend on every connection to the test database; how many there were."""
    name = database_url.rsplit("/", 1)[1]
    with psycopg.connect(POSTGRES_URL, autocommit=True) as admin:
        row = admin.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
            " WHERE datname = %s AND pid <> pg_backend_pid()",
            (name,),
        ).fetchone()
    return int(row[0])


def test_requests_after_the_database_dropped_every_connection_succeed(
    postgres_app, postgres_database_url: str  # type: ignore[no-untyped-def]
) -> None:
    client = postgres_app.test_client()
    assert client.get("/health").status_code == 200  # a pooled connection now exists
    assert terminate_connections(postgres_database_url) >= 1
    for _ in range(3):
        health = client.get("/health")
        assert health.status_code == 200
        assert health.get_json()["database"] == "ok"
    answer = client.get("/api/explorer?play=d2d4")  # not cached yet: reads the database
    assert answer.status_code == 200
    assert answer.get_json()["games"] == games_with_first_move("d2d4") == 2


def test_pool_pings_before_use_and_recycles_connections(postgres_app) -> None:  # type: ignore[no-untyped-def]
    from webapp.extensions import db

    with postgres_app.app_context():
        pool = db.engine.pool
        assert pool._pre_ping is True
        assert pool._recycle == Settings().pool_recycle_s == 1800


@pytest.mark.parametrize(("setting", "shown"), [("10000", "10s"), ("1500", "1500ms"), ("0", "0")])
def test_statement_timeout_comes_from_the_setting(
    postgres_database_url: str, tmp_path: Path, setting: str, shown: str
) -> None:
    from webapp.extensions import db

    settings = Settings.from_env(
        {"DATABASE_URL": postgres_database_url, "DATA_DIR": str(tmp_path),
         "STATEMENT_TIMEOUT_MS": setting}
    )
    app = create_app(settings, dashboard=False)
    with app.app_context(), db.engine.connect() as connection:
        assert connection.execute(text("SHOW statement_timeout")).scalar() == shown
    with app.app_context():
        db.engine.dispose()


def test_a_query_past_the_statement_timeout_is_cancelled(
    postgres_database_url: str, tmp_path: Path
) -> None:
    from webapp.extensions import db

    settings = Settings.from_env(
        {"DATABASE_URL": postgres_database_url, "DATA_DIR": str(tmp_path),
         "STATEMENT_TIMEOUT_MS": "50"}
    )
    app = create_app(settings, dashboard=False)
    with app.app_context():
        with db.engine.connect() as connection, pytest.raises(OperationalError) as error:
            connection.execute(text("SELECT pg_sleep(30)"))
        assert "statement timeout" in str(error.value)
        db.engine.dispose()


@pytest.fixture
def forget_cache_outage() -> Iterator[None]:
    """The cache's up/down memory is process-wide: leave it as found for the next tests."""
    from webapp import caching

    yield
    caching._Health.down_since = None
    caching._Health.warned = False


def test_with_redis_down_pages_answer_uncached_and_health_says_so(
    database_url: str,
    tmp_path: Path,
    forget_cache_outage: None,
    private_redis_url: str,
    closed_redis_url: str,
) -> None:
    """The same numbers with Redis up (the session's private one, which it may empty) and
    with Redis unreachable; /health stays 200."""
    up = make_app(database_url, tmp_path / "up", REDIS_URL=private_redis_url)
    with up.app_context():
        from webapp.extensions import cache

        cache.clear()
        with_cache = up.test_client().get("/api/explorer?play=e2e4").get_json()
        assert up.test_client().get("/health").get_json()["cache"] == "ok"
    down = make_app(
        database_url, tmp_path / "down", REDIS_URL=closed_redis_url
    )
    client = down.test_client()
    for path in ("/api/explorer?play=e2e4", "/api/explorer?play=e2e4", "/api/explorer?play=g1f3"):
        assert client.get(path).status_code == 200
    assert client.get("/api/explorer?play=e2e4").get_json() == with_cache
    assert with_cache["games"] == games_with_first_move("e2e4") == 4
    assert client.get("/api/explorer?play=g1f3").get_json()["games"] == 1
    health = client.get("/health")
    assert health.status_code == 200
    assert health.get_json() == {"status": "ok", "database": "ok", "cache": "unreachable"}
    from webapp.extensions import db

    for app in (up, down):
        with app.app_context():
            db.engine.dispose()
