"""A player's busiest positions summed over the rating bands (player_move_stats_bandless).

A player's month-less rollup keys its rows by the player's rating band and the game's
too, so at the first plies a busy player has thousands of them (a million games, the
busiest player, the start position: 10,159), which a view with no rating asked sums on
every read. At the (player, position) pairs with more than PLAYER_SUMMARY_ROWS rollup rows
those rows are kept summed over both bands as well (293 there), and the view reads those.

A pair is summarized under the statistics lock held exclusively (player indexing,
compaction's end): no import batch is in flight, and every later batch, which holds the
lock shared, finds the pair listed and adds its rows to the band-less sums in the
transaction that adds them to the rollup (add_staged). So the band-less sums are always
the rollup's, summed.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection, bindparam, inspect, text

from webapp.indexer.bandless_sums import summed_insert

#: a (player, position) pair with more rollup rows than this gets band-less sums
PLAYER_SUMMARY_ROWS = 256

KEYS = ("player_id", "position_key", "color", "move", "collection", "speed", "rated")
TABLE = "player_move_stats_bandless"
PAIRS = "player_bandless_positions"


def present(connection: Connection) -> bool:
    """Whether the schema has the band-less sums (migration 0023)."""
    return inspect(connection).has_table(PAIRS)


def add_staged(cursor, stage: str) -> None:  # type: ignore[no-untyped-def]
    """Add the rollup rows in the table `stage` (a batch's, with rating_band and every
    counted column; negative where games leave) to the band-less sums of the summarized
    pairs among them, on a DB-API cursor in the batch's transaction."""
    where = f"EXISTS (SELECT 1 FROM {PAIRS} p WHERE p.player_id = s.player_id AND p.position_key = s.position_key)"
    cursor.execute(summed_insert(TABLE, KEYS, f"{stage} s", "s", where=where, adding=True))


def forget(connection: Connection, player_ids: Sequence[int]) -> None:
    """Drop the players' band-less sums and pairs (their rollup is being counted again)."""
    ids = {"ids": list(player_ids)}
    for table in (TABLE, PAIRS):
        statement = text(f"DELETE FROM {table} WHERE player_id IN :ids").bindparams(bindparam("ids", expanding=True))
        connection.execute(statement, ids)


def summarize(connection: Connection, player_ids: Sequence[int] | None = None) -> int:
    """Give band-less sums to the pairs with more than PLAYER_SUMMARY_ROWS rollup rows
    that have none yet: every position of the players `player_ids` (just indexed), or
    else, for every tracked player, the positions with a monthly summary (the first plies,
    where a busy player's rows pile up; each pair's rows counted only up to the threshold).
    In the caller's transaction, which holds the statistics lock exclusively. Returns the
    pairs summarized."""
    more = PLAYER_SUMMARY_ROWS + 1

    def unlisted(player: str, key: str) -> str:
        return f"NOT EXISTS (SELECT 1 FROM {PAIRS} p WHERE p.player_id = {player} AND p.position_key = {key})"

    if player_ids is not None:
        if not player_ids:
            return 0
        ids = ", ".join(str(int(i)) for i in player_ids)
        candidates = (
            "SELECT c.player_id, c.position_key FROM (SELECT player_id, position_key FROM player_move_stats_rollup "
            f"WHERE player_id IN ({ids}) GROUP BY player_id, position_key HAVING count(*) >= {more}) c "
            f"WHERE {unlisted('c.player_id', 'c.position_key')}"
        )
    else:
        candidates = (  # the pairs listed already left out before their rows are counted
            "SELECT t.player_id, m.position_key FROM tracked_players t CROSS JOIN monthly_positions m "
            f"WHERE {unlisted('t.player_id', 'm.position_key')} AND (SELECT count(*) FROM (SELECT 1 "
            "FROM player_move_stats_rollup r WHERE r.player_id = t.player_id AND r.position_key = m.position_key "
            f"LIMIT {more}) AS enough) = {more}"
        )
    connection.exec_driver_sql("DROP TABLE IF EXISTS bandless_new")
    connection.exec_driver_sql(f"CREATE TEMP TABLE bandless_new AS {candidates}")
    added = int(connection.exec_driver_sql("SELECT count(*) FROM bandless_new").scalar_one())
    if added:
        connection.exec_driver_sql(f"INSERT INTO {PAIRS} (player_id, position_key) SELECT * FROM bandless_new")
        rows = "player_move_stats_rollup r JOIN bandless_new n ON n.player_id = r.player_id AND n.position_key = r.position_key"
        connection.exec_driver_sql(summed_insert(TABLE, KEYS, rows, "r"))
    connection.exec_driver_sql("DROP TABLE bandless_new")
    return added
