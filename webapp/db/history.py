"""A position's results month by month: the `history` of the lichess explorer API.

Reads the month-level statistics as the explorer's stat_rows gives them (`move_stats`
through the monthly summary of the positions with the most rows, or `player_move_stats`
for a player) with the query's filters, and sums every next move of the position per month.
Games with an unknown date (month 0), or only a year (yyyy00, a PGN `1901.??.??`), have
no place in a month-by-month history and are left out.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager

from sqlalchemy import Connection, func, select

from webapp.caching import memoized
from webapp.db.explorer import cache_key, stat_rows
from webapp.db.players import find_player_ids
from webapp.model.position import position_key
from webapp.model.query import ExplorerQuery
from webapp.model.stats import Results

#: (month as yyyymm, results of the games that reached the position that month)
MonthResults = tuple[int, Results]


def query_history(connection: Connection, query: ExplorerQuery) -> tuple[MonthResults, ...]:
    """Per month with games, the position's summed results, oldest first (straight from SQL)."""
    key = position_key(query.board())
    player_ids: tuple[int, ...] | None = None
    if query.player is not None:
        player_ids = find_player_ids(connection, query.player)
        if not player_ids:
            return ()
    rows = stat_rows(query, key, player_ids, monthly=True, bands=False)
    statement = (
        select(
            rows.c.month,
            func.sum(rows.c.white),
            func.sum(rows.c.draws),
            func.sum(rows.c.black),
            func.sum(rows.c.rating_sum),
            func.sum(rows.c.banded),
        )
        .where(rows.c.month % 100 != 0)  # only games with a known month
        .group_by(rows.c.month)
        .order_by(rows.c.month)
    )
    return tuple(
        (int(month), Results(int(w), int(d), int(b), int(rating_sum), int(rated)))
        for month, w, d, b, rating_sum, rated in connection.execute(statement)
    )


def read_history(
    connection_factory: Callable[[], AbstractContextManager[Connection]], query: ExplorerQuery
) -> tuple[MonthResults, ...]:
    """query_history through the explorer's cache (same key and generation as its answers)."""

    def compute() -> tuple[MonthResults, ...]:
        with connection_factory() as connection:
            return query_history(connection, query)

    return memoized("history|" + cache_key(query), compute)
