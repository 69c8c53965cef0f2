"""First load: an import into an empty PostgreSQL store appends its statistics without
the indexes of move_stats and move_singles; when it ends, it builds them, after merging
the rows of each key at once (webapp.indexer.compact.merge_first_load) if it was a long one.

Keeping a b-tree up to date costs PostgreSQL more per appended row than the row itself
(the rows' keys are hashes, so every batch touches leaf pages all over the index, and
after each checkpoint every page touched is written to the WAL whole); one sorted build
of the merged rows costs a fraction of that. The BRIN index on `seq` (compaction's way to
the rows appended since it last ran) is cheap to build and cost a twentieth of the
server's time to keep up while appending. While a first load runs, reads of the
statistics stay exact but scan the table (there is nothing to read in an empty store but
what the load has added so far), and compaction waits for it.

A session-level advisory lock marks a first load in progress: released when its
connection ends, so a killed first load leaves the indexes missing, its rows unmerged and
no lock, and the next import or compaction builds them (`ensure_position_index`); the
compaction merges the rows as any appended ones. SQLite keeps its index: appending
without it measured about a quarter faster there too (15,000 games), but SQLite has no
advisory lock to tell a running first load from a killed one.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, text
from sqlalchemy.engine import Engine

from webapp.indexer.bulk import lock_statistics, release_session_lock
from webapp.indexer.report import ImportReport

POSITION_INDEX = "ix_move_stats_position_key_seq"
POSITION_INDEX_SQL = (
    f"CREATE INDEX IF NOT EXISTS {POSITION_INDEX} ON move_stats (position_key, seq)"
)
SEQ_INDEX = "ix_move_stats_seq"
#: as migration 0006 made it
SEQ_INDEX_SQL = f"CREATE INDEX IF NOT EXISTS {SEQ_INDEX} ON move_stats USING brin (seq)"
#: the narrow one-game rows' indexes (webapp.db.singles), as migration 0016 made them
SINGLES_INDEXES = ("ix_move_singles_position_key_seq", "ix_move_singles_seq")
SINGLES_INDEX_SQL = (
    "CREATE INDEX IF NOT EXISTS ix_move_singles_position_key_seq ON move_singles (position_key, seq)",
    "CREATE INDEX IF NOT EXISTS ix_move_singles_seq ON move_singles USING brin (seq)",
)
#: PostgreSQL session advisory lock held by the one import running a first load
FIRST_LOAD_LOCK = 0x6F65_4C44
#: ImportReport.stage while a first load ends (webapp.indexer.report)
MERGE_STAGE = "merging the statistics rows of each key, then building their indexes"
INDEX_STAGE = "building the statistics indexes"
#: the tables a first load's merged rows fill before they take the places of move_stats
#: and move_singles (webapp.indexer.compact.merge_first_load)
MERGED_TABLE = "move_stats_merged"
MERGED_SINGLES_TABLE = "move_singles_merged"
#: memory to sort the index's keys in (the server's default of 64MB spills to disk early)
INDEX_BUILD_MEMORY = "256MB"


def position_index_exists(connection: Connection) -> bool:
    """Whether move_stats has its position index (always, on SQLite)."""
    if connection.dialect.name != "postgresql":
        return True
    exists = connection.execute(
        text("SELECT to_regclass(:name) IS NOT NULL"), {"name": POSITION_INDEX}
    ).scalar()
    connection.commit()
    return exists is True


def drop_merged_table(connection: Connection) -> None:
    """Drop the tables a first load's merge fills, if any are left (a merge killed or
    failed before its swap), in the connection's transaction."""
    connection.execute(text(f"DROP TABLE IF EXISTS {MERGED_TABLE}, {MERGED_SINGLES_TABLE}"))


def _build_position_index(connection: Connection) -> None:
    """Build the statistics rows' indexes (move_stats' position index and the one on `seq`,
    move_singles' likewise) where missing,
    holding the statistics lock: batches in flight end first, later ones wait for it. A
    table a killed first load's merge left is dropped."""
    with connection.begin():
        lock_statistics(connection)
        drop_merged_table(connection)
        connection.exec_driver_sql(f"SET LOCAL maintenance_work_mem = '{INDEX_BUILD_MEMORY}'")
        for statement in (*SINGLES_INDEX_SQL, SEQ_INDEX_SQL, POSITION_INDEX_SQL):  # the position index last:
            connection.exec_driver_sql(statement)  # it says they are all there (position_index_exists)


