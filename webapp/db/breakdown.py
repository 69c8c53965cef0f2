"""The charts' read path: a query's results per (next move, rating band) and per (next move, month).

`query_breakdown` runs the SQL on a connection; `read_breakdown` is the memoized entry
point (the explorer's cache, keyed by the query's values like `read_explorer`). Every SQL
statement behind the charts lives here, over the explorer's own tables and filters:
rating bands come from the month-less rollup when no months are asked, months from the
month-level `move_stats` (or `player_move_stats` in a player's view), read through the
band-less monthly summary at the positions with the most rows when no rating is asked.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import chess
from sqlalchemy import Connection, func, select

from webapp.caching import memoized
from webapp.db.explorer import cache_key, stat_rows
from webapp.db.players import find_player_ids
from webapp.model.endings import TIME_LOSS
from webapp.model.position import NO_MOVE, decode_move, position_key
from webapp.model.query import ExplorerQuery

UNKNOWN_BAND = -1  # a game with an unknown rating
UNKNOWN_MONTH = 0  # a game with an unknown date


@dataclass(frozen=True)
class BreakdownRow:
    """Results of the games that played `uci` here (None: no further indexed move) in one
    rating band (rating // 100, −1 unknown) or one month (yyyymm, 0 unknown)."""

    uci: str | None
    san: str | None
    key: int
    white: int
    draws: int
    black: int

    @property
    def games(self) -> int:
        return self.white + self.draws + self.black


@dataclass(frozen=True)
class Breakdown:
    """The query's position split by rating band and by month, for the charts.

    In the all-games view a game's band is that of the mean of both ratings; in a player's
    view, the player's own rating (as the explorer's rating filter reads it).
    """

    fen: str
    turn: str  # the side to move: "white" or "black"
    by_band: tuple[BreakdownRow, ...] = ()
    by_month: tuple[BreakdownRow, ...] = ()
    player_found: bool = True


def _grouped(connection: Connection, query: ExplorerQuery, key: int,
             player_ids: tuple[int, ...] | None, column: str) -> list[tuple[int, int, int, int, int]]:
    """(move code, band or month, white, draws, black) summed over the query's filters."""
    by_month = column == "month"
    rows = stat_rows(query, key, player_ids, monthly=by_month, bands=not by_month)
    group = rows.c[column]
    white, black = rows.c.white, rows.c.black
    if query.no_time_losses:  # stat_rows then gives the rows' wins on time
        white = white - func.coalesce(rows.c[TIME_LOSS["white"]], 0)
        black = black - func.coalesce(rows.c[TIME_LOSS["black"]], 0)
    statement = (
        select(rows.c.move, group, func.sum(white), func.sum(rows.c.draws), func.sum(black))
        .group_by(rows.c.move, group)
    )
    return [(int(m), int(k), int(w), int(d), int(b)) for m, k, w, d, b in connection.execute(statement)]


def _rows(board: chess.Board, grouped: Iterable[tuple[int, int, int, int, int]]) -> tuple[BreakdownRow, ...]:
    """Rows per (move, key), a move named by UCI and SAN; no-move rows (and the rare key
    collision with another position, whose move is illegal here) merge under None, so the
    position's totals still count every game, as the explorer's do; rows left with no game
    (all of them lost on time, with those left out) are dropped."""
    sums: dict[tuple[str | None, int], list[int]] = {}
    names: dict[str | None, str | None] = {None: None}
    for code, key, white, draws, black in grouped:
        uci: str | None = None
        if code != NO_MOVE:
            move = decode_move(code)
            if move in board.legal_moves:
                uci = move.uci()
                names.setdefault(uci, board.san(move))
        total = sums.setdefault((uci, key), [0, 0, 0])
        total[0] += white
        total[1] += draws
        total[2] += black
    rows = [BreakdownRow(uci, names[uci], key, *counts) for (uci, key), counts in sums.items() if any(counts)]
    rows.sort(key=lambda r: (r.uci is None, r.uci or "", r.key))
    return tuple(rows)


def query_breakdown(connection: Connection, query: ExplorerQuery) -> Breakdown:
    """Results per (move, rating band) and per (move, month) for the query's position."""
    board = query.board()
    turn = "white" if board.turn == chess.WHITE else "black"
    key = position_key(board)
    player_ids: tuple[int, ...] | None = None
    if query.player is not None:
        player_ids = find_player_ids(connection, query.player)
        if not player_ids:
            return Breakdown(fen=board.fen(), turn=turn, player_found=False)
        _require_ready(connection, query.player, player_ids)
    return Breakdown(
        fen=board.fen(),
        turn=turn,
        by_band=_rows(board, _grouped(connection, query, key, player_ids, "rating_band")),
        by_month=_rows(board, _grouped(connection, query, key, player_ids, "month")),
    )


def _require_ready(connection: Connection, player: str, player_ids: tuple[int, ...]) -> None:
    """Where a player's statistics are counted on demand, never partial numbers as complete
    (raises the explorer's PlayerIndexing, as read_explorer does)."""
    from webapp.db import players

    ready = getattr(players, "ready_player_ids", None)
    if ready is not None and not ready(connection, player_ids):
        raise players.PlayerIndexing(player, *players.indexing_progress(connection, player_ids))


def read_breakdown(connection_factory: Callable[[], Connection], query: ExplorerQuery) -> Breakdown:
    """query_breakdown through the explorer's cache; opens a connection only on a miss."""

    def compute() -> Breakdown:
        with connection_factory() as connection:
            return query_breakdown(connection, query)

    return memoized("breakdown|" + cache_key(query), compute)
