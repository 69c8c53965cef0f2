"""PGN written without a game tree reads exactly as python-chess's own str(game)."""

from __future__ import annotations

import chess
import chess.pgn

from webapp.model.pgn_text import game_text

# castling both ways, a capture en passant, a promotion with check, and mate
MOVES = ("e2e4 d7d5 e4e5 f7f5 e5f6 g8f6 g1f3 e7e6 f1d3 f8e7 e1g1 b8c6 b1c3 d8d6 d1e2 c8d7 "
         "b2b3 e8c8 c1b2 h7h5 a1e1 g7g5 c3b5 g5g4 b5d6 g4f3 d6f7 f3g2 f7d8 g2f1q").split()


def _reference(tags: list[tuple[str, str]], moves: list[chess.Move], result: str) -> str:
    game = chess.pgn.Game()
    for name, value in tags:
        game.headers[name] = value
    game.headers["Result"] = result
    node = game
    for move in moves:
        node = node.add_variation(move)
    return str(game)


def test_a_game_reads_as_python_chess_writes_it() -> None:
    moves = [chess.Move.from_uci(uci) for uci in MOVES]
    tags = [("Event", "Test"), ("Site", "?"), ("Date", "2024.01.02"), ("Round", "?"),
            ("White", 'A \\"B\\"'), ("Black", "C"), ("Result", "0-1"), ("WhiteElo", "1500")]
    text = game_text(tags, moves, "0-1")
    assert text == _reference(tags, moves, "0-1")
    assert "e5xf6" not in text and "exf6" in text and "O-O-O" in text and "gxf1=Q+" in text
    # a game that ends in mate: the '#' comes from the board, not from python-chess's tree
    mate = [chess.Move.from_uci(u) for u in "f2f3 e7e5 g2g4 d8h4".split()]
    tags = [("Event", "?"), ("Site", "?"), ("Date", "????.??.??"), ("Round", "?"), ("White", "?"),
            ("Black", "?"), ("Result", "0-1")]
    assert game_text(tags, mate, "0-1") == _reference(tags, mate, "0-1")
    assert game_text(tags, mate, "0-1").endswith("1. f3 e5 2. g4 Qh4# 0-1")
    assert game_text([("Result", "*")], [], "*") == '[Result "*"]\n\n*'
