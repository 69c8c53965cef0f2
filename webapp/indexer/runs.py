"""The one-game rows in runs (PostgreSQL): move_singles is partitioned by batch (`seq`),
each partition a run with its own indexes, as a log-structured merge tree keeps sorted
runs.

Imports append to the open run, the one with no upper bound, so their index upkeep
touches a small index however large the store has grown: keys are hashes, so every batch
writes into leaf pages all over an index, and appending into the one index of a
33-million-row table ran at a third of the speed of appending into a small one.
Compaction seals the open run once it holds SEAL_BYTES (it gets its batches as bounds, a
new open run takes the later ones) and merges FAN_IN sealed runs of one size tier into one
whose rows are written in key order and whose indexes are built in one sorted pass. A row
is so rewritten once a tier (each FAN_IN times larger than the one before), and a read
looks a position up in a few indexes instead of one.

A run is named after the first batch it holds (move_singles_0 holds the lowest); its
bounds are read from the catalog. Readers see one table throughout: a seal or a merge
swaps partitions in one short transaction holding the statistics lock, so no batch lands
in between, and neither scans rows while readers wait (each checks its rows' bounds
beforehand, beside them). A merge killed before its swap leaves a table nobody reads,
dropped by the next. SQLite keeps one plain table.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Connection, text
from sqlalchemy.engine import Engine

from webapp.db.singles import VIEW, view_sql
from webapp.indexer.bulk import (
    STATS_LOCK,
    allow_long_statements,
    lock_statistics,
    release_session_lock,
    share_statistics,
)

TABLE = "move_singles"
#: the table a merge fills before it takes its runs' place
MERGING = "move_singles_merging"
#: a CHECK constraint saying a merge's table's batches fit the bounds it is about to be
#: attached with, checked row by row as they come, so the attach need not scan them
BOUNDS_CHECK = "move_singles_run_bounds"
#: the CHECK constraint a seal gives the open run (its bounds once sealed), validated beside
#: the readers so that attaching the run with those bounds scans nothing
SEAL_CHECK = "move_singles_seal_bounds"
#: the open run is sealed at a compaction that finds it this large (heap bytes): about
#: 1.3 million rows, 40,000 games' one-game rows
SEAL_BYTES = 64 << 20
#: sealed runs of one size tier merged at once; tier t holds runs of SEAL_BYTES × FAN_IN**t
#: bytes and up
FAN_IN = 4
#: the indexes of move_singles (webapp.db.tables, migration 0016): definition, the suffix
#: PostgreSQL gives a partition's copy of one, its name on move_singles itself
INDEXES = (
    ("(position_key, seq)", "position_key_seq_idx", "ix_move_singles_position_key_seq"),
    ("USING brin (seq)", "seq_idx", "ix_move_singles_seq"),
)
#: memory to sort a merged run's keys in
INDEX_BUILD_MEMORY = "256MB"
_BOUNDS = re.compile(r"FROM \((\w+)\) TO \((\w+)\)")


@dataclass(frozen=True)
class Run:
    """One partition of move_singles: the batches [low, high) it holds (None: unbounded)."""

    name: str
    low: int | None
    high: int | None
    size: int  # heap bytes

    @property
    def open(self) -> bool:
        return self.high is None


@dataclass
class RunsReport:
    """What one upkeep of the runs did (keep_runs)."""

    sealed: bool = False
    merged: int = 0  # runs merged into others


def partitioned(connection: Connection) -> bool:
    """Whether move_singles is kept in runs (PostgreSQL from migration 0019 on)."""
    if connection.dialect.name != "postgresql":
        return False
    kind = connection.execute(
        text("SELECT relkind FROM pg_class WHERE oid = to_regclass(:table)"), {"table": TABLE}
    ).scalar()
    return kind == "p"


def runs(connection: Connection) -> list[Run]:
    """move_singles' runs, oldest first (the open one last)."""
    rows = connection.execute(
        text(
            "SELECT c.relname, pg_get_expr(c.relpartbound, c.oid), pg_relation_size(c.oid) "
            "FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = to_regclass(:table)"
        ),
        {"table": TABLE},
    ).all()

    def bound(value: str) -> int | None:
        return None if value in ("MINVALUE", "MAXVALUE") else int(value)

    found = []
    for name, bounds, size in rows:
        low, high = _BOUNDS.search(bounds).groups()  # type: ignore[union-attr]
        found.append(Run(name, bound(low), bound(high), int(size)))
    return sorted(found, key=lambda run: (run.low is not None, run.low or 0))


