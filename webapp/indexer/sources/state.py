"""Where each account's import stands (for incremental imports) and its lock row.

A row per (source, name) in `account_imports`. Taking the lock is one conditional UPDATE,
atomic on SQLite and PostgreSQL alike: it succeeds only when no other import holds the
row, or when the holder stopped sending heartbeats (a killed job) long enough ago.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, select, update
from sqlalchemy.dialects import postgresql, sqlite

from webapp.db.tables import account_imports

STALE_AFTER = timedelta(minutes=5)


@dataclass(frozen=True)
class AccountState:
    """How far earlier imports of an account got."""

    last_complete_month: int = 0  # chess.com: the newest month fetched after it had ended
    last_game_ms: int = 0  # lichess: createdAt of the newest game that landed
    games_imported: int = 0
    skipped_variants: int = 0
    status: str = "idle"
    last_error: str | None = None


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def load_state(engine: Engine, source: str, name: str) -> AccountState:
    with engine.connect() as connection:
        row = connection.execute(
            select(
                account_imports.c.last_complete_month,
                account_imports.c.last_game_ms,
                account_imports.c.games_imported,
                account_imports.c.skipped_variants,
                account_imports.c.status,
                account_imports.c.last_error,
            ).where(account_imports.c.source == source, account_imports.c.name == name)
        ).first()
    return AccountState(*row) if row else AccountState()


def acquire_lock(engine: Engine, source: str, name: str, token: str) -> bool:
    """Take the account's lock for `token`; False when another live import holds it."""
    now = utcnow()
    with engine.begin() as connection:
        insert = (
            postgresql.insert(account_imports)
            if connection.dialect.name == "postgresql"
            else sqlite.insert(account_imports)
        )
        connection.execute(
            insert.values(source=source, name=name).on_conflict_do_nothing(
                index_elements=["source", "name"]
            )
        )
    with engine.begin() as connection:
        taken = connection.execute(
            update(account_imports)
            .where(
                account_imports.c.source == source,
                account_imports.c.name == name,
                (account_imports.c.status != "running")
                | account_imports.c.heartbeat_at.is_(None)
                | (account_imports.c.heartbeat_at < now - STALE_AFTER),
            )
            .values(status="running", lock_token=token, heartbeat_at=now, last_error=None)
        )
        return taken.rowcount == 1


def record_progress(
    engine: Engine,
    source: str,
    name: str,
    token: str,
    *,
    games: int = 0,
    skipped_variants: int = 0,
    last_complete_month: int | None = None,
    last_game_ms: int | None = None,
) -> None:
    """Note what has landed (after it has committed) and refresh the heartbeat."""
    values: dict[str, object] = {
        "heartbeat_at": utcnow(),
        "games_imported": account_imports.c.games_imported + games,
        "skipped_variants": account_imports.c.skipped_variants + skipped_variants,
    }
    if last_complete_month is not None:
        values["last_complete_month"] = last_complete_month
    if last_game_ms is not None:
        values["last_game_ms"] = last_game_ms
    with engine.begin() as connection:
        connection.execute(
            update(account_imports)
            .where(
                account_imports.c.source == source,
                account_imports.c.name == name,
                account_imports.c.lock_token == token,
            )
            .values(**values)
        )


def release_lock(engine: Engine, source: str, name: str, token: str, error: str | None) -> None:
    """Give the lock back, keeping the error (if any) for the page to show."""
    with engine.begin() as connection:
        connection.execute(
            update(account_imports)
            .where(
                account_imports.c.source == source,
                account_imports.c.name == name,
                account_imports.c.lock_token == token,
            )
            .values(status="idle", lock_token=None, last_error=error, finished_at=utcnow())
        )


def force_release(engine: Engine, source: str, name: str, message: str) -> None:
    """Free an account whose import was killed (a cancelled job); its work rolled back."""
    with engine.begin() as connection:
        connection.execute(
            update(account_imports)
            .where(account_imports.c.source == source, account_imports.c.name == name)
            .values(status="idle", lock_token=None, last_error=message, finished_at=utcnow())
        )
