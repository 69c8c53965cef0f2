"""The one-game rows in runs (PostgreSQL): move_singles is partitioned by batch (`seq`),
each partition a run with its own indexes, as a log-structured merge tree keeps sorted
runs.

Each batch writes its one-game rows into a run of its own: a new table filled by COPY
with no index, its indexes then built in one sorted pass, attached as the partition of
that one batch as the batch commits. Keys are hashes, so appending rows into an index
already there writes into leaf pages all over it: into the one open run of a
million-game store (the design before), a 58,000-game import spent 5.8 s in the COPY of
its one-game rows, against 1.2 s with no index to keep.
Compaction (and an import as it goes, webapp.indexer.load.RUNS_MERGED_EVERY) merges
runs: the small ones (below FULL_BYTES) in a row once they add up to FULL_BYTES or number
MAX_SMALL_RUNS, and FAN_IN full runs of one size tier into one, its
rows written in key order and its indexes built in one sorted pass. A row is so
rewritten about once a tier (each FAN_IN times larger than the one before), and a read
looks a position up in a few indexes instead of one.

A run is named after the first batch it holds (move_singles_0 holds the lowest); its
bounds are read from the catalog. Readers see one table throughout: a batch's run joins
it whole as the batch commits; a merge swaps partitions in one short transaction holding
the statistics lock, so no batch lands in between, and it scans no rows while readers
wait (its rows' bounds are checked as they go in). A merge killed before its swap leaves
a table nobody reads, dropped by the next. SQLite keeps one plain table.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from dataclasses import dataclass

from sqlalchemy import Connection, text
from sqlalchemy.engine import Engine

from webapp.db.singles import VIEW, view_sql
from webapp.indexer.bulk import (
    STATS_LOCK,
    allow_long_statements,
    lock_statistics,
    share_statistics,
)

TABLE = "move_singles"
#: the table a merge fills before it takes its runs' place
MERGING = "move_singles_merging"
#: a CHECK constraint saying a merge's table's batches fit the bounds it is about to be
#: attached with, checked row by row as they come, so the attach need not scan them
BOUNDS_CHECK = "move_singles_run_bounds"
#: the CHECK constraint a batch's run is made with (its one batch), so that attaching it
#: reads nothing
BATCH_CHECK = "move_singles_batch_bounds"
#: the CHECK constraint giving a table about to become a run its bounds (first run,
#: bound_first_run and check_first_run; the open run, check_open_run), validated beside
#: the readers so that attaching it with those bounds scans nothing
SEAL_CHECK = "move_singles_seal_bounds"
#: a run this large (heap bytes) is full: about 1.3 million rows, 40,000 games' one-game
#: rows; smaller ones are merged with the small runs beside them
FULL_BYTES = 64 << 20
#: small runs in a row merged once there are this many, however small: each is one more
#: index a read looks a position up in. A batch of 2,000 lichess games writes a run of
#: about 3.3 MB, one of 8,000 (the size an import's batches grow to: webapp.indexer.load)
#: about 13 MB, so five of those make a full run
MAX_SMALL_RUNS = 20
#: merges given up in a row (a batch's run landed among the group's) before keep_runs stops
MERGE_ATTEMPTS = 3
#: full runs of one size tier merged at once; tier t holds runs of FULL_BYTES × FAN_IN**t
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
    table takes the option from each partition). PostgreSQL still plans a parallel append
    over the runs, each run's scan in one worker, for as many workers as the runs' count
    suggests: the app's connections allow no parallel workers (webapp.engine_options)."""
    connection.execute(text(f"ALTER TABLE {name} SET (parallel_workers = 0)"))


def partition(connection: Connection, table: str, upto: int) -> None:
    """Make move_singles a table of runs whose only one is `table`, a plain table of one-game
    rows from batches up to `upto` (webapp.indexer.compact.merge_first_load's, or the plain
    move_singles migration 0019 renames); later batches add runs of their own. The new
    move_singles has the indexes `table` has, taken over, not built again. A bound `table`
    is checked against its batches (a scan). In the caller's transaction; the view is
    made again."""
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
    connection.execute(text(f"ALTER TABLE {TABLE} ATTACH PARTITION {first} FOR VALUES {_range(None, upto + 1)}"))
    _serial(connection, first)
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


def run_name(seq: int) -> str:
    """The table of batch `seq`'s own run."""
    return f"{TABLE}_{seq}"


def batch_runs(connection: Connection) -> bool:
    """Whether each batch writes its one-game rows into a run of its own: move_singles is
    in runs, none of them open (bounded by MAXVALUE, as before migration 0020). In the
    caller's transaction."""
    return partitioned(connection) and not any(run.open for run in runs(connection))