def _range(low: int | None, high: int | None) -> str:
    return f"FROM ({'MINVALUE' if low is None else low}) TO ({'MAXVALUE' if high is None else high})"


def _serial(connection: Connection, name: str) -> None:
    """No parallel scans of the run (webapp.db.singles.SERIAL_SCANS_SQL: a partitioned
    table takes the option from each partition)."""
    connection.execute(text(f"ALTER TABLE {name} SET (parallel_workers = 0)"))


def _open_run(connection: Connection, low: int) -> None:
    name = f"{TABLE}_{low}"
    connection.execute(text(f"CREATE TABLE {name} PARTITION OF {TABLE} FOR VALUES {_range(low, None)}"))
    _serial(connection, name)


def partition(connection: Connection, table: str, upto: int) -> None:
    """Make move_singles a table of runs whose first is `table`, a plain table of one-game
    rows from batches up to `upto` (webapp.indexer.compact.merge_first_load's, or the
    plain move_singles migration 0019 renames), followed by an empty open run; an empty
    `table` becomes the open run. The new move_singles has the indexes `table` has, taken
    over, not built again. A bound `table` is checked against its batches (a scan). In the
    caller's transaction; the view is made again."""
    connection.execute(text(f"DROP VIEW IF EXISTS {VIEW}"))
    first = f"{TABLE}_0"
    if table != first:
        connection.execute(text(f"ALTER TABLE {table} RENAME TO {first}"))
    indexed = set(
        connection.execute(
            text("SELECT indexname FROM pg_indexes WHERE tablename = :table"), {"table": first}
        ).scalars()
    )
    connection.execute(
        text(
            f"CREATE TABLE {TABLE} (LIKE {first} INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING STORAGE) "
            "PARTITION BY RANGE (seq)"
        )
    )
    for definition, suffix, parent_name in INDEXES:
        if parent_name in indexed:
            connection.execute(text(f"ALTER INDEX {parent_name} RENAME TO {first}_{suffix}"))
            connection.execute(text(f"CREATE INDEX {parent_name} ON {TABLE} {definition}"))
    empty = connection.execute(text(f"SELECT NOT EXISTS (SELECT 1 FROM {first})")).scalar()
    high = None if empty else upto + 1
    connection.execute(text(f"ALTER TABLE {TABLE} ATTACH PARTITION {first} FOR VALUES {_range(None, high)}"))
    _serial(connection, first)
    if high is not None:
        _open_run(connection, high)
    connection.execute(text(view_sql("postgresql")))


def unpartition(connection: Connection) -> None:
    """move_singles as one plain table again, its rows and indexes as migration 0016 made
    them (migration 0019's downgrade). In the caller's transaction; the view made again."""
    flat = f"{TABLE}_flat"
    connection.execute(text(f"DROP VIEW IF EXISTS {VIEW}"))
    connection.execute(
        text(f"CREATE TABLE {flat} (LIKE {TABLE} INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING STORAGE)")
    )
    connection.execute(text(f"INSERT INTO {flat} SELECT * FROM {TABLE} ORDER BY position_key, seq"))
    connection.execute(text(f"DROP TABLE {TABLE}"))
    connection.execute(text(f"ALTER TABLE {flat} RENAME TO {TABLE}"))
    for definition, _suffix, name in INDEXES:
        connection.execute(text(f"CREATE INDEX {name} ON {TABLE} {definition}"))
    _serial(connection, TABLE)
    connection.execute(text(view_sql("postgresql")))


def latest_batch(connection: Connection) -> int:
    """The latest batch any row can have (0 before the first)."""
    return int(connection.execute(text("SELECT coalesce(max(id), 0) FROM stat_batches")).scalar() or 0)


def seal(connection: Connection) -> bool:
    """Seal the open run if it holds SEAL_BYTES or more: it keeps the batches landed so far,
    a new open run takes the later ones. Batches wait throughout (the statistics lock is
    held exclusively, at session level across three transactions); readers wait only for
    catalog changes, never for a scan: the run's rows are checked against its new bounds
    beside them (a CHECK constraint validated, a quarter of a second a million rows), so
    attaching it with those bounds reads nothing. Commits as it goes, on the caller's
    connection; whether it sealed. A seal that fails midway takes its constraint off again;
    one killed midway leaves it to drop_stale_seal."""
    with connection.begin():
        current = runs(connection)
    if not current or not current[-1].open or current[-1].size < SEAL_BYTES:
        return False
    last = current[-1]
    hold_batches(connection)
    try:
        with connection.begin():
            drop_seal_check(connection)
            upto = latest_batch(connection)
        if last.low is not None and upto < last.low:
            return False
        _check_bounds(connection, last.name, last.low, upto + 1)
        with connection.begin():
            connection.execute(text(f"ALTER TABLE {TABLE} DETACH PARTITION {last.name}"))
            connection.execute(
                text(f"ALTER TABLE {TABLE} ATTACH PARTITION {last.name} FOR VALUES {_range(last.low, upto + 1)}")
            )
            connection.execute(text(f"ALTER TABLE {last.name} DROP CONSTRAINT {SEAL_CHECK}"))
            _open_run(connection, upto + 1)
        return True
    except BaseException:
        connection.rollback()
        with connection.begin():
            drop_seal_check(connection)
        raise
    finally:
        release_session_lock(connection, STATS_LOCK)


