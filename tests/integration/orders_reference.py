"""The move orders that reached a position, as python-chess reads the games: per game
that reached it within the indexed plies, the moves played before its first visit."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import chess
import chess.polyglot
from explorer_reference import RefGame, board_after, reference

_SCORE = {"1-0": 0, "1/2-1/2": 1, "0-1": 2}


def first_visit(game: RefGame, target: int, index_plies: int = 40) -> tuple[str, ...] | None:
    """The UCI moves before the game first reached the position (zobrist `target`)."""
    board = chess.Board()
    for ply, move in enumerate((*game.moves[:index_plies], None)):
        if chess.polyglot.zobrist_hash(board) == target:
            return tuple(m.uci() for m in game.moves[:ply])
        if move is None:
            return None
        board.push(move)
    return None


def move_orders(
    games: Iterable[RefGame], play: Sequence[str], index_plies: int = 40
) -> dict[tuple[str, ...], list[int]]:
    """Move order (UCI) → [white wins, draws, black wins] over the games that reached the
    position after `play`."""
    target = chess.polyglot.zobrist_hash(board_after(play))
    orders: dict[tuple[str, ...], list[int]] = {}
    for game in games:
        order = first_visit(game, target, index_plies)
        if order is not None:
            orders.setdefault(order, [0, 0, 0])[_SCORE[game.result]] += 1
    return orders


def san_of(uci: Sequence[str]) -> list[str]:
    board = chess.Board()
    out = []
    for text in uci:
        move = chess.Move.from_uci(text)
        out.append(board.san(move))
        board.push(move)
    return out


def expected_orders(games: Sequence[RefGame], play: Sequence[str], **filters: Any) -> dict[str, Any]:
    """The API's answer for the position after `play` under the filters (reference()'s
    names), computed from the games alone: orders by most games, then their UCI moves."""
    included: list[tuple[RefGame, int, str | None]] = []
    reference(games, play=play, included=included, **filters)
    orders = move_orders([game for game, _rating, _move in included], play)
    ranked = sorted(orders.items(), key=lambda item: (-sum(item[1]), item[0]))
    total = sum(sum(counts) for counts in orders.values())
    main = ranked[0][0] if ranked else ()

    def diverges(uci: tuple[str, ...]) -> int:
        same = 0
        while same < min(len(uci), len(main)) and uci[same] == main[same]:
            same += 1
        return same

    return {
        "fen": board_after(play).fen(),
        "games": total,
        "orders": [
            {
                "uci": list(uci), "san": san_of(uci), "games": sum(counts),
                "white": counts[0], "draws": counts[1], "black": counts[2],
                "share": round(sum(counts) / total, 4), "divergesAt": diverges(uci),
            }  # fmt: skip
            for uci, counts in ranked
        ],
        "unresolved": 0,
        "moreOrders": 0,  # the files have fewer than MAX_ORDERS orders into any position asked
        "moreGames": 0,
    }
