"""PGN text written by the explorer (exports): tag values escaped as the PGN standard says."""

from __future__ import annotations

import re
from collections.abc import Sequence

import chess
import chess.pgn

_LINE_BREAKS = re.compile(r"[\r\n\t\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def escape_tag_value(value: str) -> str:
    """A tag value safe between the quotes of `[Tag "..."]`: backslash and quote escaped
    (PGN standard 8.1.1), line breaks and other controls as spaces, so a stored name can
    never end the tag or start a new one."""
    return _LINE_BREAKS.sub(" ", value).replace("\\", "\\\\").replace('"', '\\"')


def write_pgn(
    tags: Sequence[tuple[str, str]],
    moves: Sequence[str],
    result: str,
    clocks: Sequence[float | None] = (),
) -> str:
    """One game as PGN text: the tags in order (values escaped), the moves in SAN with
    `[%clk h:mm:ss]` comments where a clock is known, and the result."""
    game = chess.pgn.Game()
    game.headers.clear()
    for name, value in tags:
        game.headers[name] = escape_tag_value(value)  # python-chess writes values as they are
    game.headers["Result"] = result
    node: chess.pgn.GameNode = game
    for index, uci in enumerate(moves):
        node = node.add_variation(chess.Move.from_uci(uci))
        seconds = clocks[index] if index < len(clocks) else None
        if seconds is not None:
            node.set_clock(seconds)
    return str(game) + "\n"


def game_text(tags: list[tuple[str, str]], moves: list[chess.Move], result: str) -> str:
    """One game as PGN, as python-chess's str(game) writes it (tags one a line, then the
    movetext on one line), without building a game tree: for exports of many games.

    `tags` are (name, value) with values already escaped; `moves` legal from the start.

    >>> game_text([("Result", "1-0")], [chess.Move.from_uci("e2e4")], "1-0")
    '[Result "1-0"]\\n\\n1. e4 1-0'
    """
    board = chess.Board()
    words: list[str] = []
    for move in moves:
        if board.turn == chess.WHITE:
            words.append(f"{board.fullmove_number}.")
        words.append(board.san_and_push(move))
    words.append(result)
    head = "\n".join(f'[{name} "{value}"]' for name, value in tags)
    return f"{head}\n\n{' '.join(words)}"
