"""Opponent prep counted straight from PGN games with python-chess (explorer_reference's
games): the opponent's moves at a position, the likely line, a leak's counts. Nothing
from webapp is used."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

import chess
import chess.polyglot
from explorer_reference import RefGame, board_after

LINE_PLIES, LINE_MIN_GAMES = 10, 2


def _opponents_games(games: Sequence[RefGame], names: Collection[str], color: str,
                     speeds: Collection[str] = ()) -> list[RefGame]:
    return [g for g in games if (g.white if color == "white" else g.black) in names
            and (not speeds or g.speed in speeds)]


def _score(results: list[str], color: str) -> dict[str, int]:
    won = "1-0" if color == "white" else "0-1"
    wins = sum(1 for r in results if r == won)
    draws = sum(1 for r in results if r == "1/2-1/2")
    return {"games": len(results), "wins": wins, "draws": draws, "losses": len(results) - wins - draws}


def at_position(games: Sequence[RefGame], names: Collection[str], color: str, board: chess.Board,
                speeds: Collection[str] = ()) -> tuple[dict[str, int], list[dict[str, Any]]]:
    """The opponent's (colour `color`) games and score at the board, and per next move
    (most games first, then by UCI)."""
    key = chess.polyglot.zobrist_hash(board)
    here = [g for g in _opponents_games(games, names, color, speeds) if key in g.visits]
    per_move: dict[str, list[str]] = {}
    for game in here:
        move = game.visits[key]
        if move is not None:
            per_move.setdefault(move, []).append(game.result)
    moves = [{"uci": uci, **_score(results, color)} for uci, results in per_move.items()]
    moves.sort(key=lambda m: (-m["games"], m["uci"]))
    return _score([g.result for g in here], color), moves


def likely_line(games: Sequence[RefGame], names: Collection[str], color: str, play: Sequence[str],
                speeds: Collection[str] = ()) -> list[dict[str, Any]]:
    """Each step the most played move in the opponent's games, until fewer than 2 games or 10 plies."""
    board = board_after(play)
    mine = chess.WHITE if color == "white" else chess.BLACK
    line: list[dict[str, Any]] = []
    for _ in range(LINE_PLIES):
        _total, moves = at_position(games, names, color, board, speeds)
        if not moves or moves[0]["games"] < LINE_MIN_GAMES:
            break
        step = moves[0]
        line.append({**step, "mover": "opponent" if board.turn == mine else "you"})
        board.push_uci(step["uci"])
    return line


def opponent_rating(games: Sequence[RefGame], names: Collection[str], color: str) -> int | None:
    """The opponent's average own rating as `color` (games with both ratings known)."""
    own = [(g.white_rating if color == "white" else g.black_rating) for g in _opponents_games(games, names, color)
           if g.white_rating is not None and g.black_rating is not None]
    return round(sum(own) / len(own)) if own else None  # type: ignore[arg-type]


def peers_at(games: Sequence[RefGame], names: Collection[str], fen: str, bands: tuple[int, int],
             color: str) -> dict[str, int]:
    """Peers' games at the position: every game whose mean rating band is within `bands`,
    none of the opponent's own (whatever colour they had), scored for `color`."""
    key = chess.polyglot.zobrist_hash(chess.Board(fen))
    results = []
    for g in games:
        if key not in g.visits or g.white in names or g.black in names:
            continue
        if g.white_rating is None or g.black_rating is None:
            continue
        if bands[0] <= (g.white_rating + g.black_rating) // 2 // 100 <= bands[1]:
            results.append(g.result)
    return _score(results, color)
