"""How games ended, straight from PGN files with python-chess: the reference the endings
tests compare the API with. Nothing here uses the webapp package; the rules are written
out again from the issue and the sources' documentation:

- the final position first: a decisive game ending in checkmate is a mate, a drawn game
  ending in stalemate a stalemate;
- chess.com's Termination sentences ("X won by resignation", "Game drawn by repetition",
  "X won on time", "Game drawn by timeout vs insufficient material", ...);
- lichess's Termination tag: "Time forfeit" (a win on time, or a draw when the flagged
  side's opponent could not mate), "Abandoned", "Rules infraction" (no known kind),
  "Normal" (a resignation when decisive; when drawn, insufficient material or a 50-move
  count by the final position, else an agreement);
- no tag: a draw by insufficient material or 50 moves by the final position, else unknown.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import chess
import chess.pgn
import chess.polyglot
from read_once import read_once

SIDE = {"1-0": "white", "0-1": "black", "1/2-1/2": "draws"}
DECISIVE_KINDS = ("checkmate", "resignation", "time", "abandonment")
DRAW_KINDS = ("agreement", "repetition", "stalemate", "insufficientMaterial", "fiftyMoves", "timeoutVsInsufficient")
_CHESSCOM = (  # (words, kind), the more specific first
    ("won by checkmate", "checkmate"),
    ("won by resignation", "resignation"),
    ("won by abandonment", "abandonment"),
    ("won on time", "time"),
    ("timeout vs insufficient material", "timeoutVsInsufficient"),
    ("drawn by agreement", "agreement"),
    ("drawn by repetition", "repetition"),
    ("drawn by stalemate", "stalemate"),
    ("drawn by insufficient material", "insufficientMaterial"),
    ("drawn by 50-move rule", "fiftyMoves"),
)


@dataclass(frozen=True)
class EndedGame:
    """A game's players, result, how it ended (None: no known kind), and its positions."""

    white: str
    black: str
    result: str
    kind: str | None
    visits: dict[int, str | None] = field(default_factory=dict, compare=False)


def ending_kind(tag: str | None, result: str, board: chess.Board) -> str | None:
    """The kind of ending, by the rules above; None when none of the known kinds fits."""
    side = SIDE[result]
    if side != "draws" and board.is_checkmate():
        return "checkmate"
    if side == "draws" and board.is_stalemate():
        return "stalemate"
    text = (tag or "").strip().lower()
    for words, kind in _CHESSCOM:
        if words in text:
            return kind if (kind in DRAW_KINDS) == (side == "draws") else None
    if text == "time forfeit":
        return "timeoutVsInsufficient" if side == "draws" else "time"
    if text == "abandoned":
        return None if side == "draws" else "abandonment"
    if text == "normal" and side != "draws":
        return "resignation"
    if side == "draws":
        if board.is_insufficient_material():
            return "insufficientMaterial"
        if board.halfmove_clock >= 100:
            return "fiftyMoves"
        if text == "normal":
            return "agreement"
    return None


@read_once
def read_ended_games(paths: Iterable[Path], *, index_plies: int = 40) -> list[EndedGame]:
    """The standard games with moves and a result, once per game link (chess.com's Link,
    else the Site URL), with how they ended and the positions of their first plies."""
    games: list[EndedGame] = []
    seen: set[str] = set()
    for path in paths:
        # chess.com's exports may start a game's tags on the line after the last game's
        # moves; python-chess needs the blank line between them
        text = re.sub(r"\n(?=\[Event )", "\n\n", Path(path).read_text(encoding="utf-8"))
        with io.StringIO(text) as handle:
            while (game := chess.pgn.read_game(handle)) is not None:
                headers = game.headers
                if headers.get("Variant", "Standard").lower() not in ("standard", "") or "FEN" in headers:
                    continue
                if headers.get("Result") not in SIDE or game.errors or game.next() is None:
                    continue
                link = headers.get("Link") or headers.get("Site", "")
                if link in seen:
                    continue
                seen.add(link)
                moves = list(game.mainline_moves())
                board = chess.Board()
                visits: dict[int, str | None] = {}
                for ply, move in enumerate(moves):
                    if ply < index_plies:
                        visits.setdefault(chess.polyglot.zobrist_hash(board), move.uci())
                    board.push(move)
                    if ply + 1 == index_plies:
                        visits.setdefault(chess.polyglot.zobrist_hash(board), None)
                if len(moves) < index_plies:
                    visits.setdefault(chess.polyglot.zobrist_hash(board), None)
                games.append(
                    EndedGame(
                        white=headers["White"].lower(),
                        black=headers["Black"].lower(),
                        result=headers["Result"],
                        kind=ending_kind(headers.get("Termination"), headers["Result"], board),
                        visits=visits,
                    )
                )
    return games


def _empty() -> dict[str, dict[str, int]]:
    return {
        "white": {k: 0 for k in (*DECISIVE_KINDS, "other")},
        "draws": {k: 0 for k in (*DRAW_KINDS, "other")},
        "black": {k: 0 for k in (*DECISIVE_KINDS, "other")},
    }


def endings_reference(
    games: Sequence[EndedGame],
    play: Sequence[str] = (),
    *,
    player: str | None = None,
    color: str | None = None,
    no_time_losses: bool = False,
) -> dict[str, dict]:
    """For the position after `play`: "position" and each next move's UCI → the API's
    shape {"white", "draws", "black", "endings": {side: {kind: n, "other": n}}}."""
    board = chess.Board()
    for uci in play:
        board.push_uci(uci)
    key = chess.polyglot.zobrist_hash(board)
    found: dict[str, dict] = {}
    for game in games:
        if key not in game.visits:
            continue
        if player is not None:
            sides = [c for c in ("white", "black") if getattr(game, c) == player and color in (None, c)]
            if not sides:
                continue
        side = SIDE[game.result]
        if no_time_losses and game.kind == "time":
            continue
        move = game.visits[key]
        for name in ("position", *([move] if move else [])):
            entry = found.setdefault(name, {"white": 0, "draws": 0, "black": 0, "endings": _empty()})
            entry[side] += 1
            entry["endings"][side][game.kind or "other"] += 1
    return found