def _try_first_load_lock(connection: Connection) -> bool:
    taken = connection.execute(
        text("SELECT pg_try_advisory_lock(:key)"), {"key": FIRST_LOAD_LOCK}
    ).scalar()
    connection.commit()
    return taken is True


def _release_first_load_lock(connection: Connection) -> None:
    release_session_lock(connection, FIRST_LOAD_LOCK)


def _claim_first_load(engine: Engine) -> Connection | None:
    """A connection holding the first-load lock, the indexes dropped, when move_stats is
    empty and no other first load runs; else None (after building the indexes a killed
    first load left missing, when no first load runs)."""
    holder = engine.connect()
    try:
        if not _try_first_load_lock(holder):
            holder.close()
            return None
        try:
            with holder.begin():
                lock_statistics(holder)
                empty = (
                    holder.execute(
                        text("SELECT NOT EXISTS (SELECT 1 FROM move_stats) AND NOT EXISTS (SELECT 1 FROM move_singles)")
                    ).scalar()
                    is True
                )
                if empty:
                    indexes = ", ".join((POSITION_INDEX, SEQ_INDEX, *SINGLES_INDEXES))
                    holder.exec_driver_sql(f"DROP INDEX IF EXISTS {indexes}")
            if not empty and not position_index_exists(holder):
                _build_position_index(holder)
        except BaseException:
            _release_first_load_lock(holder)
            raise
        if not empty:
            _release_first_load_lock(holder)
            holder.close()
            return None
        return holder
    except BaseException:
        holder.close()
        raise


def ensure_position_index(engine: Engine) -> bool | None:
    """Build move_stats' indexes if its position index is missing and no first load is
    running (a killed one left them so). True: built now; False: it was there; None: a
    first load is running and builds them when it ends."""
    if engine.dialect.name != "postgresql":
        return False
    with engine.connect() as connection:
        if position_index_exists(connection):
            return False
        if not _try_first_load_lock(connection):
            return None
        try:
            _build_position_index(connection)
        finally:
            _release_first_load_lock(connection)
    return True


@contextmanager
def first_load(
    engine: Engine,
    report: ImportReport,
    *,
    merge_from: int = 0,
    progress: Callable[[ImportReport], None] | None = None,
) -> Iterator[bool]:
    """Around an import: on PostgreSQL with move_stats empty and no other first load
    running, drop its indexes and build them again on leaving, whatever ends the import;
    yields whether it is such a first load. Otherwise an import as always (missing
    indexes built first, when no first load is running). A first load that ends
    without an error counts its end into `report` (ImportReport.add_first_load).

    With `merge_from`, a first load that ends with at least that many new games in
    `report` merges its rows at once before building the index. A smaller one leaves them
    to compaction: its rows are mostly of distinct keys (5,000 real games: 2% merge away),
    and rewriting every row costs more than compaction's merge of the few repeated ones.

    That end takes a minute or two at a million games: `progress` is called once before
    it with `report.stage` saying what it does (ImportReport.stage; "" again after). If
    that call raises, the merge is left to compaction, the indexes are built, and the
    error is raised."""
    holder = _claim_first_load(engine) if engine.dialect.name == "postgresql" else None
    if holder is None:
        yield False
        return
    completed = False
    stopped: BaseException | None = None
    try:
        yield True
        completed = True
    finally:
        try:
            started = time.monotonic()
            merged = 0
            # an import cut short leaves the merging to the next compaction
            merging = completed and merge_from and report.imported >= merge_from
            if completed and progress is not None:
                report.stage = MERGE_STAGE if merging else INDEX_STAGE
                try:
                    progress(report)
                except BaseException as error:  # noqa: BLE001 - raised once the indexes are built
                    stopped, merging = error, False
            if merging:
                from webapp.indexer.compact import merge_first_load

                merged = merge_first_load(holder)
            _build_position_index(holder)
            if completed:
                report.add_first_load(True, merged, time.monotonic() - started)
        finally:
            report.stage = ""
            try:
                _release_first_load_lock(holder)
            finally:
                holder.close()
    if stopped is not None:
        raise stopped
