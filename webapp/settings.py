"""The application's settings, read from the environment once into a frozen value."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

DEFAULT_DATA_DIR = Path.cwd() / "data"


def normalise_database_url(url: str) -> str:
    """Point plain PostgreSQL URLs at the psycopg 3 driver SQLAlchemy should use."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


@dataclass(frozen=True)
class Settings:
    """Everything the app reads from its environment, with embedded-mode defaults."""

    database_url: str = field(
        default_factory=lambda: f"sqlite:///{DEFAULT_DATA_DIR / 'explorer.sqlite3'}"
    )
    redis_url: str | None = None
    cache_dir: str = field(default_factory=lambda: str(DEFAULT_DATA_DIR / "cache"))
    cache_timeout: int = 24 * 3600
    index_plies: int = 40
    statement_timeout_ms: int = 10_000
    #: a request's work in Python (replaying games, walking move trees) ends after this
    request_deadline_s: float = 10.0
    #: long requests (PGN exports, leak searches) running at once in one process
    heavy_requests: int = 1
    #: per client, on the PGN export (Flask-Limiter notation)
    export_rate_limit: str = "20 per minute"
    pool_recycle_s: int = 1800
    #: signs the dashboard's background-job handles; None: none configured (webapp.secret_key)
    secret_key: str | None = None
    data_dir: str = field(default_factory=lambda: str(DEFAULT_DATA_DIR))
    chesscom_api_url: str = "https://api.chess.com"
    lichess_api_url: str = "https://lichess.org"
    jobs_dir: str = field(default_factory=lambda: str(DEFAULT_DATA_DIR / "jobs"))
    #: a player with at most this many games is indexed within the request that asks
    inline_index_games: int = 3000
    #: during an import, compact after every this many new games (0: only at the end); on
    #: PostgreSQL beside the import, which goes on (webapp.indexer.load)
    compact_every_games: int = 250_000
    #: between those compactions, bring the summaries of the positions with many rows
    #: appended up to date after every this many new games (0: never; at a million games
    #: each time costs the import 0.3–0.5 s: every 10,000 games, 58,301 games imported in
    #: 7.3 s instead of 5.3–6.0; every 20,000, 6.3: docs/PERFORMANCE.md)
    summarize_every_games: int = 0
    #: the scheduler compacts the statistics this often (seconds)
    compact_every_s: int = 600
    #: the collection GET /masters answers from (and GET /lichess leaves out)
    masters_collection: str = "masters"
    job_queue: str = "diskcache"  # diskcache (embedded) | celery (compose, needs REDIS_URL)
    debug: bool = False
    #: origins the read endpoints answer (CORS); "*" any, none: same origin only
    cors_origins: tuple[str, ...] = ("*",)
    #: a dashboard upload as sent (compressed or not), and the PGN bytes it may unpack to
    upload_max_bytes: int = 50 * 1024 * 1024
    upload_max_unpacked_bytes: int = 512 * 1024 * 1024
    #: POST /api/people/<name> needs this in an X-Operator-Token header (when set)
    operator_token: str | None = None
    #: per client, on the write endpoints (Flask-Limiter notation)
    write_rate_limit: str = "10 per minute"
    #: proxies in front that set X-Forwarded-For/-Proto (1 behind the compose nginx)
    proxy_hops: int = 0

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Read settings from environment variables (DATABASE_URL or CONNECTION_STRING, ...)."""
        env = os.environ if environ is None else environ
        defaults = cls()
        data_dir = env.get("DATA_DIR")
        database_url = env.get("DATABASE_URL") or env.get("CONNECTION_STRING")
        if not database_url:
            base = Path(data_dir) if data_dir else DEFAULT_DATA_DIR
            database_url = f"sqlite:///{base / 'explorer.sqlite3'}"
        return cls(
            database_url=normalise_database_url(database_url),
            redis_url=env.get("REDIS_URL") or None,
            cache_dir=env.get("CACHE_DIR")
            or (str(Path(data_dir) / "cache") if data_dir else defaults.cache_dir),
            cache_timeout=int(env.get("CACHE_TIMEOUT", defaults.cache_timeout)),
            index_plies=int(env.get("INDEX_PLIES", defaults.index_plies)),
            statement_timeout_ms=int(
                env.get("STATEMENT_TIMEOUT_MS", defaults.statement_timeout_ms)
            ),
            request_deadline_s=float(env.get("REQUEST_DEADLINE_S", defaults.request_deadline_s)),
            heavy_requests=max(1, int(env.get("HEAVY_REQUESTS", defaults.heavy_requests))),
            export_rate_limit=env.get("EXPORT_RATE_LIMIT", defaults.export_rate_limit),
            pool_recycle_s=int(env.get("POOL_RECYCLE", defaults.pool_recycle_s)),
            secret_key=env.get("SECRET_KEY") or None,
            data_dir=data_dir or defaults.data_dir,
            chesscom_api_url=env.get("CHESSCOM_API_URL", defaults.chesscom_api_url).rstrip("/"),
            lichess_api_url=env.get("LICHESS_API_URL", defaults.lichess_api_url).rstrip("/"),
            jobs_dir=env.get("JOBS_DIR")
            or (str(Path(data_dir) / "jobs") if data_dir else defaults.jobs_dir),
            job_queue=env.get("JOB_QUEUE", defaults.job_queue).lower(),
            inline_index_games=int(env.get("INLINE_INDEX_GAMES", defaults.inline_index_games)),
            compact_every_games=int(env.get("COMPACT_EVERY_GAMES", defaults.compact_every_games)),
            summarize_every_games=int(env.get("SUMMARIZE_EVERY_GAMES", defaults.summarize_every_games)),
            compact_every_s=int(env.get("COMPACT_EVERY_S", defaults.compact_every_s)),
            masters_collection=env.get("MASTERS_COLLECTION", defaults.masters_collection).strip().lower(),
            debug=env.get("DASH_DEBUG", "").lower() in ("1", "true", "yes"),
            cors_origins=tuple(
                o.strip().rstrip("/") for o in env.get("CORS_ORIGINS", "*").split(",") if o.strip()
            ),
            upload_max_bytes=int(env.get("UPLOAD_MAX_BYTES", defaults.upload_max_bytes)),
            upload_max_unpacked_bytes=int(
                env.get("UPLOAD_MAX_UNPACKED_BYTES", defaults.upload_max_unpacked_bytes)
            ),
            operator_token=env.get("OPERATOR_TOKEN") or None,
            write_rate_limit=env.get("WRITE_RATE_LIMIT", defaults.write_rate_limit),
            proxy_hops=int(env.get("PROXY_HOPS", defaults.proxy_hops)),
        )

    def with_(self, **changes: object) -> Settings:
        """A copy with some fields changed (tests use this)."""
        return replace(self, **changes)  # type: ignore[arg-type]

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")
