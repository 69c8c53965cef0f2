"""Reading a store migrated down to an older schema: before 0016, whose move_stats holds
every row; before 0022, whose monthly summary (empty) has no best ratings; before 0023, whose
players have no band-less sums; before 0024, whose positions have none."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager

from sqlalchemy.engine import Engine


@contextmanager
def _added_while_reading(engine: Engine, add: str, remove: str) -> Iterator[None]:
    """Run `add` for the explorer to read an older schema, `remove` on leaving, before the
    test upgrades."""
    with engine.begin() as connection:
        connection.exec_driver_sql(add)
    try:
        yield
    finally:
        with engine.begin() as connection:
            connection.exec_driver_sql(remove)


def explorer_reads_move_stats(engine: Engine) -> AbstractContextManager[None]:
    """The view the explorer reads (move_stats_all, migration 0016) over move_stats alone."""
    return _added_while_reading(
        engine, "CREATE VIEW move_stats_all AS SELECT *, NULL AS game_id FROM move_stats", "DROP VIEW move_stats_all"
    )


def monthly_best_rating(engine: Engine) -> AbstractContextManager[None]:
    """The monthly summary's best_rating (migration 0022), for a store whose monthly
    summary is still empty (nothing compacted yet)."""
    return _added_while_reading(
        engine,
        "ALTER TABLE move_stats_monthly ADD COLUMN best_rating integer",
        "ALTER TABLE move_stats_monthly DROP COLUMN best_rating",
    )


@contextmanager
def _tables_while_reading(engine: Engine, tables: list) -> Iterator[None]:  # type: ignore[type-arg]
    """Create the tables as the code declares them (empty) for the explorer to read an
    older schema, drop them on leaving."""
    with engine.begin() as connection:
        for table in tables:
            table.create(connection)
    try:
        yield
    finally:
        with engine.begin() as connection:
            for table in tables:
                table.drop(connection)


def player_bandless(engine: Engine) -> AbstractContextManager[None]:
    """The players' band-less sums (migration 0023), empty as they are until a player is
    indexed or a compaction runs: a player's view reads the rollup."""
    from webapp.db.tables import player_bandless_positions, player_move_stats_bandless

    return _tables_while_reading(engine, [player_move_stats_bandless, player_bandless_positions])


def position_bandless(engine: Engine) -> AbstractContextManager[None]:
    """The positions' band-less sums (migration 0024), empty as they are until a compaction
    runs: the explorer reads the rollup."""
    from webapp.db.tables import bandless_positions, move_stats_bandless

    return _tables_while_reading(engine, [move_stats_bandless, bandless_positions])
