"""import_games: GameRecords → the database, in batches that each land whole or not at all.

Each batch is one transaction: players upserted, games inserted with ON CONFLICT (uid) DO
NOTHING, statistics added only for the games that were new. Kill an import halfway and
run it again, and the counts are exactly those of one import.

On PostgreSQL two batches are written at once on two connections (each its own
transaction), so the server works on both cores while this process prepares the next
batch. Rows are merged in key order in every batch, so the two cannot deadlock on the
statistics; a deadlock elsewhere (or a serialization failure) retries the batch.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import closing
from dataclasses import replace
from itertools import islice

import numpy as np
from sqlalchemy import Connection
from sqlalchemy.engine import Engine

from webapp.indexer import runs
from webapp.indexer.bulk import PostgresWriter, SqliteWriter, writer_for
from webapp.indexer.first_load import first_load
from webapp.indexer.games import GameRecord
from webapp.indexer.report import ImportReport
from webapp.indexer.rows import Batch, prepare_batch

#: an import's first batch: it lands soon, and the next is parsed while it is written
DEFAULT_BATCH_SIZE = 2000
#: each batch after it holds twice the games of the one before, up to this many. On
#: PostgreSQL each batch adds a run of one-game rows (webapp.indexer.runs) and, at the
#: busiest positions, a row per group of games; a read right after an import looks in
#: every run and sums those rows. 58,301 games into the million-game store left 17 runs
#: instead of 39: right after it the explorer's months p95 10.3 ms instead of 12.7, no
#: filters 5.1 instead of 7.0 (medians of four rounds alternating), at the same rate
#: within noise (1.03 and 0.96 of it, two sets of rounds), for about 190 MB more memory
#: while importing
MAX_BATCH_SIZE = 8000
#: batches landed between two merges of the one-game rows' runs beside an import (on
#: PostgreSQL each batch adds a run; webapp.indexer.runs), so that reads during a long
#: import look a position up in at most about 80 runs (planning: under a tenth of a
#: millisecond each). Merging is work the import would otherwise leave to the compaction
#: after it (2.1–2.3 s of server time for 20 runs, 40,000 games), so it waits for three
#: merges' worth of runs: 58,301 games into a million-game store took 7.3–7.4 s with no
#: merge and 7.9–8.9 s with one (runs merged every 20 batches)
RUNS_MERGED_EVERY = 3 * runs.MAX_SMALL_RUNS
RETRIES = 3
ProgressCallback = Callable[[ImportReport], None]


def _batches(records: Iterable[GameRecord], size: int | None) -> Iterator[list[GameRecord]]:
    """The records in batches of `size` games, or with None DEFAULT_BATCH_SIZE first, each
    batch then twice the one before up to MAX_BATCH_SIZE."""
    iterator = iter(records)
    games = size or DEFAULT_BATCH_SIZE
    while batch := list(islice(iterator, games)):
        yield batch
        if size is None:
            games = min(2 * games, MAX_BATCH_SIZE)


def bump_cache_generation() -> None:
    """Invalidate cached explorer answers, when running inside a Flask app context."""
    from flask import has_app_context

    if has_app_context():
        from webapp.caching import bump_generation

        bump_generation()


def default_connections(engine: Engine) -> int:
    """Batches written at once: two on PostgreSQL, one on SQLite (a single writer)."""
    return 2 if engine.dialect.name == "postgresql" else 1


class _Writers:
    """One connection and batch writer per writing thread, closed together at the end."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.local = threading.local()
        self.opened: list[tuple[Connection, SqliteWriter | PostgresWriter]] = []
        self.lock = threading.Lock()

    def write(self, batch: Batch) -> tuple[np.ndarray, int, int]:
        """(mask of the new games, statistics rows written, games moved) for one batch, in one
        transaction."""
        if not hasattr(self.local, "writer"):
            connection = self.engine.connect()
            self.local.connection, self.local.writer = connection, writer_for(connection)
            with self.lock:
                self.opened.append((connection, self.local.writer))
        connection, writer = self.local.connection, self.local.writer
        for attempt in range(RETRIES):
            rows_before, moved_before = writer.rows, writer.moved
            try:
                with connection.begin():
                    ids = writer.player_ids(batch)
                    writer.collection_ids(batch)
                writer.players_committed()
                with connection.begin():
                    new = writer.write(batch, ids)
                return new, writer.rows - rows_before, writer.moved - moved_before
            except Exception as error:
                writer.rows, writer.moved = rows_before, moved_before  # rolled back
                if attempt == RETRIES - 1 or not _retryable(error):
                    raise
        raise AssertionError("unreachable")

    def close(self) -> None:
        for connection, writer in self.opened:
            try:
                writer.close()
            finally:
                connection.close()


