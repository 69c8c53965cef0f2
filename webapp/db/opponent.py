"""Opponent prep: an opponent's moves from the shown position, the line they steer to, and
the positions they reach often and score worst in (their leaks, seen from your side).

Everything is read from the opponent's own statistics rows (player_move_stats, every
linked account as one opponent via find_player_ids) with the opponent's colour, the one
you will not have: at the opponent's turn the rows' moves are theirs, at yours the
replies played against them. The leaks are webapp.db.leaks.find_leaks for the opponent.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import chess
from sqlalchemy import Connection, func, select

from webapp.caching import memoized
from webapp.db.explorer import cache_key
from webapp.db.leaks import (
    Leak,
    _filters_key,
    _player_conditions,
    _player_ids,
    _player_table,
    read_leaks,
)
from webapp.model.position import NO_MOVE, decode_move, position_key
from webapp.model.query import ExplorerQuery, QueryError
from webapp.model.scores import Score

#: the likely line stops after this many plies, or where the most played move has fewer games
LINE_PLIES = 10
LINE_MIN_GAMES = 2
#: the opponent's leaks searched (over all their positions, most points lost first) before keeping
#: those past the shown one: 60 costs 1.7 s once for a 37k-game player, 200 costs 5.8 s
LEAKS_SEARCHED = 60
LEAKS_SHOWN = 10


@dataclass(frozen=True)
class OpponentMove:
    """A next move in the opponent's games: its games and the opponent's score after it."""

    uci: str
    san: str
    score: Score  # the opponent's


@dataclass(frozen=True)
class LineStep:
    """One ply of the likely line: who moves, the move, the games that played it here."""

    uci: str
    san: str
    mover: str  # "opponent" or "you"
    score: Score  # the opponent's, over the games that played it
    play: tuple[str, ...]  # the line from the query's start up to and with this move


@dataclass(frozen=True)
class OpponentPrep:
    """What to expect from `opponent` (colour `opponent_color`) from the query's position."""

    opponent: str
    color: str  # yours
    opponent_color: str
    fen: str
    to_move: str  # "opponent" or "you"
    position: Score  # the opponent's games and score at the position
    moves: tuple[OpponentMove, ...]
    line: tuple[LineStep, ...]


def other_color(color: str) -> str:
    return "black" if color == "white" else "white"


def opponent_query(query: ExplorerQuery) -> ExplorerQuery:
    """The explorer query of the opponent's games: `query.player` is the opponent and
    `query.color` your colour, so the opponent's is the other one."""
    if not query.player:
        raise QueryError("player is required: the opponent to prepare against")
    if query.color not in ("white", "black"):
        raise QueryError("color is required (white or black): the colour you will have")
    return replace(query, color=other_color(query.color))


def _moves_at(connection: Connection, query: ExplorerQuery, ids: tuple[int, ...], board: chess.Board,
              color: str) -> tuple[Score, list[OpponentMove]]:
    """The opponent's games at the board's position (their score) and per next move."""
    table = _player_table(query)
    rows = connection.execute(
        select(table.c.move, func.sum(table.c.white), func.sum(table.c.draws), func.sum(table.c.black))
        .where(table.c.position_key == position_key(board), *_player_conditions(query, ids))
        .group_by(table.c.move)
    ).all()
    total = [0, 0, 0]
    moves: list[OpponentMove] = []
    for code, white, draws, black in rows:
        counts = (int(white), int(draws), int(black))
        total = [a + b for a, b in zip(total, counts, strict=True)]
        if code == NO_MOVE:
            continue
        move = decode_move(int(code))
        if move not in board.legal_moves:  # a key collision with another position
            continue
        moves.append(OpponentMove(move.uci(), board.san(move), Score.for_color(*counts, color)))
    moves.sort(key=lambda m: (-m.score.games, m.uci))
    return Score.for_color(total[0], total[1], total[2], color), moves


def prepare(connection: Connection, query: ExplorerQuery) -> OpponentPrep:
    """The opponent's moves here and the likely line (PlayerNotFound, PlayerIndexing as the
    player view raises them)."""
    opponent = opponent_query(query)
    color = opponent.color or "white"
    ids = _player_ids(connection, opponent.player or "")
    board = query.board()
    opponent_turn = chess.WHITE if color == "white" else chess.BLACK
    position, moves = _moves_at(connection, opponent, ids, board, color)
    line: list[LineStep] = []
    played = list(query.play)
    walk = board.copy(stack=False)
    found = moves
    for _ply in range(LINE_PLIES):
        if not found or found[0].score.games < LINE_MIN_GAMES:
            break
        best = found[0]
        mover = "opponent" if walk.turn == opponent_turn else "you"
        played.append(best.uci)
        line.append(LineStep(best.uci, best.san, mover, best.score, tuple(played)))
        walk.push(chess.Move.from_uci(best.uci))
        _score, found = _moves_at(connection, opponent, ids, walk, color)
    return OpponentPrep(
        opponent=opponent.player or "",
        color=query.color or "",
        opponent_color=color,
        fen=board.fen(),
        to_move="opponent" if board.turn == opponent_turn else "you",
        position=position,
        moves=tuple(moves),
        line=tuple(line),
    )


def read_prep(connection_factory: Callable[[], Connection], query: ExplorerQuery) -> OpponentPrep:
    """prepare() through the explorer's cache."""

    def compute() -> OpponentPrep:
        with connection_factory() as connection:
            return prepare(connection, query)

    return memoized("opponent|" + cache_key(query), compute)


def _line_keys(play: tuple[str, ...]) -> frozenset[int]:
    board = chess.Board()
    keys = {position_key(board)}
    for uci in play:
        board.push_uci(uci)
        keys.add(position_key(board))
    return frozenset(keys)


def read_opponent_leaks(
    connection_factory: Callable[[], Connection], query: ExplorerQuery, *, index_plies: int = 40,
    limit: int = LEAKS_SHOWN,
) -> tuple[int | None, list[Leak]]:
    """The opponent's rating and their leaks whose line (as find_leaks found it, through
    their own move tree) passes through the query's position or starts past it: positions
    with the opponent to move where they score below peers, most points lost first.

    The search over all their positions is memoized apart from the position shown, so
    moving about the board only filters it.
    """
    opponent = opponent_query(query)

    def search() -> tuple[int | None, list[tuple[Leak, frozenset[int]]]]:
        found = read_leaks(connection_factory, opponent, index_plies=index_plies, limit=LEAKS_SEARCHED)
        return found.rating, [(leak, _line_keys(leak.play)) for leak in found.leaks]

    rating, paths = memoized(_filters_key("opponent-leaks", opponent, f"{index_plies}-{LEAKS_SEARCHED}"), search)
    here = position_key(query.board())
    return rating, [leak for leak, keys in paths if here in keys][:limit]
