"""Compaction: merge the statistics rows that imports appended, keep hot positions' sums.

Imports append each batch's rows to move_stats (tagged with the batch's `seq`) without
looking for rows of the same key: a position reached in many batches gathers many rows,
which reads sum. Compaction, for the rows appended since it last ran:

1. adds them, summed over months, to the month-less rollup of hot positions (those
   listed in hot_positions, whose rows up to hot_positions.seq are in the rollup);
2. at positions with more than MERGE_ROWS rows, merges rows of the same key (position,
   move, collection, speed, rated, band, move order, month) into one row (their game
   references merged: webapp.model.game_refs) — positions with fewer rows and keys seen in
   one game only are left as they are, so the work follows the busy positions, not the
   store's size;
3. makes a position hot once it has more than HOT_ROWS rows, summing them into the rollup;
4. gives a position a band-less monthly summary (move_stats_monthly, kept up to date by
   step 1 like the rollup) once it has more than MONTHLY_ROWS rows: a month-by-month
   question at the start position reads ~25 times fewer rows there.

At its end, under the statistics lock, the rollup of each position with a monthly summary
is summed over the rating bands once (webapp.indexer.bandless_sums), and step 1 adds to
those sums from then on: the explorer with no rating asked reads them there.

Before the ranges, step 1 runs alone for the positions with the most rows appended
(over REFRESH_ROWS: _busiest), one transaction for the rollups and one for the monthly summaries
(on PostgreSQL at once, on two connections): the explorer's busiest positions, where
reads sum thousands of rows until then, are up to date within seconds of an import, not
once the ranges reach them (a million games, 58,301 appended: 117 positions in 4.1 s of
a compaction of 130; the explorer's p95 99 ms before, 16 ms after).

It runs over ranges of position keys, each range in one transaction, so readers see
every count exactly once before, during and after, and a compaction killed at any point
loses nothing: the next one takes up what is left. On PostgreSQL two workers share the
ranges, each on its own connection (the server works on both cores); a range holds the
statistics lock shared, as import batches do, so an import goes on beside a compaction
(its rows are of later batches, which no range touches). One compaction runs at a time.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, suppress
from dataclasses import dataclass, field

from sqlalchemy import Connection, bindparam, text
from sqlalchemy.engine import Engine

from webapp.db.refs_sql import later_month, refs_agg, refs_best, refs_merge
from webapp.db.singles import COLLECTION_SHIFT, VIEW, rows_sql
from webapp.indexer import bandless_sums, player_summaries, runs
from webapp.indexer.bulk import NULLABLE_COUNTS as ENDING_COLUMNS  # the think-time counts too
from webapp.indexer.bulk import (
    allow_long_statements,
    lock_statistics,
    merged_ending_sql,
    release_session_lock,
    share_statistics,
)
from webapp.indexer.first_load import (
    MERGED_SINGLES_TABLE,
    MERGED_TABLE,
    drop_merged_table,
    ensure_position_index,
)

#: a position with more rows than this gets a month-less rollup
HOT_ROWS = 64
#: a position with more rows than this gets a band-less monthly summary too: a months filter
#: elsewhere reads the position's rows, each narrow one looking its game up (200,000 games,
#: months filter: p95 28.5 ms with games lists at 2048, 20 at 512; the summaries +3.5% disk
#: at 58,301 real games)
MONTHLY_ROWS = 512
#: a position's rows are merged once it has more than this: a few rows cost a read little
#: more than one, and they mostly differ in key (at 200,000 games, 94% of the keys read at
#: positions of 2 to 16 rows had one row; merging them took 61 of compaction's 106 s)
MERGE_ROWS = 16
#: a position compaction merged is merged again once the rows appended since are this
#: share of the rows it was left with (merged_positions): its rows grow by at most about
#: an eighth unmerged, and reading them all again costs about eight times the rows that
#: came (a 2,000-game import into a million-game store read every row of each busy
#: position it reached: 44.8 s of compaction)
MERGE_SHARE = 8
#: a merged position is recorded only when left with at least this many rows: one with
#: fewer is counted and merged again cheaply (58,301 real games: 314 records instead of
#: 3,728)
RECORD_ROWS = MERGE_ROWS * MERGE_SHARE
#: position-key ranges compacted one transaction at a time
RANGES = 16
#: a statistics table (or the hot or monthly position list) whose rows one compaction
#: changed by more than this share of the planner's row estimate is analyzed at its end
#: (PostgreSQL): a merged hot position otherwise keeps the estimate of its rows before
#: the merge, and the explorer's query there gets a parallel plan (at a million games
#: the start position: 325,803 rows estimated, 0 found, 17 ms instead of 5)
ANALYZE_SHARE = 0.1
#: refresh_summaries, and compaction before its ranges, bring up to date the summaries of
#: the positions with more rows than this appended since (the explorer reads up to
#: APPENDED_READ_ALL at once: webapp.db.position_games)
REFRESH_ROWS = 256
#: compaction's `steps` as it brings those summaries up to date before its ranges
REFRESH_STEP = "the summaries of the positions with the most rows appended first"
#: slices of the key space a first load's merge runs at once, each on its own connection
#: (10.5 million rows: 25–31 s in one, 15–19 s in two, on 2 cores)
MERGE_PARTS = 2
#: compaction's workers, each compacting its share of the ranges on its own connection
#: (PostgreSQL; SQLite has one writer): 58,301 real games into a new store compacted in
#: 10.2-10.5 s on one, 4.8-5.7 s on two
PARTS = 2
#: PostgreSQL session advisory lock held by the one compaction running
COMPACT_LOCK = 0x6F65_434D
GROUP = "position_key, move, collection, speed, rated, rating_band, path"
MONTH_GROUP = GROUP + ", month"
# the ending and think-time counts are NULL for zero (webapp.db.tables), their sums too
_ENDINGS = ", ".join(ENDING_COLUMNS)
COUNTS = "white, draws, black, rating_sum, " + _ENDINGS
SUMS = "sum(white), sum(draws), sum(black), sum(rating_sum), " + ", ".join(
    f"nullif(sum({c}), 0)" for c in ENDING_COLUMNS
)
SUMS_AS = "sum(white) AS white, sum(draws) AS draws, sum(black) AS black, sum(rating_sum) AS rating_sum, " + (
    ", ".join(f"nullif(sum({c}), 0) AS {c}" for c in ENDING_COLUMNS)
)
_ROLLUP_ENDINGS = ", ".join(merged_ending_sql(c, "move_stats_rollup") for c in ENDING_COLUMNS)
MONTHLY_GROUP = "position_key, month, move, collection, speed, rated"
MONTHLY_COUNTS = "white, draws, black, rating_sum, banded"
MONTHLY_COLUMNS = f"{MONTHLY_GROUP}, {MONTHLY_COUNTS}, best_rating, refs, {_ENDINGS}"
BANDED = bandless_sums.banded_sum("m")


def row_keys(where: str) -> str:
    """Every statistics row's position and batch, wide and narrow (webapp.db.singles), under
    a condition on them (in both halves: PostgreSQL does not push a key list into a UNION
    ALL), without the view's join to the games: what counting a position's rows needs."""
    return (
        f"(SELECT position_key, seq FROM move_stats WHERE {where} "
        f"UNION ALL SELECT position_key, seq FROM move_singles WHERE {where})"
    )



#: the statistics tables whose rows the view move_stats_all reads
ROW_TABLES = ("move_stats", "move_singles")


def _monthly_sums(dialect: str, source: str, *, ordered: bool = False) -> str:
    """SELECT of the statistics rows of `source` (a FROM list whose rows are alias m)
    summed per MONTHLY_GROUP, as MONTHLY_COLUMNS; `ordered` by it, as a new summary is
    written (_compact_range)."""
    keys = ", ".join(f"m.{c}" for c in MONTHLY_GROUP.split(", "))
    return (
        f"SELECT {keys}, sum(m.white), sum(m.draws), sum(m.black), sum(m.rating_sum), {BANDED}, "
        f"{refs_best('m.refs', dialect)}, {refs_agg('m.refs', dialect)}, "
        + ", ".join(f"nullif(sum(m.{c}), 0)" for c in ENDING_COLUMNS)
        + f" FROM {source} GROUP BY {keys}"
        + (f" ORDER BY {keys}" if ordered else "")
    )


def _appended_since_summary(dialect: str, summarized: str) -> str:
    """A FROM list: each position of temp table `summarized` (alias p: position_key, seq)
    with its rows appended after its summary's batch, up to :upto (alias m). On
    PostgreSQL each position's rows are looked up from its summary's batch on, so the work
    follows the rows appended, not the rows a busy position has gathered (a 2,000-game
    import into a million-game store: 29 of its compaction's 48 s read old rows)."""
    if dialect == "postgresql":
        rows = rows_sql(dialect, "position_key = p.position_key AND seq > p.seq AND seq <= :upto")
        return f"{summarized} p CROSS JOIN LATERAL {rows} m"
    rows = rows_sql(dialect, f"position_key IN (SELECT position_key FROM {summarized}) AND seq <= :upto")
    return f"{summarized} p JOIN {rows} m ON m.position_key = p.position_key AND m.seq > p.seq"


def _monthly_upsert(dialect: str) -> str:
    """ON CONFLICT clause adding a summary row's sums to the one already there."""
    return (
        f" ON CONFLICT ({MONTHLY_GROUP}) DO UPDATE SET "
        + ", ".join(f"{c} = move_stats_monthly.{c} + excluded.{c}" for c in MONTHLY_COUNTS.split(", "))
        + ", best_rating = CASE WHEN excluded.best_rating > move_stats_monthly.best_rating "
        "THEN excluded.best_rating ELSE move_stats_monthly.best_rating END, "
        f"refs = {refs_merge('move_stats_monthly.refs', 'excluded.refs', dialect)}, "
        + ", ".join(merged_ending_sql(c, "move_stats_monthly") for c in ENDING_COLUMNS)
    )


@dataclass
class CompactReport:
    """What one compaction did."""

    ranges: int = 0
    merged_rows: int = 0  # rows removed by merging
    wide_changed: int = 0  # move_stats rows deleted or written by merging
    narrow_merged: int = 0  # one-game rows of move_singles merged into move_stats
    hot_added: int = 0  # positions that became hot
    rollup_rows: int = 0  # rollup rows written or added to
    monthly_added: int = 0  # positions that got a monthly summary
    monthly_rows: int = 0  # monthly summary rows written or added to
    refreshed: int = 0  # hot positions whose rollup took in their many appended rows first
    player_pairs: int = 0  # (player, position) pairs given band-less sums (player_summaries)
    bandless_added: int = 0  # positions whose rollup was summed over the rating bands (bandless_sums)
    analyzed: tuple[str, ...] = ()  # tables whose planner statistics were refreshed
    singles_runs: runs.RunsReport = field(default_factory=runs.RunsReport)  # move_singles' runs kept
    postponed: bool = False  # a first load is running (webapp.indexer.first_load)
    seconds: float = 0.0

    def summary(self) -> str:
        if self.postponed:
            return (
                "compaction postponed: an import into the empty store is running without the "
                "statistics' position index; compact when it has ended"
            )
        merged = self.singles_runs.merged
        runs_merged = f"; {merged:,} runs of one-game rows merged into others" if merged else ""
        pairs = f"; {self.player_pairs:,} players' positions summed over the rating bands" if self.player_pairs else ""
        bandless = f", {self.bandless_added:,} a band-less one" if self.bandless_added else ""
        return (
            f"compacted in {self.seconds:.1f} s: {self.merged_rows:,} rows merged away, "
            f"{self.hot_added:,} positions given a month-less summary, "
            f"{self.monthly_added:,} a monthly one{bandless}{runs_merged}{pairs}"
        )


def _get_watermark(connection: Connection) -> int:
    value = connection.execute(
        text("SELECT value FROM store_info WHERE key = 'compacted_seq'")
    ).scalar()
    return int(value) if value is not None else 0


def _set_watermark(connection: Connection, seq: int) -> None:
    updated = connection.execute(
        text("UPDATE store_info SET value = :v WHERE key = 'compacted_seq'"), {"v": str(seq)}
    )
    if updated.rowcount == 0:
        connection.execute(
            text("INSERT INTO store_info (key, value) VALUES ('compacted_seq', :v)"),
            {"v": str(seq)},
        )


def _bounds(index: int, ranges: int) -> tuple[int, int]:
    """The index-th of `ranges` equal slices of the signed 64-bit key space (inclusive)."""
    span = (1 << 64) // ranges
    low = -(1 << 63) + index * span
    high = (1 << 63) - 1 if index == ranges - 1 else low + span - 1
    return low, high


def _temp_table(connection: Connection, name: str, select: str, params: dict | None = None) -> None:
    """(Re)create temp table `name` from a SELECT, and on PostgreSQL give it planner
    statistics: without them the planner expects thousands of keys in it and scans
    move_stats whole instead of looking them up."""
    connection.execute(text(f"DROP TABLE IF EXISTS {name}"))
    connection.execute(text(f"CREATE TEMP TABLE {name} AS {select}"), params or {})
    if connection.dialect.name == "postgresql":
        connection.execute(text(f"ANALYZE {name}"))


def _lookup_pairs(connection: Connection) -> int:
    """The rows a nested loop over compact_merged would read from move_stats: each merged
    key looks up its position and reads all of that position's rows (compact_keys.n)."""
    return int(
        connection.execute(
            text(
                "SELECT coalesce(sum(k.n), 0) FROM compact_merged c "
                "JOIN compact_keys k ON k.position_key = c.position_key"
            )
        ).scalar_one()
    )


def _estimates(connection: Connection) -> dict[str, float]:
    """The planner's estimate of each statistics rows table's rows (ROW_TABLES); 0 before
    any (a new store). PostgreSQL."""
    return {name: max(estimate, 0.0) for name, estimate in _reltuples(connection, list(ROW_TABLES))}


def _reltuples(connection: Connection, names: list[str]) -> list[tuple[str, float]]:
    """The planner's row estimate of each named table (a table of runs too), -1 for one
    never analyzed. PostgreSQL."""
    found = connection.execute(
        text("SELECT relname, reltuples FROM pg_class WHERE relkind IN ('r', 'p') AND relname IN :names").bindparams(
            bindparam("names", expanding=True)
        ),
        {"names": names},
    ).all()
    return [(name, float(estimate)) for name, estimate in found]


def _range_rows(connection: Connection, low: int, high: int) -> float:
    """The planner's estimate of the statistics rows (wide and narrow) with a position key
    in [low, high] (keys are hashes, spread evenly); 0 before any estimate. PostgreSQL."""
    return sum(_estimates(connection).values()) * (high - low + 1) / 2**64


def _analyze_if_stale(connection: Connection, appended: int) -> None:
    """ANALYZE each statistics rows table before compacting when the rows appended since
    the last compaction are more than ANALYZE_SHARE of the planner's estimate of its rows
    (PostgreSQL; a new store's is none): with the old estimate it scans the table whole for
    every range's keys instead of looking them up (5,000 games into a new store: 2.9 s
    instead of 0.7)."""
    if connection.dialect.name != "postgresql" or not appended:
        return
    for table, estimate in _estimates(connection).items():
        if estimate <= 0 or appended > ANALYZE_SHARE * estimate:
            connection.execute(text(f"ANALYZE {table}"))


#: the two kinds of summary, each named by its table of summarized positions: the
#: month-less rollup (move_stats_rollup) and the monthly summary (move_stats_monthly)
SUMMARIES = ("hot_positions", "monthly_positions")


def _add_to_summaries(connection: Connection, params: dict, report: CompactReport) -> None:
    """Add the rows appended after each summarized position's summary (up to :upto) to
    its month-less rollup (the positions in temp table compact_hot_positions) and to its
    monthly summary (compact_monthly_positions), and mark both up to date with :upto."""
    for summaries in SUMMARIES:
        _add_to_summary(connection, summaries, params, report)


def _add_to_summary(connection: Connection, summaries: str, params: dict, report: CompactReport) -> None:
    """_add_to_summaries for one kind of summary (one of SUMMARIES)."""
    {"hot_positions": _add_to_rollup, "monthly_positions": _add_to_monthly}[summaries](connection, params, report)


def _add_to_rollup(connection: Connection, params: dict, report: CompactReport) -> None:
    """_add_to_summaries for the month-less rollups (compact_hot_positions), and for the
    band-less sums of the rollups (webapp.indexer.bandless_sums): the appended rows are
    summed once into a temp table, which both read."""
    dialect = connection.dialect.name
    keys = ", ".join(f"m.{c}" for c in GROUP.split(", "))
    connection.execute(text("DROP TABLE IF EXISTS compact_rollup_sums"))
    connection.execute(
        text(
            f"CREATE TEMP TABLE compact_rollup_sums AS SELECT {keys}, {SUMS_AS}, "
            f"{refs_agg('m.refs', dialect)} AS refs, max(m.month) AS last_month "
            f"FROM {_appended_since_summary(dialect, 'compact_hot_positions')} GROUP BY {keys}"
        ),
        params,
    )
    columns = f"{GROUP}, {COUNTS}, refs, last_month"
    added = connection.execute(
        text(
            f"INSERT INTO move_stats_rollup ({columns}) SELECT {columns} FROM compact_rollup_sums WHERE true "
            f"ON CONFLICT ({GROUP}) DO UPDATE SET "
            "white = move_stats_rollup.white + excluded.white, "
            "draws = move_stats_rollup.draws + excluded.draws, "
            "black = move_stats_rollup.black + excluded.black, "
            "rating_sum = move_stats_rollup.rating_sum + excluded.rating_sum, "
            f"{_ROLLUP_ENDINGS}, "
            f"refs = {refs_merge('move_stats_rollup.refs', 'excluded.refs', dialect)}, "
            f"last_month = {later_month('move_stats_rollup.last_month', 'excluded.last_month')}"
        )
    )
    report.rollup_rows += max(added.rowcount, 0)
    if bandless_sums.present(connection):
        bandless_sums.add(connection, "compact_rollup_sums", "compact_hot_positions", params["upto"])
    connection.execute(text("DROP TABLE compact_rollup_sums"))
    connection.execute(
        text(
            "UPDATE hot_positions SET seq = :upto "
            "WHERE position_key IN (SELECT position_key FROM compact_hot_positions) AND seq < :upto"
        ),
        params,
    )


def _add_to_monthly(connection: Connection, params: dict, report: CompactReport) -> None:
    """_add_to_summaries for the monthly summaries (compact_monthly_positions)."""
    dialect = connection.dialect.name
    added = connection.execute(
        text(
            f"INSERT INTO move_stats_monthly ({MONTHLY_COLUMNS}) "
            + _monthly_sums(dialect, _appended_since_summary(dialect, "compact_monthly_positions"))
            + _monthly_upsert(dialect)
        ),
        params,
    )
    report.monthly_rows += max(added.rowcount, 0)
    connection.execute(
        text(
            "UPDATE monthly_positions SET seq = :upto "
            "WHERE position_key IN (SELECT position_key FROM compact_monthly_positions) AND seq < :upto"
        ),
        params,
    )


def _range_params(low: int, high: int, since: int, upto: int) -> dict:
    """The bound parameters of a range's statements (_compact_range, _summarize_range)."""
    return {"low": low, "high": high, "since": since, "upto": upto, "hot": HOT_ROWS, "merge": MERGE_ROWS}


def _compact_range(
    connection: Connection, low: int, high: int, since: int, upto: int, report: CompactReport, keep_keys: str = ""
) -> None:
    """Steps 1-4 for the keys in [low, high] appended since the last compaction
    (compact_appended); with `keep_keys`, steps 1-2 only, the range's keys kept in a temp
    table of that name for _summarize_range.

    Every statement over move_stats names the range's bounds as well as its keys, so it
    reads the range's part of the index, never the whole table."""
    params = _range_params(low, high, since, upto)
    dialect = connection.dialect.name
    # the range's keys appended since the last compaction that have more than one row:
    # only those can merge or be hot; a position reached once (most of them) costs an
    # index lookup here and nothing after
    # (`due`: the positions whose rows of one key are merged now, step 2). The positions a
    # compaction merged before count the rows they were left with and those appended since,
    # and are due once those are a MERGE_SHARE-th of the first: a busy position's rows are
    # read again after as many new ones as amortize that, not whenever a game reaches it
    _temp_table(
        connection,
        "compact_recorded",
        "SELECT r.position_key, r.seq, r.row_count FROM merged_positions r "
        "WHERE r.position_key BETWEEN :low AND :high AND r.position_key IN ("
        "SELECT position_key FROM compact_appended WHERE position_key BETWEEN :low AND :high)",
        params,
    )
    unrecorded = "position_key NOT IN (SELECT position_key FROM compact_recorded)"
    counted = (
        # a first compaction's rows were all appended since: compact_appended counted them
        "SELECT position_key, n, CASE WHEN n > :merge THEN 1 ELSE 0 END AS due FROM compact_appended "
        f"WHERE position_key BETWEEN :low AND :high AND n > 1 AND {unrecorded}"
        if since == 0
        else "SELECT m.position_key, count(*) AS n, CASE WHEN count(*) > :merge THEN 1 ELSE 0 END AS due FROM "
        + row_keys(
            "position_key BETWEEN :low AND :high AND position_key IN ("
            f"SELECT position_key FROM compact_appended WHERE position_key BETWEEN :low AND :high) AND {unrecorded}"
        )
        + " m GROUP BY m.position_key HAVING count(*) > 1"
    )
    since_merge = " + ".join(
        f"(SELECT count(*) FROM {table} t WHERE t.position_key = r.position_key AND t.seq > r.seq)"
        for table in ROW_TABLES
    )
    recorded = (
        "SELECT position_key, row_count + unmerged AS n, "
        "CASE WHEN row_count + unmerged > :merge AND unmerged * :share >= row_count THEN 1 ELSE 0 END AS due "
        f"FROM (SELECT r.position_key, r.row_count, {since_merge} AS unmerged FROM compact_recorded r) c"
    )
    _temp_table(connection, "compact_keys", f"{counted} UNION ALL {recorded}", {**params, "share": MERGE_SHARE})
    # the range's positions with a summary, and the batch their summary is up to date with:
    # few, and looked up first (joined to all the range's keys, the planner could take the
    # keys one move_stats row at a time)
    for summaries in ("hot_positions", "monthly_positions"):
        _temp_table(
            connection,
            f"compact_{summaries}",
            f"SELECT position_key, seq FROM {summaries} WHERE position_key IN (SELECT position_key FROM compact_keys)",
        )
    # 1. bring the summaries of those positions up to date
    _add_to_summaries(connection, params, report)
    # 2. merge repeated keys of the positions with many rows (rows up to `upto` only: later
    # rows belong to the next run)
    _temp_table(
        connection,
        "compact_merged",
        f"SELECT {MONTH_GROUP}, {SUMS_AS}, {refs_agg('refs', dialect)} AS refs FROM "
        + rows_sql(
            dialect,
            "position_key BETWEEN :low AND :high "
            "AND position_key IN (SELECT position_key FROM compact_keys WHERE due = 1) AND seq <= :upto",
        )
        + f" m GROUP BY {MONTH_GROUP} HAVING count(*) > 1",
        params,
    )
    match = " AND ".join(f"m.{c} = c.{c}" for c in MONTH_GROUP.split(", "))
    postgres = dialect == "postgresql"
    if postgres:  # a merge join on the position alone pairs every row of a hot position with
        # each of its merged rows (86 million pairs for 688,199 rows at a million games)
        connection.execute(text("SET LOCAL enable_mergejoin = off"))
        if _lookup_pairs(connection) > _range_rows(connection, low, high):
            # and so does a nested loop, looking each merged key's position up: after a
            # large import, 150 million rows checked in one range (34 s, against 0.4 s for
            # a hash join reading the range's 710,000 rows once)
            connection.execute(text("SET LOCAL enable_nestloop = off"))
    deleted = connection.execute(
        text(
            "DELETE FROM move_stats AS m WHERE m.seq <= :upto AND m.position_key BETWEEN :low AND :high "
            f"AND EXISTS (SELECT 1 FROM compact_merged c WHERE {match})"
        ),
        params,
    )
    # the narrow rows merged, named by position, game and collection: a game counts once per
    # position in each collection it was put in (its rows' other key columns are the game's)
    _temp_table(
        connection,
        "compact_merged_singles",
        "SELECT m.position_key, m.game_id, m.collection FROM "
        + rows_sql(
            dialect,
            "position_key BETWEEN :low AND :high AND position_key IN (SELECT position_key FROM compact_merged) "
            "AND seq <= :upto",
        )
        + f" m JOIN compact_merged c ON {match} WHERE m.game_id IS NOT NULL",
        params,
    )
    deleted_singles = connection.execute(
        text(
            "DELETE FROM move_singles WHERE seq <= :upto AND position_key BETWEEN :low AND :high "
            "AND EXISTS (SELECT 1 FROM compact_merged_singles c "
            "WHERE c.position_key = move_singles.position_key AND c.game_id = move_singles.game_id "
            f"AND c.collection = move_singles.code >> {COLLECTION_SHIFT})"
        ),
        params,
    )
    if postgres:
        connection.execute(text("SET LOCAL enable_mergejoin = on"))
        connection.execute(text("SET LOCAL enable_nestloop = on"))
    inserted = connection.execute(
        text(
            f"INSERT INTO move_stats ({MONTH_GROUP}, {COUNTS}, seq, refs) "
            f"SELECT {MONTH_GROUP}, {COUNTS}, :upto, refs FROM compact_merged"
        ),
        params,
    )
    # the rows each due position was left with, for the next compaction to go by (a record
    # left from before is dropped where they are few)
    due = "position_key IN (SELECT position_key FROM compact_keys WHERE due = 1)"
    connection.execute(
        text(
            "INSERT INTO merged_positions (position_key, seq, row_count) "
            "SELECT m.position_key, :upto, count(*) FROM "
            + row_keys(f"position_key BETWEEN :low AND :high AND {due} AND seq <= :upto")
            + " m WHERE true GROUP BY m.position_key HAVING count(*) >= :record "  # WHERE: SQLite's upsert
            "ON CONFLICT (position_key) DO UPDATE SET seq = excluded.seq, row_count = excluded.row_count"
        ),
        {**params, "record": RECORD_ROWS},
    )
    connection.execute(
        text(f"DELETE FROM merged_positions WHERE position_key BETWEEN :low AND :high AND {due} AND seq < :upto"),
        params,
    )
    report.merged_rows += max(deleted.rowcount, 0) + max(deleted_singles.rowcount, 0) - max(inserted.rowcount, 0)
    report.wide_changed += max(deleted.rowcount, 0) + max(inserted.rowcount, 0)
    report.narrow_merged += max(deleted_singles.rowcount, 0)
    for table in ("compact_recorded", "compact_hot_positions", "compact_monthly_positions", "compact_merged",
                  "compact_merged_singles"):  # fmt: skip
        connection.execute(text(f"DROP TABLE {table}"))
    if keep_keys:
        connection.execute(text(f"DROP TABLE IF EXISTS {keep_keys}"))  # a failed compaction's, on this connection
        connection.execute(text(f"ALTER TABLE compact_keys RENAME TO {keep_keys}"))
    else:
        _summarize_range(connection, params, report, "compact_keys")


def _summarize_range(connection: Connection, params: dict, report: CompactReport, keys: str) -> None:
    """Steps 3-4 for the range of `params` (low, high, upto, hot), its keys in temp table
    `keys` (dropped at the end)."""
    dialect = connection.dialect.name
    # 3. positions that now have many rows get a rollup of everything up to `upto`
    # the row counts of the positions that may still need a summary: only those that had
    # more rows than the smallest threshold before merging can have them after it
    _temp_table(
        connection,
        "compact_rows",
        "SELECT m.position_key, count(*) AS n FROM "
        + row_keys(
            "position_key BETWEEN :low AND :high "
            f"AND position_key IN (SELECT position_key FROM {keys} WHERE n > :least)"
        )
        + " m WHERE NOT ("
        "EXISTS (SELECT 1 FROM hot_positions h WHERE h.position_key = m.position_key) "
        "AND EXISTS (SELECT 1 FROM monthly_positions p WHERE p.position_key = m.position_key)) "
        "GROUP BY m.position_key HAVING count(*) > :least",
        {**params, "least": min(HOT_ROWS, MONTHLY_ROWS)},
    )
    _temp_table(
        connection,
        "compact_hot",
        "SELECT c.position_key FROM compact_rows c WHERE c.n > :hot "
        "AND NOT EXISTS (SELECT 1 FROM hot_positions h WHERE h.position_key = c.position_key)",
        params,
    )
    # a new summary's rows are written in key order, so each position's lie together: a
    # hashed GROUP BY wrote them in no order, and the start position's 4,370 rollup rows
    # took 3,201 pages to read at a million games instead of about 200
    added = connection.execute(
        text(
            f"INSERT INTO move_stats_rollup ({GROUP}, {COUNTS}, refs, last_month) "
            f"SELECT {GROUP}, {SUMS}, {refs_agg('refs', dialect)}, max(month) FROM "
            + rows_sql(
                dialect,
                "position_key BETWEEN :low AND :high AND position_key IN (SELECT position_key FROM compact_hot) "
                "AND seq <= :upto",
            )
            + f" m GROUP BY {GROUP} ORDER BY {GROUP}"
        ),
        params,
    )
    report.rollup_rows += max(added.rowcount, 0)
    hot = connection.execute(
        text("INSERT INTO hot_positions (position_key, seq) SELECT position_key, :upto FROM compact_hot"),
        params,
    )
    report.hot_added += max(hot.rowcount, 0)
    # 4. the positions with the most rows get a band-less monthly summary up to `upto`
    _temp_table(
        connection,
        "compact_monthly",
        "SELECT c.position_key FROM compact_rows c WHERE c.n > :monthly "
        "AND NOT EXISTS (SELECT 1 FROM monthly_positions p WHERE p.position_key = c.position_key)",
        {**params, "monthly": MONTHLY_ROWS},
    )
    added = connection.execute(
        text(
            f"INSERT INTO move_stats_monthly ({MONTHLY_COLUMNS}) "
            + _monthly_sums(
                dialect,
                rows_sql(
                    dialect,
                    "position_key BETWEEN :low AND :high "
                    "AND position_key IN (SELECT position_key FROM compact_monthly) AND seq <= :upto",
                )
                + " m",
                ordered=True,
            )
        ),
        params,
    )
    report.monthly_rows += max(added.rowcount, 0)
    monthly = connection.execute(
        text("INSERT INTO monthly_positions (position_key, seq) SELECT position_key, :upto FROM compact_monthly"),
        params,
    )
    report.monthly_added += max(monthly.rowcount, 0)
    for table in (keys, "compact_rows", "compact_hot", "compact_monthly"):
        connection.execute(text(f"DROP TABLE {table}"))


def _refresh_planner_statistics(connection: Connection, report: CompactReport) -> tuple[str, ...]:
    """ANALYZE the statistics tables this compaction changed by more than ANALYZE_SHARE
    of their estimated rows (or that were never analyzed); the tables analyzed."""
    changed = {
        "move_stats": report.wide_changed,
        "move_singles": report.narrow_merged,
        "move_stats_rollup": report.rollup_rows,
        "move_stats_monthly": report.monthly_rows,
        "hot_positions": report.hot_added,
        "monthly_positions": report.monthly_added,
        "move_stats_bandless": report.bandless_added,
        "bandless_positions": report.bandless_added,
    }
    estimates = dict(_reltuples(connection, list(changed)))
    analyzed = []
    for table, rows in changed.items():
        estimate = estimates.get(table)
        if estimate is not None and rows and (estimate <= 0 or rows > ANALYZE_SHARE * estimate):
            connection.execute(text(f"ANALYZE {table}"))
            analyzed.append(table)
    return tuple(analyzed)


def merge_first_load(connection: Connection, *, parts: int = MERGE_PARTS) -> int:
    """Merge every statistics row of the same key into one, all at once: the end of a
    first load (webapp.indexer.first_load), when the tables hold only the load's rows and
    have no position index. A key of several rows becomes one wide row, a key of one
    narrow row stays narrow (webapp.db.singles). The merged rows fill new tables made like
    move_stats and move_singles, which then take their places (DROP and RENAME; the merged
    one-game rows become move_singles' first run, webapp.indexer.runs, their batches
    checked as they went in so that attaching them reads nothing; the view made again)
    in a transaction holding the statistics lock: readers go on summing the appended
    rows while the merge runs and wait only for the swap, and no dead rows are left for
    VACUUM. A merged row keeps the latest batch of its
    rows, so the next compaction still finds them all appended since it last ran and
    summarizes the hot positions. Returns the rows merged away. PostgreSQL only.

    The key space is cut into `parts` slices merged at once, each on its own connection
    (this one and `parts - 1` more), so the server aggregates on as many cores: the
    merge is most of a long first load's end. The new table is made and committed first,
    for the other connections to fill; the lock is held on this connection from before
    they start until the swap, so no batch lands in between. A merge that fails leaves
    the tables as they were and drops the new ones; one killed leaves them for the next
    merge (or the position index's rebuild, webapp.indexer.first_load) to drop."""
    with connection.begin():
        drop_merged_table(connection)
        for table, like in ((MERGED_TABLE, "move_stats"), (MERGED_SINGLES_TABLE, "move_singles")):
            connection.execute(  # its columns, defaults and NOT NULLs; the indexes are built after
                text(f"CREATE TABLE {table} (LIKE {like} INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING STORAGE)")
            )
    try:
        with connection.begin():
            lock_statistics(connection)
            before = connection.execute(
                text("SELECT (SELECT count(*) FROM move_stats) + (SELECT count(*) FROM move_singles)")
            ).scalar_one()
            upto = runs.latest_batch(connection)  # no batch lands until the swap
            runs.bound_first_run(connection.engine, MERGED_SINGLES_TABLE, upto)
            slices = [_bounds(index, parts) for index in range(parts)]
            with ThreadPoolExecutor(max_workers=max(parts - 1, 1), thread_name_prefix="merge") as pool:
                others = [pool.submit(_merge_slice_apart, connection.engine, *bounds) for bounds in slices[1:]]
                after = _merge_slice(connection, *slices[0]) + sum(other.result() for other in others)
            connection.execute(text(f"DROP VIEW {VIEW}"))  # it reads the tables swapped out
            connection.execute(text("DROP TABLE move_stats"))
            connection.execute(text(f"ALTER TABLE {MERGED_TABLE} RENAME TO move_stats"))
            connection.execute(text("DROP TABLE move_singles"))  # with its runs
            # the merged one-game rows: the first run, their batches checked as they went in
            runs.partition(connection, MERGED_SINGLES_TABLE, upto)
            runs.drop_seal_check(connection)
    except BaseException:
        with suppress(Exception), connection.begin():  # else left for the next merge to drop
            drop_merged_table(connection)
        raise
    return int(before) - after


def _merge_slice(connection: Connection, low: int, high: int) -> int:
    """Step 2 of compaction over every key of one slice, each row's latest batch kept,
    into the merged tables (in the connection's transaction): a key of one narrow row
    into the narrow one, any other into the wide one. Returns the rows it made."""
    return int(
        connection.execute(
            text(
                "WITH grouped AS MATERIALIZED ("
                f"SELECT {MONTH_GROUP}, {SUMS_AS}, max(seq) AS seq, {refs_agg('refs', 'postgresql')} AS refs, "
                "count(*) AS n, count(game_id) AS narrow, max(game_id) AS game_id, max(code) AS code "
                f"FROM {rows_sql('postgresql', 'position_key BETWEEN :low AND :high')} m GROUP BY {MONTH_GROUP}), "
                f"wide AS (INSERT INTO {MERGED_TABLE} ({MONTH_GROUP}, {COUNTS}, seq, refs) "
                f"SELECT {MONTH_GROUP}, {COUNTS}, seq, refs FROM grouped WHERE n > 1 OR narrow = 0 RETURNING 1), "
                f"kept AS (INSERT INTO {MERGED_SINGLES_TABLE} (position_key, game_id, seq, path, move, code) "
                "SELECT position_key, game_id, seq, path, move, code FROM grouped WHERE n = 1 AND narrow = 1 "
                "RETURNING 1) "
                "SELECT (SELECT count(*) FROM wide) + (SELECT count(*) FROM kept)"
            ),
            {"low": low, "high": high},
        ).scalar_one()
    )


def _merge_slice_apart(engine: Engine, low: int, high: int) -> int:
    """One slice merged on a connection of its own, committed (before the swap, which
    waits for it: the merged table is locked until then)."""
    with engine.connect() as connection, connection.begin():
        allow_long_statements(connection)
        return _merge_slice(connection, low, high)


@dataclass
class SummaryRefresh:
    """What one refresh of the summaries did (refresh_summaries)."""

    positions: int = 0  # hot positions whose rollup took in the rows appended since
    rollup_rows: int = 0
    monthly_rows: int = 0
    postponed: bool = False  # a first load is running (webapp.indexer.first_load)
    seconds: float = 0.0


def refresh_summaries(engine: Engine) -> SummaryRefresh:
    """Add the rows appended since their summary to the summaries of the positions that
    have more than REFRESH_ROWS of them (as _busiest counts them; step 1 of compaction
    alone, for those positions), so the explorer reads a few batches' rows there instead
    of all of a long import's: run during one, between its compactions. Positions with
    fewer are read whole quickly and wait for the compaction. Merges nothing and makes no
    position hot; the statistics lock held to learn which batches have landed, then held
    shared by the rollups' transaction and the monthly summaries' (_refresh_both).
    Postponed while a first load runs."""
    started = time.monotonic()
    refresh = SummaryRefresh()
    if ensure_position_index(engine) is None:
        refresh.postponed = True
        return refresh
    report = CompactReport()
    with engine.connect() as connection:
        with connection.begin():
            lock_statistics(connection)  # every batch up to `upto` has landed
            upto = runs.latest_batch(connection)
        refresh.positions = _refresh_both(engine, connection, upto, report)
    refresh.rollup_rows, refresh.monthly_rows = report.rollup_rows, report.monthly_rows
    refresh.seconds = time.monotonic() - started
    return refresh


def _busiest(summarized: str) -> str:
    """SELECT of the positions of `summarized` (hot_positions or monthly_positions) with more
    than REFRESH_ROWS rows appended since their summary, up to :upto (position_key, seq),
    each position's rows counted up to :more, one more. The one-game rows (move_singles: a
    run a batch, each an index to probe) are counted only at the positions with a monthly
    summary, which the busiest are; elsewhere the wide rows alone (a million games, 58,301
    appended: the 17,599 hot positions found in 0.14–0.19 s so, in 0.62–0.77 s with every
    row counted; the same 117 positions)."""
    appended = "position_key = s.position_key AND seq > s.seq AND seq <= :upto"
    return (
        f"SELECT s.position_key, s.seq FROM {summarized} s WHERE s.seq < :upto AND ("
        f"(SELECT count(*) FROM (SELECT 1 FROM move_stats WHERE {appended} LIMIT :more) AS wide) = :more "
        "OR (s.position_key IN (SELECT position_key FROM monthly_positions) AND "
        f"(SELECT count(*) FROM (SELECT 1 FROM {row_keys(appended)} m LIMIT :more) AS every_row) = :more))"
    )


def _refresh_busiest(
    connection: Connection, upto: int, report: CompactReport, summaries: tuple[str, ...] = SUMMARIES
) -> int:
    """Step 1 alone for the summarized positions with more than REFRESH_ROWS rows appended
    since their summary, up to batch `upto` (every batch up to it has landed), in the
    caller's transaction, for the `summaries` kinds (SUMMARIES); how many hot positions
    it brought up to date (0 when the rollup is not among them)."""
    params = {"upto": upto, "more": REFRESH_ROWS + 1}
    positions = 0
    for kind in summaries:
        _temp_table(connection, f"compact_{kind}", _busiest(kind), params)
        connection.execute(text(f"CREATE INDEX compact_{kind}_key ON compact_{kind} (position_key)"))
        if kind == "hot_positions":
            positions = int(connection.execute(text("SELECT count(*) FROM compact_hot_positions")).scalar_one())
        _add_to_summary(connection, kind, params, report)
        connection.execute(text(f"DROP TABLE compact_{kind}"))
    return positions


def _refresh_both(engine: Engine, connection: Connection, upto: int, report: CompactReport) -> int:
    """_refresh_busiest in transactions holding the statistics lock shared: on PostgreSQL
    the rollup on `connection` and the monthly summaries on a connection of their own at
    once, so the server works on both cores (a million games, 58,301 appended: 117
    positions each, 3.9 s one after the other); each kind is marked up to date with its
    own rows, so a reader sees every count once whichever has committed. How many hot
    positions it brought up to date."""
    if engine.dialect.name != "postgresql":
        with connection.begin():
            share_statistics(connection)
            return _refresh_busiest(connection, upto, report)
    monthly = CompactReport()

    def refresh_monthly() -> None:
        with engine.connect() as other, other.begin():
            share_statistics(other)
            _refresh_busiest(other, upto, monthly, ("monthly_positions",))

    with ThreadPoolExecutor(1, thread_name_prefix="compact-monthly") as pool:
        beside = pool.submit(refresh_monthly)
        with connection.begin():
            share_statistics(connection)
            positions = _refresh_busiest(connection, upto, report, ("hot_positions",))
        beside.result()
    report.monthly_rows += monthly.monthly_rows
    return positions


def compact(
    engine: Engine,
    *,
    ranges: int = RANGES,
    parts: int = PARTS,
    progress: Callable[[int, int], None] | None = None,
    steps: Callable[[str], None] | None = None,
    player_pairs: bool = True,
) -> CompactReport:
    """Compact the rows appended since the last compaction; safe to run at any time (a
    second one waits for the first to end, then compacts what is left). While a first
    load runs it is postponed (`postponed` in the report); a position index a killed
    first load left missing is built first. The summaries of the positions with the most
    rows appended are brought up to date first (`refreshed`), then (PostgreSQL) the runs
    of one-game rows merged, then the ranges compacted (then the rollups of the positions with a monthly
    summary summed over the rating bands, bandless_sums), then the runs of the batches that
    landed meanwhile merged. The first two steps are what a read right after an import
    needs (58,301 games into a million-game store: explorer p95 10.6-14.4 ms after the
    first, 5.8-9.2 ms after both, 5 s in all). `progress(done, ranges)` is called, in
    this thread, before each merge of runs (done 0 before the ranges) and as each range is
    compacted, and `steps` is told each step in words, the first REFRESH_STEP. Last, the
    tracked players' busy positions are summed over the rating bands (player_summaries),
    unless `player_pairs` is False: `db upgrade` compacts while the previous release's
    workers may still import, and those would not add to the sums."""
    started = time.monotonic()
    report = CompactReport()
    if ensure_position_index(engine) is None:  # merging needs the index a first load dropped
        report.postponed = True
        return report
    postgres = engine.dialect.name == "postgresql"
    with engine.connect() as connection:
        if postgres:
            _hold_compaction_lock(connection)
        try:
            with connection.begin():
                lock_statistics(connection)  # every batch up to `upto` has landed
                since = _get_watermark(connection)
                upto = runs.latest_batch(connection)  # every batch up to it has landed
            if upto > since:
                # the busiest positions first: the explorer reads them most, and until their
                # summaries take in what an import appended it sums thousands of rows there
                if steps is not None:
                    steps(REFRESH_STEP)
                report.refreshed = _refresh_both(engine, connection, upto, report)
                if postgres:  # then the runs the import left, one a batch: a read looks in each
                    early = runs.keep_runs(connection, _told(progress, steps, 0, ranges))
                    report.singles_runs.merged += early.merged
                _compact_parts(engine, connection, since, upto, ranges, parts if postgres else 1, report, progress)
            with connection.begin():
                lock_statistics(connection)
                if _get_watermark(connection) < upto:
                    _set_watermark(connection, upto)
                if bandless_sums.present(connection):  # the positions that got a monthly summary
                    report.bandless_added = bandless_sums.derive(connection)
                if player_pairs and player_summaries.present(connection):  # tracked players' imports pile rows up
                    report.player_pairs = player_summaries.summarize(connection)
            if postgres:  # the runs of the batches that landed during the ranges
                report.singles_runs.merged += runs.keep_runs(connection, _told(progress, steps, ranges, ranges)).merged
                with connection.begin():
                    report.analyzed = _refresh_planner_statistics(connection, report)
        finally:
            if postgres:
                release_session_lock(connection, COMPACT_LOCK)
    report.seconds = time.monotonic() - started
    return report


def _told(
    progress: Callable[[int, int], None] | None, steps: Callable[[str], None] | None, done: int, ranges: int
) -> Callable[[str], None]:
    """keep_runs' `between` for a compaction: its progress told (`done` of `ranges`), which
    may stop it there, then the step in words."""

    def between(step: str) -> None:
        if progress is not None:
            progress(done, ranges)
        if steps is not None:
            steps(step)

    return between


def merge_runs(engine: Engine, between: Callable[[str], None] = lambda _step: None) -> runs.RunsReport | None:
    """Merge the one-game rows' runs (webapp.indexer.runs.keep_runs) unless a compaction is
    under way (which merges them before and after its ranges): what a long import asks
    for between its compactions, so that reads look a position up in a few runs, not in
    one a batch.
    None when the compaction lock was taken; nothing on SQLite. `between` as keep_runs'."""
    if engine.dialect.name != "postgresql":
        return runs.RunsReport()
    with engine.connect() as connection:
        with connection.begin():
            taken = connection.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": COMPACT_LOCK}).scalar()
        if not taken:
            return None
        try:
            return runs.keep_runs(connection, between)
        finally:
            release_session_lock(connection, COMPACT_LOCK)


def _hold_compaction_lock(connection: Connection) -> None:
    """Wait for and take the compaction lock for the connection's session (released when it
    ends, so a killed compaction leaves none)."""
    with connection.begin():
        allow_long_statements(connection)
        connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": COMPACT_LOCK})


@dataclass
class _Part:
    """One worker's share of a compaction: consecutive ranges, their keys' span, its report."""

    ranges: list[int]
    low: int
    high: int
    report: CompactReport


def _compact_parts(
    engine: Engine,
    connection: Connection,
    since: int,
    upto: int,
    ranges: int,
    parts: int,
    report: CompactReport,
    progress: Callable[[int, int], None] | None,
) -> None:
    """Compact the rows of (since, upto] range by range, the ranges shared out in `parts`
    runs of consecutive ones, each on its own connection when there are several (the
    server then works on as many cores). Each part first lists the keys appended in its
    span (temp table compact_appended); the tables are analyzed if those rows make their
    estimates stale; then each part compacts its ranges. Any part's error stops the others
    after their current range and is raised here; their reports are added to `report`."""
    shares = [list(range(ranges))[part * ranges // parts : (part + 1) * ranges // parts] for part in range(parts)]
    work = [
        _Part(share, _bounds(share[0], ranges)[0], _bounds(share[-1], ranges)[1], CompactReport())
        for share in shares
        if share
    ]
    params = {"since": since, "upto": upto}
    if len(work) == 1:
        appended = _list_appended(connection, work[0], params)
        _analyze_appended(connection, appended)
        for done, index in enumerate(work[0].ranges, 1):
            _compact_one_range(connection, index, ranges, since, upto, work[0].report)
            if progress is not None:
                progress(done, ranges)
        _drop_appended(connection)
        _add_reports(report, work)
        return
    stop = threading.Event()
    finished: queue.SimpleQueue[int] = queue.SimpleQueue()

    def run_ranges(worker: Connection, part: _Part, deferred: bool) -> None:
        """The part's ranges; a `deferred` part leaves their new summaries for later."""
        for index in part.ranges:
            if stop.is_set():
                return
            keep = f"compact_keys_{index}" if deferred else ""
            try:
                _compact_one_range(worker, index, ranges, since, upto, part.report, keep)
            except BaseException:
                stop.set()
                raise
            finally:
                if not deferred:
                    finished.put(index)
        _drop_appended(worker)  # its connection goes back to the pool

    def summarize_ranges(worker: Connection, part: _Part) -> None:
        for index in part.ranges:
            with worker.begin():
                share_statistics(worker)
                params = _range_params(*_bounds(index, ranges), since, upto)
                _summarize_range(worker, params, part.report, f"compact_keys_{index}")
            part.report.ranges += 1
            finished.put(index)

    with ExitStack() as stack:
        workers = [(stack.enter_context(engine.connect()), part) for part in work]
        pool = stack.enter_context(ThreadPoolExecutor(max_workers=len(work), thread_name_prefix="compact"))
        try:
            listed = [pool.submit(_list_appended, worker, part, params) for worker, part in workers]
            _analyze_appended(connection, sum(future.result() for future in listed))
            # the first part writes its new summaries as it goes, the others theirs after it,
            # part by part: the summaries' keys then go in at their indexes' ends, whose pages
            # fill (written at once, one part's keys went into the middle of the other's and
            # pages split in half: the summaries 23.7 MB instead of 21.6 at 58,301 games)
            running = [
                pool.submit(run_ranges, worker, part, deferred=number > 0)
                for number, (worker, part) in enumerate(workers)
            ]
            done = _report_progress(running, finished, stop, progress, ranges, 0)
            for future in running:
                future.result()
            for worker, part in workers[1:]:
                later = pool.submit(summarize_ranges, worker, part)
                done = _report_progress([later], finished, stop, progress, ranges, done)
                later.result()
        finally:
            stop.set()
    _add_reports(report, work)


def _report_progress(
    running: list, finished: queue.SimpleQueue, stop: threading.Event,
    progress: Callable[[int, int], None] | None, ranges: int, done: int,
) -> int:  # fmt: skip
    """Call `progress` in this thread for each range `finished` tells of, until `running`
    have ended; returns the ranges done."""
    while not all(future.done() for future in running) or not finished.empty():
        with suppress(queue.Empty):
            finished.get(timeout=0.1)
            done += 1
            if progress is not None and not stop.is_set():
                progress(done, ranges)
    return done


def _list_appended(connection: Connection, part: _Part, params: dict) -> int:
    """Temp table compact_appended: the keys in the part's span with rows appended since
    the last compaction, each once with their count, indexed for each range to take its
    own; returns those rows' count. Nothing changes those rows meanwhile (one compaction
    at a time, later batches' rows are later), so no lock is held."""
    with connection.begin():
        allow_long_statements(connection)
        _temp_table(
            connection,
            "compact_appended",
            "SELECT position_key, count(*) AS n FROM "
            + row_keys("seq > :since AND seq <= :upto AND position_key BETWEEN :low AND :high")
            + " m GROUP BY position_key",
            {**params, "low": part.low, "high": part.high},
        )
        connection.execute(text("CREATE INDEX compact_appended_key ON compact_appended (position_key)"))
        return int(connection.execute(text("SELECT coalesce(sum(n), 0) FROM compact_appended")).scalar() or 0)


def _drop_appended(connection: Connection) -> None:
    with connection.begin():
        connection.execute(text("DROP TABLE IF EXISTS compact_appended"))


def _analyze_appended(connection: Connection, appended: int) -> None:
    with connection.begin():
        allow_long_statements(connection)
        _analyze_if_stale(connection, appended)


def _compact_one_range(
    connection: Connection, index: int, ranges: int, since: int, upto: int, report: CompactReport, keep_keys: str = ""
) -> None:
    """One range in one transaction, holding the statistics lock shared as import batches
    do (their rows are of later batches, which no range touches; player indexing, which
    holds it exclusively, waits); with `keep_keys`, its new summaries left for later
    (_compact_range)."""
    low, high = _bounds(index, ranges)
    with connection.begin():
        share_statistics(connection)
        _compact_range(connection, low, high, since, upto, report, keep_keys=keep_keys)
    if not keep_keys:
        report.ranges += 1


def _add_reports(report: CompactReport, work: list[_Part]) -> None:
    for part in work:
        for name in ("ranges", "merged_rows", "wide_changed", "narrow_merged", "hot_added", "rollup_rows",
                     "monthly_added", "monthly_rows"):  # fmt: skip
            setattr(report, name, getattr(report, name) + getattr(part.report, name))
