"""The busiest positions' rollup summed over the rating bands (move_stats_bandless).

The month-less rollup keys a position's rows by rating band and move order too, so at the
first plies it has thousands of them (a million games, the start position: 4,366), which
the explorer with no rating asked sums on every read. At the positions with a monthly
summary (the few hundred with the most rows, webapp.indexer.compact.MONTHLY_ROWS) those
rows are kept summed over both as well (381 there), and the explorer reads those.

Compaction sums a position once, at its end, under the statistics lock held exclusively
(derive); from then on every step that adds rows to the position's rollup adds them to
its band-less sums in the same transaction (add), and both are marked up to the same
batch. The explorer reads the sums only while bandless_positions.seq is the rollup's
(hot_positions.seq): a rollup moved on without them (a previous release's compaction)
is read as before until the next compaction sums the position again.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection, inspect

from webapp.model.endings import ENDING_COLUMNS
from webapp.model.think_time import THINK_TIME_COLUMNS

KEYS = ("position_key", "move", "collection", "speed", "rated")
NULLABLE = (*ENDING_COLUMNS, *THINK_TIME_COLUMNS)
TABLE = "move_stats_bandless"
POSITIONS = "bandless_positions"


def present(connection: Connection) -> bool:
    """Whether the schema has the band-less sums (migration 0024)."""
    return inspect(connection).has_table(POSITIONS)


def banded_sum(alias: str) -> str:
    """The games of rows named `alias` that have a known rating band, summed."""
    return f"sum(CASE WHEN {alias}.rating_band >= 0 THEN {alias}.white + {alias}.draws + {alias}.black ELSE 0 END)"


def summed_insert(
    table: str, keys: Sequence[str], rows: str, alias: str, *, where: str = "", adding: bool = False
) -> str:
    """INSERT … SELECT summing rollup-shaped rows (a FROM list `rows`, the rows named
    `alias`: rating_band and every counted column) over the rating bands into `table`, per
    `keys`, in key order (one lock order for concurrent transactions); `adding`: added to
    the rows there already."""
    from webapp.indexer.bulk import merged_ending_sql  # bulk imports compact, which imports this

    summed = [
        *(f"{alias}.{key}" for key in keys),
        *(f"sum({alias}.{c})" for c in ("white", "draws", "black", "rating_sum")),
        banded_sum(alias),
        *(f"nullif(sum({alias}.{c}), 0)" for c in NULLABLE),
    ]
    columns = (*keys, "white", "draws", "black", "rating_sum", "banded", *NULLABLE)
    grouped = ", ".join(f"{alias}.{key}" for key in keys)
    statement = (
        f"INSERT INTO {table} AS t ({', '.join(columns)}) SELECT {', '.join(summed)} FROM {rows} "
        + (f"WHERE {where} " if where else "")
        + f"GROUP BY {grouped} ORDER BY {grouped}"
    )
    if not adding:
        return statement
    updates = [f"{c} = t.{c} + excluded.{c}" for c in ("white", "draws", "black", "rating_sum", "banded")]
    updates += [merged_ending_sql(c, "t") for c in NULLABLE]
    return statement + f" ON CONFLICT ({', '.join(keys)}) DO UPDATE SET {', '.join(updates)}"


def add(connection: Connection, staged: str, summarized: str, upto: int) -> None:
    """Add the rollup rows in table `staged` (rollup-shaped: rating_band and every counted
    column) to the band-less sums of their positions among those in `summarized`
    (position_key, and seq: the batch their rollup was up to before), and mark them up to
    batch `upto`; in the transaction that adds the same rows to the rollup. A position
    whose sums were not up to date with its rollup is left as it is (derive drops it)."""
    current = (
        f"SELECT p.position_key FROM {summarized} p JOIN {POSITIONS} b "
        "ON b.position_key = p.position_key AND b.seq = p.seq"
    )
    where = f"s.position_key IN ({current})"
    connection.exec_driver_sql(summed_insert(TABLE, KEYS, f"{staged} s", "s", where=where, adding=True))
    connection.exec_driver_sql(
        f"UPDATE {POSITIONS} SET seq = {int(upto)} WHERE position_key IN ({current}) AND seq < {int(upto)}"
    )


def derive(connection: Connection) -> int:
    """Sum the rollup of each position with a monthly summary that has no band-less sums
    up to date with it; drop the sums left behind by a rollup moved on without them. In
    the caller's transaction, which holds the statistics lock exclusively (no batch nor
    summary step in flight). Returns the positions summed."""
    stale = (
        f"SELECT b.position_key FROM {POSITIONS} b WHERE NOT EXISTS (SELECT 1 FROM hot_positions h "
        "WHERE h.position_key = b.position_key AND h.seq = b.seq)"
    )
    connection.exec_driver_sql("DROP TABLE IF EXISTS bandless_stale")
    connection.exec_driver_sql(f"CREATE TEMP TABLE bandless_stale AS {stale}")
    for table in (TABLE, POSITIONS):
        connection.exec_driver_sql(
            f"DELETE FROM {table} WHERE position_key IN (SELECT position_key FROM bandless_stale)"
        )
    connection.exec_driver_sql("DROP TABLE bandless_stale")
    connection.exec_driver_sql("DROP TABLE IF EXISTS bandless_new")
    connection.exec_driver_sql(
        "CREATE TEMP TABLE bandless_new AS SELECT h.position_key, h.seq FROM hot_positions h "
        "JOIN monthly_positions m ON m.position_key = h.position_key "
        f"WHERE NOT EXISTS (SELECT 1 FROM {POSITIONS} b WHERE b.position_key = h.position_key)"
    )
    added = int(connection.exec_driver_sql("SELECT count(*) FROM bandless_new").scalar_one())
    if added:
        connection.exec_driver_sql(f"INSERT INTO {POSITIONS} (position_key, seq) SELECT position_key, seq FROM bandless_new")
        where = "r.position_key IN (SELECT position_key FROM bandless_new)"
        connection.exec_driver_sql(summed_insert(TABLE, KEYS, "move_stats_rollup r", "r", where=where))
    connection.exec_driver_sql("DROP TABLE bandless_new")
    return added
