"""A position's results month by month: the `history` of the lichess explorer API.

Reads the month-level statistics (`move_stats`, or `player_move_stats` for a player) with
the query's filters and sums every next move of the position per month. All of this
feature's SQL is in this module, so a change of how statistics are stored ports it here.
Games with an unknown date (month 0), or only a year (yyyy00, a PGN `1901.??.??`), have
no place in a month-by-month history and are left out.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager

from sqlalchemy import Connection, case, func, select

from webapp.caching import memoized
from webapp.db.explorer import _filters, cache_key
from webapp.db.players import find_player_ids
from webapp.db.tables import move_stats, player_move_stats
from webapp.model.position import position_key
from webapp.model.query import ExplorerQuery
from webapp.model.stats import Results

#: (month as yyyymm, results of the games that reached the position that month)
MonthResults = tuple[int, Results]


def _conditions(table, query: ExplorerQuery, key: int) -> list:  # type: ignore[no-untyped-def]
    """The explorer's filters (collections included), and only games with a known month
    (not undated, month 0, nor year-only, yyyy00)."""
    return [*_filters(table, query, key), table.c.month % 100 != 0]


def query_history(connection: Connection, query: ExplorerQuery) -> tuple[MonthResults, ...]:
    """Per month with games, the position's summed results, oldest first (straight from SQL)."""
    key = position_key(query.board())
    if query.player is None:
        table = move_stats
        conditions = _conditions(table, query, key)
    else:
        player_ids = find_player_ids(connection, query.player)
        if not player_ids:
            return ()
        table = player_move_stats
        conditions = [table.c.player_id.in_(player_ids), *_conditions(table, query, key)]
        if query.color is not None:
            conditions.append(table.c.color == (0 if query.color == "white" else 1))
    games = table.c.white + table.c.draws + table.c.black
    statement = (
        select(
            table.c.month,
            func.sum(table.c.white),
            func.sum(table.c.draws),
            func.sum(table.c.black),
            func.sum(table.c.rating_sum),
            func.sum(case((table.c.rating_band >= 0, games), else_=0)),
        )
        .where(*conditions)
        .group_by(table.c.month)
        .order_by(table.c.month)
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
