"""Reading a store migrated down to an older schema: before 0016, whose move_stats holds
every row; before 0022, whose monthly summary keeps best bands."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.engine import Engine


@contextmanager
def explorer_reads_move_stats(engine: Engine) -> Iterator[None]:
    """The view the explorer reads (move_stats_all, migration 0016) over move_stats alone,
    for the explorer to answer from an older schema's rows; dropped again on leaving, before
    the test upgrades."""
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE VIEW move_stats_all AS SELECT *, NULL AS game_id FROM move_stats")
    try:
        yield
    finally:
        with engine.begin() as connection:
            connection.exec_driver_sql("DROP VIEW move_stats_all")


@contextmanager
def monthly_best_rating(engine: Engine) -> Iterator[None]:
    """The monthly summary's best_rating (migration 0022) on a store migrated down to
    before it, for the explorer to answer from an older schema: NULL in every row, as an
    older release's compaction leaves it, which the lists read as a row that may hold the
    best games. Dropped again on leaving, before the test upgrades."""
    with engine.begin() as connection:
        connection.exec_driver_sql("ALTER TABLE move_stats_monthly ADD COLUMN best_rating integer")
    try:
        yield
    finally:
        with engine.begin() as connection:
            connection.exec_driver_sql("ALTER TABLE move_stats_monthly DROP COLUMN best_rating")
