"""import_games: GameRecords → the database, in batches that each land whole or not at all.

Each batch is one transaction: players upserted, games inserted with ON CONFLICT (uid) DO
NOTHING, statistics added only for the games that were new. Kill an import halfway and
run it again, and the counts are exactly those of one import.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from itertools import islice

from sqlalchemy.engine import Engine

from webapp.indexer.bulk import writer_for
from webapp.indexer.games import GameRecord
from webapp.indexer.report import ImportReport
from webapp.indexer.rows import prepare_batch

DEFAULT_BATCH_SIZE = 4000
ProgressCallback = Callable[[ImportReport], None]


def _batches(records: Iterable[GameRecord], size: int) -> Iterator[list[GameRecord]]:
    iterator = iter(records)
    while batch := list(islice(iterator, size)):
        yield batch


def bump_cache_generation() -> None:
    """Invalidate cached explorer answers, when running inside a Flask app context."""
    from flask import has_app_context

    if has_app_context():
        from webapp.caching import bump_generation

        bump_generation()


def import_games(
    engine: Engine,
    records: Iterable[GameRecord],
    *,
    index_plies: int,
    progress: ProgressCallback | None = None,
    report: ImportReport | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
) -> ImportReport:
    """Load the records; returns (and, given one, adds to) an ImportReport.

    `progress(report)` is called after every batch lands. A report passed in is added
    to and left running (the caller finishes it); otherwise a new one is finished. Records that cannot be indexed
    (no moves, an illegal move, no result) are skipped and counted by reason.
    """
    owned = report is None
    report = report if report is not None else ImportReport()
    with engine.connect() as connection:
        writer = writer_for(connection)
        try:
            for records_batch in _batches(records, batch_size):
                batch, bad = prepare_batch(records_batch, index_plies)
                report.games_read += len(records_batch)
                for _record, reason in bad:
                    report.skip(reason)
                if len(batch):
                    rows_before = writer.rows
                    with connection.begin():
                        new = writer.write(batch)
                    report.rows_written += writer.rows - rows_before
                    imported = int(new.sum())
                    report.imported += imported
                    report.already_present += len(batch) - imported
                    if imported:
                        bump_cache_generation()
                if progress is not None:
                    progress(report)
        finally:
            writer.close()
    return report.finish() if owned else report