class _Inline:
    """An executor that runs each task at once in the calling thread (SQLite's one writer)."""

    def __enter__(self) -> _Inline:
        return self

    def __exit__(self, *exc_info: object) -> None:
        pass

    def submit(self, function: Callable[[Batch], tuple[np.ndarray, int, int]], batch: Batch) -> Future:
        future: Future[tuple[np.ndarray, int, int]] = Future()
        try:
            future.set_result(function(batch))
        except BaseException as error:  # noqa: BLE001 - handed to the caller via result()
            future.set_exception(error)
        return future


def _executor(connections: int) -> ThreadPoolExecutor | _Inline:
    if connections == 1:
        return _Inline()
    return ThreadPoolExecutor(max_workers=connections, thread_name_prefix="import")


class _CompactionStopped(Exception):
    """Raised from a background compaction's progress to stop it after its current range."""


class _BackgroundCompaction:
    """The compactions an import asks for as it goes, each in a thread beside it (PostgreSQL:
    a compaction's ranges hold the statistics lock shared, as batches do, so batches land
    during one), one at a time: a compaction asked for while the one before still runs
    waits for it, which bounds the rows left uncompacted at about two compact_every's worth.
    An import that fails or is interrupted stops the running one after its current range
    (a compaction stopped anywhere loses nothing: the next one takes up what is left)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.thread: threading.Thread | None = None
        self.error: BaseException | None = None
        self.stopping = threading.Event()

    def start(self, runs_only: bool = False) -> None:
        """Start a compaction (`runs_only`: only a merge of the one-game rows' runs,
        webapp.indexer.compact.merge_runs), after the running one has ended; raise the
        error one raised."""
        self.wait()
        self.thread = threading.Thread(target=self._run, args=(runs_only,), name="import-compaction", daemon=True)
        self.thread.start()

    def idle(self) -> bool:
        """Whether no compaction is running."""
        return self.thread is None or not self.thread.is_alive()

    def _run(self, runs_only: bool) -> None:
        from webapp.indexer.compact import compact, merge_runs

        def check(*_told: object) -> None:
            if self.stopping.is_set():
                raise _CompactionStopped

        try:
            if runs_only:
                merge_runs(self.engine, check)
            else:
                compact(self.engine, progress=check)
        except _CompactionStopped:
            pass
        except BaseException as error:  # noqa: BLE001 - raised in the importing thread
            self.error = error

    def wait(self) -> None:
        """Wait for the running compaction to end; raise the error it raised."""
        if self.thread is not None:
            self.thread.join()
            self.thread = None
        if self.error is not None:
            error, self.error = self.error, None
            raise error

    def stop(self) -> None:
        """Stop the running compaction after its current range and wait for it (no error raised:
        the import's own is on its way)."""
        self.stopping.set()
        if self.thread is not None:
            self.thread.join()
            self.thread = None


def _retryable(error: Exception) -> bool:
    sqlstate = getattr(error, "sqlstate", None) or getattr(getattr(error, "orig", None), "sqlstate", None)
    return sqlstate in ("40P01", "40001")  # deadlock detected, serialization failure


def import_games(
    engine: Engine,
    records: Iterable[GameRecord],
    *,
    index_plies: int,
    progress: ProgressCallback | None = None,
    report: ImportReport | None = None,
    batch_size: int | None = None,
    connections: int | None = None,
    compact_every: int = 0,
    summarize_every: int = 0,
    collection: str | None = None,
) -> ImportReport:
    """Load the records; returns (and, given one, adds to) an ImportReport.

    `progress(report)` is called after every batch lands; `batch_size` games a batch, or
    by default DEFAULT_BATCH_SIZE growing to MAX_BATCH_SIZE. A report passed in is added to
    and left running (the caller finishes it); otherwise a new one is finished. Records
    that cannot be indexed (no moves, an illegal move, no result) are skipped and counted
    by reason. If anything fails (or `progress` raises), the batches already committed
    stay and the error is raised once the batches in flight have ended. With
    `compact_every`, the statistics are compacted (webapp.indexer.compact) after every
    that many new games, so hot positions' rows stay few during a long import (on
    PostgreSQL in a thread beside the import, which goes on: _BackgroundCompaction; the
    last one has ended when this returns). With or without it, the one-game rows' runs
    are merged beside the import every RUNS_MERGED_EVERY batches when no compaction is
    running (webapp.indexer.compact.merge_runs; PostgreSQL, not in a first load); not in a first load into an empty store
    (webapp.indexer.first_load), which has no index to compact with until it ends. With `summarize_every`, between compactions, the
    summaries of the positions with many rows appended are brought up to date after every
    that many new games (webapp.indexer.compact.refresh_summaries), so the explorer's
    reads there stay short while a long import runs.
    """
    if collection is not None:  # the collection every game goes to (moved there if present)
        records = (replace(record, collection=collection) for record in records)
    owned = report is None
    report = report if report is not None else ImportReport()
    connections = default_connections(engine) if connections is None else max(1, connections)
    writers = _Writers(engine)
    since_compaction = since_summary = since_merge = 0
    beside = _BackgroundCompaction(engine) if engine.dialect.name == "postgresql" else None

    def land(batch: Batch, future: Future[tuple[np.ndarray, int, int]]) -> None:
        new, rows, moved = future.result()
        imported = int(new.sum())
        report.moved += moved
        report.rows_written += rows
        report.imported += imported
        report.already_present += len(batch) - imported
        if imported or moved:  # new counts, or counts moved to another collection
            bump_cache_generation()
        nonlocal since_compaction, since_summary, since_merge
        since_compaction += imported
        since_summary += imported
        since_merge += 1 if imported else 0
        if compact_every and since_compaction >= compact_every and not first:
            if beside is not None:
                beside.start()
            else:
                from webapp.indexer.compact import compact

                compact(engine)
            since_compaction = since_summary = since_merge = 0
        elif since_merge >= RUNS_MERGED_EVERY and not first and beside is not None and beside.idle():
            beside.start(runs_only=True)  # a run a batch: merged as they add up
            since_merge = 0
        elif summarize_every and since_summary >= summarize_every and not first:
            from webapp.indexer.compact import refresh_summaries

            refresh_summaries(engine)
            since_summary = 0
        if progress is not None:
            progress(report)

    # the pool ends (its batches landed or cancelled) before the writers' connections close
    with (
        first_load(engine, report, merge_from=compact_every, progress=progress) as first,
        closing(writers),
        _executor(connections) as pool,
    ):
        in_flight: deque[tuple[Batch, Future[tuple[np.ndarray, int, int]]]] = deque()
        try:
            for records_batch in _batches(records, batch_size):
                batch, bad = prepare_batch(records_batch, index_plies)
                report.games_read += len(records_batch)
                for _record, reason in bad:
                    report.skip(reason)
                if not len(batch):
                    if progress is not None:
                        progress(report)
                    continue
                in_flight.append((batch, pool.submit(writers.write, batch)))
                while len(in_flight) >= connections:
                    land(*in_flight.popleft())
            while in_flight:
                land(*in_flight.popleft())
            if beside is not None:
                beside.wait()
        finally:
            for _batch, future in in_flight:
                future.cancel()
            if beside is not None:
                beside.stop()
    return report.finish() if owned else report
