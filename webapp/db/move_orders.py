"""The move orders that reached a position: its games split by the sequence of moves
played before they first reached it, with each order's results.

Every statistics row of all games carries its move order as a 32-bit hash (`path`,
webapp.indexer.rows.path_hashes). The position's rows under the query's filters are
summed per path in SQL, with one game reference of one of its rows (refs_sql.one_ref);
that game is replayed from its stored moves up to its first visit of the position,
which gives the order's moves. A path whose game does not reach the position by that
very order (a hash collision) is left out and counted as unresolved. Only the
MAX_ORDERS orders with most games are told; the rest are counted.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import chess
import numpy as np
from sqlalchemy import Connection, func, literal_column, select

from webapp.caching import memoized
from webapp.db.explorer import TIME_COLUMNS, cache_key, stat_rows
from webapp.db.refs_sql import one_ref
from webapp.db.tables import games
from webapp.indexer.rows import path_hashes
from webapp.model import game_refs
from webapp.model.endings import TIME_LOSS
from webapp.model.position import decode_move, position_key
from webapp.model.query import ExplorerQuery, QueryError
from webapp.model.stored_game import decode_move_codes

NOT_FOR_PLAYERS = "move orders are not available for a player view yet"
#: the orders told (most games first); each costs replaying one game's opening
MAX_ORDERS = 50


@dataclass(frozen=True)
class MoveOrder:
    """One sequence of moves that reached the position, and its games' results."""

    uci: tuple[str, ...]
    san: tuple[str, ...]
    white: int
    draws: int
    black: int
    #: the first ply where it leaves the most played order (its length for that one)
    diverges_at: int = 0

    @property
    def games(self) -> int:
        return self.white + self.draws + self.black


@dataclass(frozen=True)
class PositionOrders:
    """The position's games and their move orders, most games first."""

    fen: str
    games: int
    orders: tuple[MoveOrder, ...]
    unresolved: int  # orders whose moves could not be told (hash collisions), left out
    more_orders: int = 0  # the less played orders past MAX_ORDERS, not told
    more_games: int = 0  # ... and their games


def _order_sums(connection: Connection, query: ExplorerQuery, key: int) -> list[tuple[int, int, int, int, str | None]]:
    """Per path: white, draws, black (the games lost on time taken out when the query
    asks) and one of its games' reference (hex)."""
    rows = stat_rows(query, key, refs=True, bands=False, path=True)
    sums = [func.sum(rows.c.white), func.sum(rows.c.draws), func.sum(rows.c.black)]
    times = [func.coalesce(func.sum(rows.c[c]), 0) for c in TIME_COLUMNS] if query.no_time_losses else []
    first_ref = literal_column(one_ref("refs", connection.dialect.name))
    statement = select(rows.c.path, *sums, *times, first_ref).select_from(rows).group_by(rows.c.path)
    out = []
    for row in connection.execute(statement):
        path, white, draws, black = (int(v) for v in row[:4])
        if query.no_time_losses:
            lost = dict(zip(TIME_COLUMNS, (int(v) for v in row[4:-1]), strict=True))
            white -= lost[TIME_LOSS["white"]]
            black -= lost[TIME_LOSS["black"]]
        out.append((path, white, draws, black, row[-1]))
    return out


def _visit(codes: np.ndarray, path: int, key: int) -> tuple[list[str], list[str]] | None:
    """The UCI and SAN moves by which the game reached the position with that path: the
    prefixes' paths are hashed at once, and only the first matching prefix is replayed
    (then checked against the position's key: a colliding hash is not taken)."""
    n = len(codes)
    move = np.append(codes.astype(np.int64), 0)
    prefixes = path_hashes(move, np.arange(n + 1, dtype=np.int64), np.zeros(1, np.int64), np.array([n + 1]))
    for ply in np.flatnonzero(prefixes == path)[:3].tolist():
        board = chess.Board()
        uci: list[str] = []
        san: list[str] = []
        for code in codes[:ply].tolist():
            chosen = decode_move(code)
            uci.append(chosen.uci())
            san.append(board.san(chosen))
            board.push(chosen)
        if position_key(board) == key:
            return uci, san
    return None


def _diverges_at(order: Sequence[str], main: Sequence[str]) -> int:
    for ply, (a, b) in enumerate(zip(order, main, strict=False)):
        if a != b:
            return ply
    return min(len(order), len(main))


def query_move_orders(connection: Connection, query: ExplorerQuery) -> PositionOrders:
    """The move orders of the query's position under its filters, straight from the database."""
    if query.player:
        raise QueryError(NOT_FOR_PLAYERS)
    board = query.board()
    key = position_key(board)
    sums = [s for s in _order_sums(connection, query, key) if s[1] + s[2] + s[3] > 0]
    total = sum(s[1] + s[2] + s[3] for s in sums)
    sums.sort(key=lambda s: (-(s[1] + s[2] + s[3]), s[0]))
    sums, rest = sums[:MAX_ORDERS], sums[MAX_ORDERS:]
    game_of = {}
    for path, *_counts, refs in sums:
        entries = game_refs.decode(None if refs is None else bytes.fromhex(refs))
        if len(entries):
            game_of[path] = int(entries["id"][0])
    stored: dict[int, bytes] = {}
    if game_of:
        chosen = select(games.c.id, games.c.moves).where(games.c.id.in_(sorted(set(game_of.values()))))
        stored = {int(gid): bytes(moves) for gid, moves in connection.execute(chosen)}
    found: list[MoveOrder] = []
    unresolved = 0
    for path, white, draws, black, _refs in sums:
        data = stored.get(game_of.get(path, -1))
        visit = None if data is None else _visit(decode_move_codes(data), path, key)
        if visit is None:
            unresolved += 1
            continue
        found.append(MoveOrder(tuple(visit[0]), tuple(visit[1]), white, draws, black))
    found.sort(key=lambda o: (-o.games, o.uci))
    main = found[0].uci if found else ()
    ordered = tuple(
        MoveOrder(o.uci, o.san, o.white, o.draws, o.black, _diverges_at(o.uci, main)) for o in found
    )
    return PositionOrders(
        fen=board.fen(), games=total, orders=ordered, unresolved=unresolved,
        more_orders=len(rest), more_games=sum(s[1] + s[2] + s[3] for s in rest),
    )  # fmt: skip


def read_move_orders(connection_factory: Callable[[], Connection], query: ExplorerQuery) -> PositionOrders:
    """query_move_orders through the explorer's cache; opens a connection only on a miss."""
    if query.player:
        raise QueryError(NOT_FOR_PLAYERS)

    def compute() -> PositionOrders:
        with connection_factory() as connection:
            return query_move_orders(connection, query)

    return memoized("move-orders|" + cache_key(query), compute)