def hold_batches(connection: Connection) -> None:
    """Hold the statistics lock exclusively at session level, across transactions: batches
    wait, readers do not (release with bulk.release_session_lock)."""
    connection.exec_driver_sql(f"SELECT pg_advisory_lock({STATS_LOCK})")
    connection.commit()


def _bounds_check(table: str, low: int | None, high: int) -> tuple[str, str]:
    """The statements giving `table` a valid CHECK constraint (SEAL_CHECK) that its batches
    are in [low, high), so attaching it with those bounds scans nothing: one adding it
    (a moment), one validating it (a scan that readers do not wait for; batches must: the
    caller holds them off), each to be its own transaction."""
    bounds = f"seq < {high}" + ("" if low is None else f" AND seq >= {low}")
    return (
        f"ALTER TABLE {table} ADD CONSTRAINT {SEAL_CHECK} CHECK ({bounds}) NOT VALID",
        f"ALTER TABLE {table} VALIDATE CONSTRAINT {SEAL_CHECK}",
    )


def _check_bounds(connection: Connection, table: str, low: int | None, high: int) -> None:
    for statement, scans in zip(_bounds_check(table, low, high), (False, True), strict=True):
        with connection.begin():
            if scans:
                allow_long_statements(connection)
            connection.execute(text(statement))


def bound_first_run(engine: Engine, table: str, upto: int) -> None:
    """Give `table`, an empty table about to be filled with one-game rows of batches up to
    `upto`, the bounds of the first run it will become (SEAL_CHECK): each row is checked
    as it goes in, so partition() attaches it without a scan. On a connection of its own,
    committed at once: a constraint added in the filling transaction would lock the table
    until that transaction ends, and other connections filling it would wait for it.
    drop_seal_check takes it off once the table is attached."""
    with engine.connect() as connection:
        _check_bounds(connection, table, None, upto + 1)


def check_first_run(connection: Connection) -> int:
    """Migration 0019's first half, on a connection in autocommit mode (each statement its
    own transaction): hold batches off at session level (the caller's next transaction
    takes the lock over: take_over_batches), and check the plain move_singles' rows
    against the bounds of the first run they are about to become, beside the readers.
    The latest batch, the run's last."""
    connection.exec_driver_sql(f"SELECT pg_advisory_lock({STATS_LOCK})")
    drop_seal_check(connection)  # one an interrupted upgrade left
    upto = latest_batch(connection)
    for statement in _bounds_check(TABLE, None, upto + 1):
        connection.execute(text(statement))
    return upto


def take_over_batches(connection: Connection) -> None:
    """Hold batches off for the caller's transaction instead of the session (after
    check_first_run or hold_batches): the lock goes when the transaction ends."""
    lock_statistics(connection)
    connection.exec_driver_sql(f"SELECT pg_advisory_unlock({STATS_LOCK})")


def drop_seal_check(connection: Connection) -> bool:
    """Take the constraint a seal (or check_first_run) gave off, wherever it is (the caller
    holds the statistics lock exclusively, so no seal is under way); whether there was
    one. In the caller's transaction."""
    holders = connection.execute(  # move_singles first: its runs' copies go with its own
        text(
            "SELECT k.conrelid::regclass::text FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid "
            "WHERE k.conname = :name ORDER BY c.relkind = 'p' DESC"
        ),
        {"name": SEAL_CHECK},
    ).scalars().all()
    for holder in holders:
        connection.execute(text(f"ALTER TABLE {holder} DROP CONSTRAINT IF EXISTS {SEAL_CHECK}"))
    return bool(holders)


def drop_stale_seal(connection: Connection) -> bool:
    """Take off the open run the constraint a seal killed midway left there (its batches'
    bounds, which every later batch breaks): a batch that meets it calls this, then tries
    again. Its own transaction; whether there was one."""
    with connection.begin():
        lock_statistics(connection)
        return drop_seal_check(connection)