def new_run_sql(seq: int) -> str:
    """CREATE TABLE for batch `seq`'s run: made like move_singles, with no parallel scans
    (_serial) and a constraint that its rows are the batch's, checked as they go in, so
    that attaching it reads nothing."""
    return (
        f"CREATE TABLE {run_name(seq)} (LIKE {TABLE} INCLUDING DEFAULTS INCLUDING STORAGE, "
        f"CONSTRAINT {BATCH_CHECK} CHECK (seq >= {seq} AND seq < {seq + 1})) WITH (parallel_workers = 0)"
    )


#: the names of the indexes move_singles has now (a first load drops them)
PARENT_INDEXES_SQL = f"SELECT indexname FROM pg_indexes WHERE tablename = '{TABLE}'"


def run_index_sql(seq: int, indexed: Collection[str]) -> list[str]:
    """CREATE INDEX for batch `seq`'s filled run: each of move_singles' INDEXES it has
    (`indexed`: PARENT_INDEXES_SQL's names), built in one sorted pass before the run is
    attached, so that attaching it builds none while holding move_singles' lock."""
    name = run_name(seq)
    return [
        f"CREATE INDEX {name}_{suffix} ON {name} {definition}"
        for definition, suffix, parent_name in INDEXES
        if parent_name in indexed
    ]


def attach_run_sql(seq: int) -> list[str]:
    """Attach batch `seq`'s run to move_singles (readers see its rows from the batch's
    commit on) and take its constraint off. The last statements of the batch: the attach
    holds a lock on move_singles that another batch's attach waits for, until the commit."""
    name = run_name(seq)
    return [
        f"ALTER TABLE {TABLE} ATTACH PARTITION {name} FOR VALUES {_range(seq, seq + 1)}",
        f"ALTER TABLE {name} DROP CONSTRAINT {BATCH_CHECK}",
    ]


def check_open_run(connection: Connection) -> int:
    """Migration 0020's first half, on a connection in autocommit mode (each statement its
    own transaction): hold batches off at session level (the caller's next transaction
    takes the lock over: take_over_batches), and check the rows of the open run a store
    made before it keeps (bounded by MAXVALUE: every batch's own run would overlap it)
    against the bounds it is about to get, up to the latest batch, beside the readers.
    The latest batch."""
    upto = _hold_batches_for_upgrade(connection)
    current = runs(connection)
    if current and current[-1].open:
        _check_bounds_in_autocommit(connection, current[-1].name, current[-1].low, upto + 1)
    return upto


def close_open_run(connection: Connection, upto: int) -> None:
    """Migration 0020's second half, holding batches off: the open run, checked by
    check_open_run, bounded at batch `upto` (attaching it reads nothing), or dropped when
    empty. In the caller's transaction: readers wait only for the catalog changes."""
    current = runs(connection)
    if not current or not current[-1].open:
        return
    last = current[-1]
    connection.execute(text(f"ALTER TABLE {TABLE} DETACH PARTITION {last.name}"))
    if connection.execute(text(f"SELECT NOT EXISTS (SELECT 1 FROM {last.name})")).scalar():
        connection.execute(text(f"DROP TABLE {last.name}"))
        return
    connection.execute(text(f"ALTER TABLE {TABLE} ATTACH PARTITION {last.name} FOR VALUES {_range(last.low, upto + 1)}"))
    connection.execute(text(f"ALTER TABLE {last.name} DROP CONSTRAINT {SEAL_CHECK}"))


def reopen_run(connection: Connection) -> None:
    """An empty open run for the batches to come (migration 0020's downgrade), after the
    last run. In the caller's transaction."""
    lock_statistics(connection)
    current = runs(connection)
    if current and current[-1].open:
        return
    low = max([run.high for run in current if run.high is not None], default=0)
    low = max(low, latest_batch(connection) + 1)
    name = run_name(low)
    connection.execute(text(f"CREATE TABLE {name} PARTITION OF {TABLE} FOR VALUES {_range(low, None)}"))
    _serial(connection, name)


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
    upto = _hold_batches_for_upgrade(connection)
    _check_bounds_in_autocommit(connection, TABLE, None, upto + 1)
    return upto


def _hold_batches_for_upgrade(connection: Connection) -> int:
    """check_first_run's and check_open_run's start, in autocommit mode: batches held off
    at session level, the SEAL_CHECK an interrupted upgrade left taken off; the latest batch."""
    connection.exec_driver_sql(f"SELECT pg_advisory_lock({STATS_LOCK})")
    drop_seal_check(connection)
    return latest_batch(connection)


def _check_bounds_in_autocommit(connection: Connection, table: str, low: int | None, high: int) -> None:
    """_bounds_check's statements on a connection in autocommit mode, each its own transaction."""
    for statement in _bounds_check(table, low, high):
        connection.execute(text(statement))


def take_over_batches(connection: Connection) -> None:
    """Hold batches off for the caller's transaction instead of the session (after
    check_first_run): the lock goes when the transaction ends."""
    lock_statistics(connection)
    connection.exec_driver_sql(f"SELECT pg_advisory_unlock({STATS_LOCK})")


