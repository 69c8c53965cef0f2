"""Opening explorer: a Dash dashboard and JSON API over games imported from PGN and accounts.

`create_app()` builds the Flask server with the explorer API and the dashboard on it.
`webapp:server` (for gunicorn) builds it from the environment on first access.
"""

from __future__ import annotations

import logging
import secrets
from typing import Any

from flask import Flask

from webapp.settings import Settings

__all__ = ["create_app", "Settings"]


def engine_options(settings: Settings) -> dict[str, Any]:
    """Connection pool settings: survive dropped connections, bound explorer queries."""
    if settings.is_sqlite:
        return {"connect_args": {"timeout": 30, "check_same_thread": False}}
    return {
        "pool_pre_ping": True,
        "pool_recycle": settings.pool_recycle_s,
        "pool_size": 5,
        "max_overflow": 10,
        "pool_timeout": 10,
        "connect_args": {
            "connect_timeout": 5,
            # jit=off: explorer queries take milliseconds, but on a skewed table (one player
            # with most games) the planner's estimates can trigger ~300 ms of JIT compiling.
            # No parallel workers: the one-game rows' runs (webapp.indexer.runs) invite a
            # parallel append, whose workers cost 5-20 ms to start for a read of a few
            # thousand rows (a million games, compacted: p95 33.7 -> 12.1 ms; compaction
            # 131.7 s with them, 134.8 without; docs/PERFORMANCE.md)
            "options": (
                f"-c statement_timeout={settings.statement_timeout_ms} -c jit=off -c max_parallel_workers_per_gather=0"
            ),
        },
    }


def cache_config(settings: Settings) -> dict[str, Any]:
    """RedisCache when REDIS_URL is set, else a FileSystemCache that workers share."""
    common = {"CACHE_DEFAULT_TIMEOUT": settings.cache_timeout, "CACHE_KEY_PREFIX": "oe:"}
    if settings.redis_url:
        return {
            **common,
            "CACHE_TYPE": "RedisCache",
            "CACHE_REDIS_URL": settings.redis_url,
            "CACHE_OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    return {
        **common,
        "CACHE_TYPE": "FileSystemCache",
        "CACHE_DIR": settings.cache_dir,
        "CACHE_THRESHOLD": 100_000,
    }


def create_app(settings: Settings | None = None, *, dashboard: bool = True) -> Flask:
    """Build the Flask server: extensions, API routes and (unless asked not to) the dashboard."""
    from webapp.api import register_api
    from webapp.db.prepared import keep_prepared_statements
    from webapp.db.schema import MIGRATIONS_DIR
    from webapp.db.sqlite import register_sqlite_pragmas
    from webapp.extensions import cache, db, migrate

    settings = settings or Settings.from_env()
    if settings.is_sqlite:
        from pathlib import Path

        path = settings.database_url.removeprefix("sqlite:///")
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
    server = Flask(__name__)
    server.config.update(
        # no key configured (tests, scripts): a random one for this process, never a known one
        SECRET_KEY=settings.secret_key or secrets.token_hex(32),
        # an upload arrives base64-encoded in a callback's JSON: 4/3 of the file, plus room
        MAX_CONTENT_LENGTH=settings.upload_max_bytes * 4 // 3 + (1 << 20),
        SQLALCHEMY_DATABASE_URI=settings.database_url,
        SQLALCHEMY_ENGINE_OPTIONS=engine_options(settings),
        **cache_config(settings),
    )
    server.extensions["settings"] = settings
    db.init_app(server)
    cache.init_app(server)
    migrate.init_app(server, db, directory=str(MIGRATIONS_DIR))
    with server.app_context():
        register_sqlite_pragmas(db.engine)
        keep_prepared_statements(db.engine)
    register_api(server)
    if dashboard:
        from webapp.dashboard import init_dashboard

        init_dashboard(server)
    from webapp.security import guard_callbacks, register_security

    register_security(server, settings)
    if dashboard:
        guard_callbacks(server.extensions["dash_app"])
    if settings.proxy_hops:
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = settings.proxy_hops
        server.wsgi_app = ProxyFix(server.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    return server


def __getattr__(name: str) -> Any:
    """`webapp.server`: the app built from the environment, for gunicorn `webapp:server`."""
    if name == "server":
        from webapp.db.schema import check_schema
        from webapp.extensions import db
        from webapp.secret_key import require_operator_token_set_or_real, require_secret_key

        settings = Settings.from_env()
        require_secret_key(settings.secret_key)  # MissingSecretKey says what to do
        require_operator_token_set_or_real(settings.operator_token)
        app = create_app(settings)
        with app.app_context():
            check_schema(db.engine)
        globals()["server"] = app
        return app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