def tier(size: int) -> int:
    """A sealed run's size tier: 0 below SEAL_BYTES × FAN_IN, t from SEAL_BYTES × FAN_IN**t."""
    level = 0
    while size >= SEAL_BYTES * FAN_IN ** (level + 1):
        level += 1
    return level


def mergeable(current: list[Run]) -> list[Run]:
    """The oldest FAN_IN consecutive sealed runs of one tier, or none."""
    sealed = [run for run in current if not run.open]
    for start in range(len(sealed) - FAN_IN + 1):
        group = sealed[start : start + FAN_IN]
        if len({tier(run.size) for run in group}) == 1:
            return group
    return []


def drop_merging(connection: Connection) -> None:
    """Drop the table a killed merge left, if any (the caller's transaction)."""
    connection.execute(text(f"DROP TABLE IF EXISTS {MERGING}"))


def merge(connection: Connection, group: list[Run]) -> None:
    """Merge consecutive sealed runs into one: their rows, in key order, into a new table
    with its indexes built at once, which then takes their place. The statistics lock is
    held shared while the rows are copied (nothing else deletes from sealed runs then: a
    full recount holds it exclusively) and exclusively for the swap. Commits as it goes,
    on the caller's connection, which holds the compaction lock."""
    low, high = group[0].low, group[-1].high
    assert high is not None, "the open run is never merged"
    bounds = f"seq < {high}" + ("" if low is None else f" AND seq >= {low}")
    with connection.begin():
        drop_merging(connection)
        connection.execute(
            text(f"CREATE TABLE {MERGING} (LIKE {TABLE} INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING STORAGE)")
        )
        connection.execute(text(f"ALTER TABLE {MERGING} ADD CONSTRAINT {BOUNDS_CHECK} CHECK ({bounds})"))
        _serial(connection, MERGING)
    with connection.begin():
        share_statistics(connection)
        sources = " UNION ALL ".join(f"SELECT * FROM {run.name}" for run in group)
        connection.execute(text(f"INSERT INTO {MERGING} {sources} ORDER BY position_key, seq"))
        connection.execute(text(f"SET LOCAL maintenance_work_mem = '{INDEX_BUILD_MEMORY}'"))
        for definition, suffix, _parent in INDEXES:
            connection.execute(text(f"CREATE INDEX {MERGING}_{suffix} ON {MERGING} {definition}"))
        connection.execute(text(f"ANALYZE {MERGING}"))
    with connection.begin():
        lock_statistics(connection)
        for run in group:
            connection.execute(text(f"ALTER TABLE {TABLE} DETACH PARTITION {run.name}"))
        connection.execute(text(f"ALTER TABLE {TABLE} ATTACH PARTITION {MERGING} FOR VALUES {_range(low, high)}"))
        connection.execute(text(f"ALTER TABLE {MERGING} DROP CONSTRAINT {BOUNDS_CHECK}"))
        connection.execute(text("DROP TABLE " + ", ".join(run.name for run in group)))
        name = group[0].name
        connection.execute(text(f"ALTER TABLE {MERGING} RENAME TO {name}"))
        for _definition, suffix, _parent in INDEXES:
            connection.execute(text(f"ALTER INDEX {MERGING}_{suffix} RENAME TO {name}_{suffix}"))


def _megabytes(size: int) -> str:
    return f"{size / (1 << 20):,.0f} MB"


def keep_runs(connection: Connection, between: Callable[[str], None] = lambda _step: None) -> RunsReport:
    """Seal the open run if it has grown to SEAL_BYTES, then merge sealed runs while FAN_IN
    of one tier follow each other: compaction's last step, on its connection (holding the
    compaction lock). `between(step)` is told each seal or merge before it starts (what it
    is, for a progress line) and may raise to stop there: what was done stays. Commits as
    it goes; nothing on SQLite."""
    report = RunsReport()
    with connection.begin():
        if not partitioned(connection):
            return report
        current = runs(connection)
    if current and current[-1].open and current[-1].size >= SEAL_BYTES:
        between(f"sealing the one-game rows' open run ({_megabytes(current[-1].size)})")
        report.sealed = seal(connection)
    while True:
        with connection.begin():
            group = mergeable(runs(connection))
        if not group:
            return report
        between(f"merging {len(group)} runs of one-game rows ({_megabytes(sum(run.size for run in group))})")
        merge(connection, group)
        report.merged += len(group) - 1