def drop_seal_check(connection: Connection) -> bool:
    """Take SEAL_CHECK off wherever it is (the caller holds the statistics lock
    exclusively, so nothing giving it is under way); whether there was one. In the
    caller's transaction."""
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


def tier(size: int) -> int:
    """A full run's size tier: 0 below FULL_BYTES × FAN_IN, t from FULL_BYTES × FAN_IN**t."""
    level = 0
    while size >= FULL_BYTES * FAN_IN ** (level + 1):
        level += 1
    return level


def _small(run: Run) -> bool:
    return not run.open and run.size < FULL_BYTES


def small_group(current: list[Run]) -> list[Run]:
    """The oldest small runs in a row to merge: the first of them that add up to
    FULL_BYTES (two or more), or all of them once MAX_SMALL_RUNS; else none."""
    stretch: list[Run] = []
    for run in [*current, None]:
        if run is not None and _small(run):
            stretch.append(run)
            continue
        total = 0
        for count, member in enumerate(stretch, start=1):
            total += member.size
            if total >= FULL_BYTES and count >= 2:
                return stretch[:count]
        if len(stretch) >= MAX_SMALL_RUNS:
            return stretch
        stretch = []
    return []


def mergeable(current: list[Run]) -> list[Run]:
    """The oldest FAN_IN full runs of one tier in a row (no other run between them), or none."""
    for start in range(len(current) - FAN_IN + 1):
        group = current[start : start + FAN_IN]
        if all(not run.open and run.size >= FULL_BYTES for run in group) and len({tier(run.size) for run in group}) == 1:
            return group
    return []


def next_merge(current: list[Run]) -> list[Run]:
    """The runs compaction merges next: small ones first (small_group), then full ones
    (mergeable); none when neither has a group."""
    return small_group(current) or mergeable(current)


def _overlaps(run: Run, low: int | None, high: int) -> bool:
    below = run.high is not None and low is not None and run.high <= low
    above = run.low is not None and run.low >= high
    return not (below or above)


def drop_merging(connection: Connection) -> None:
    """Drop the table a killed merge left, if any (the caller's transaction)."""
    connection.execute(text(f"DROP TABLE IF EXISTS {MERGING}"))


def merge(connection: Connection, group: list[Run]) -> bool:
    """Merge runs in a row into one: their rows, in key order, into a new table with its
    indexes built at once, which then takes their place. The statistics lock is held
    shared while the rows are copied (nothing else deletes from the runs then: a full
    recount holds it exclusively) and exclusively for the swap. Batches land meanwhile:
    one whose run falls between the group's bounds (a batch begun before the last of them
    and committed after the group was chosen) makes the merge give up, its table
    dropped. Commits as it goes, on the caller's connection, which holds the compaction
    lock; whether it merged."""
    low, high = group[0].low, group[-1].high
    assert high is not None, "an open run is never merged"
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
        names = {run.name for run in group}
        now = runs(connection)
        landed = [run for run in now if run.name not in names and _overlaps(run, low, high)]
        if landed or not names <= {run.name for run in now}:
            drop_merging(connection)
            return False
        for run in group:
            connection.execute(text(f"ALTER TABLE {TABLE} DETACH PARTITION {run.name}"))
        connection.execute(text(f"ALTER TABLE {TABLE} ATTACH PARTITION {MERGING} FOR VALUES {_range(low, high)}"))
        connection.execute(text(f"ALTER TABLE {MERGING} DROP CONSTRAINT {BOUNDS_CHECK}"))
        connection.execute(text("DROP TABLE " + ", ".join(run.name for run in group)))
        name = group[0].name
        connection.execute(text(f"ALTER TABLE {MERGING} RENAME TO {name}"))
        for _definition, suffix, _parent in INDEXES:
            connection.execute(text(f"ALTER INDEX {MERGING}_{suffix} RENAME TO {name}_{suffix}"))
    return True


def _megabytes(size: int) -> str:
    return f"{size / (1 << 20):,.0f} MB"


def keep_runs(connection: Connection, between: Callable[[str], None] = lambda _step: None) -> RunsReport:
    """Merge runs while next_merge finds a group: a step of compaction before its ranges and
    after them, on its connection (holding the compaction lock). `between(step)` is told
    each merge before it starts (what it is, for a progress line) and may raise to stop
    there: what was done stays.
    A merge given up for a batch that landed among its runs is planned again, at most
    MERGE_ATTEMPTS times in a row. Commits as it goes; nothing on SQLite."""
    report = RunsReport()
    with connection.begin():
        if not partitioned(connection):
            return report
    given_up = 0
    while given_up < MERGE_ATTEMPTS:
        with connection.begin():
            group = next_merge(runs(connection))
        if not group:
            break
        between(f"merging {len(group)} runs of one-game rows ({_megabytes(sum(run.size for run in group))})")
        if merge(connection, group):
            report.merged += len(group) - 1
            given_up = 0
        else:
            given_up += 1
    return report
