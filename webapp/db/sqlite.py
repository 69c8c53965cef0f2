"""SQLite connection settings for the embedded mode: WAL, so readers never wait on an import;
and on every SQLite connection the game-reference functions PostgreSQL gets from
migrations 0007, 0016 and 0022 (refs_merge, refs_agg, ref_entry, refs_best), so both
databases run the same SQL."""

from __future__ import annotations

import sqlite3
from datetime import date

import numpy as np
from sqlalchemy import event
from sqlalchemy.engine import Engine

from webapp.model import game_refs


def register_sqlite_pragmas(engine: Engine) -> None:
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()


def stored_date(value) -> date | None:  # type: ignore[no-untyped-def]
    """A played_on value as a date: SQLite hands dates back as ISO text through raw columns."""
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


class _RefsAggregate:
    """refs_agg(refs): the rows' references merged (game_refs.merge)."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []

    def step(self, value: bytes | None) -> None:
        if value:
            self.parts.append(value)
            if len(self.parts) > 64:
                self.parts = [game_refs.merge(self.parts) or b""]

    def finalize(self) -> bytes | None:
        return game_refs.merge(self.parts)


def _refs_merge(first: bytes | None, second: bytes | None) -> bytes | None:
    return game_refs.merge((first, second))


def _refs_best(refs: bytes | None) -> int:
    entries = game_refs.decode(refs)
    return int(entries["rating"].max()) if len(entries) else 0


def _ref_entry(game_id: int, rating: int, day: int) -> bytes:
    return game_refs.encode(np.array([game_id]), np.array([rating]), np.array([day])).tobytes()


def add_refs_functions(connection: sqlite3.Connection) -> None:
    """Register refs_merge(a, b), refs_agg(refs), refs_best(refs) (the highest rating among
    them, 0 for none) and ref_entry(game_id, rating, day) (a one-game row's reference,
    webapp.db.singles) on a sqlite3 connection."""
    connection.create_function("refs_merge", 2, _refs_merge, deterministic=True)
    connection.create_function("refs_best", 1, _refs_best, deterministic=True)
    connection.create_function("ref_entry", 3, _ref_entry, deterministic=True)
    connection.create_aggregate("refs_agg", 1, _RefsAggregate)


@event.listens_for(Engine, "connect")
def _on_any_connect(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    if isinstance(dbapi_connection, sqlite3.Connection):
        add_refs_functions(dbapi_connection)
