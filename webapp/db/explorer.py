"""The explorer's read path: (position, filters) → totals and per-move results.

`query_explorer` runs the SQL on a connection; `read_explorer` is the memoized entry
point the API and the dashboard call, keyed by the query's plain values.
"""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import Connection, and_, case, func, select

from webapp.caching import memoized
from webapp.db.players import find_player_ids
from webapp.db.tables import move_stats, move_stats_rollup, player_move_stats
from webapp.model.opening import opening_for
from webapp.model.position import NO_MOVE, decode_move, position_key
from webapp.model.query import ExplorerQuery
from webapp.model.stats import ExplorerResult, MoveStats, Results


def _filters(table, query: ExplorerQuery, key: int) -> list:
    conditions = [table.c.position_key == key]
    if query.speeds:
        conditions.append(table.c.speed.in_([int(s) for s in query.speeds]))
    if query.rated_only:
        conditions.append(table.c.rated == 1)
    bands = query.rating_bands
    if bands is not None:
        conditions.append(table.c.rating_band.between(*bands))
    if query.since is not None or query.until is not None:
        conditions.append(table.c.month.between(query.since or 1, query.until or 999912))
    return conditions


def _table(query: ExplorerQuery, player_ids: tuple[int, ...] | None):
    """player_move_stats for a player; else the month-less rollup unless months are asked."""
    if player_ids is not None:
        return player_move_stats
    if query.since is None and query.until is None:
        return move_stats_rollup
    return move_stats


def _statement(query: ExplorerQuery, key: int, player_ids: tuple[int, ...] | None):
    table = _table(query, player_ids)
    conditions = _filters(table, query, key)
    if player_ids is not None:
        conditions.insert(0, table.c.player_id.in_(player_ids))
        if query.color is not None:
            conditions.append(table.c.color == (0 if query.color == "white" else 1))
    games = table.c.white + table.c.draws + table.c.black
    return (
        select(
            table.c.move,
            func.sum(table.c.white),
            func.sum(table.c.draws),
            func.sum(table.c.black),
            func.sum(table.c.rating_sum),
            func.sum(case((table.c.rating_band >= 0, games), else_=0)),
        )
        .where(and_(*conditions))
        .group_by(table.c.move)
    )


def query_explorer(connection: Connection, query: ExplorerQuery) -> ExplorerResult:
    """Totals and next moves for the query's position, straight from the database."""
    board = query.board()
    key = position_key(board)
    player_ids: tuple[int, ...] | None = None
    if query.player is not None:
        player_ids = find_player_ids(connection, query.player)
        if not player_ids:
            return ExplorerResult(
                fen=board.fen(), totals=Results(), opening=opening_for(board), player_found=False
            )
    rows = connection.execute(_statement(query, key, player_ids)).all()
    totals = [0, 0, 0, 0, 0]
    moves: list[MoveStats] = []
    for code, white, draws, black, rating_sum, rated_games in rows:
        counts = (int(white), int(draws), int(black), int(rating_sum), int(rated_games))
        totals = [a + b for a, b in zip(totals, counts, strict=True)]
        if code == NO_MOVE:
            continue
        move = decode_move(code)
        if move not in board.legal_moves:  # a hash collision with another position
            continue
        moves.append(MoveStats(uci=move.uci(), san=board.san(move), results=Results(*counts)))
    moves.sort(key=lambda m: (-m.results.games, m.uci))
    return ExplorerResult(
        fen=board.fen(), totals=Results(*totals), moves=tuple(moves), opening=opening_for(board)
    )


def cache_key(query: ExplorerQuery) -> str:
    """A plain-string key for the query: its position and every filter value."""
    return "|".join(
        [
            query.board().fen(),
            ",".join(str(int(s)) for s in query.speeds),
            f"{query.rating_min}-{query.rating_max}",
            f"{query.since}-{query.until}",
            query.player or "",
            query.color or "",
            "rated" if query.rated_only else "all",
        ]
    )


def read_explorer(connection_factory, query: ExplorerQuery) -> ExplorerResult:
    """query_explorer through the cache; opens a connection only on a miss.

    The key holds the position, not the line that reached it, so the opening name (which
    for an unnamed position depends on the line) is looked up afresh for this query.
    """

    def compute() -> ExplorerResult:
        with connection_factory() as connection:
            return query_explorer(connection, query)

    result = memoized(cache_key(query), compute)
    opening = opening_for(query.board())
    return result if opening == result.opening else replace(result, opening=opening)
