"""Reading a store migrated down to before 0016, whose move_stats holds every row."""

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
