"""A game's moves and clocks as stored: two bytes a move, four bytes a clock."""

from __future__ import annotations

import math

import chess

from webapp.model.stored_game import decode_clocks, decode_moves, encode_clocks, encode_moves


def test_moves_round_trip_with_castling_promotion_and_en_passant() -> None:
    # a legal game: en passant (e5d6), castling both ways, a capture promoting to a queen
    moves = "e2e4 g8f6 e4e5 d7d5 e5d6 e7e6 d6c7 f8e7 c7b8q e8g8 g1f3 d8d5 f1e2 c8d7 e1g1".split()
    board = chess.Board()
    for uci in moves:
        board.push_uci(uci)
    data = encode_moves(moves)
    assert len(data) == 2 * len(moves)
    assert decode_moves(data) == moves


def test_underpromotions_keep_their_piece() -> None:
    assert decode_moves(encode_moves(["a7a8n", "h2h1r", "b7b8b"])) == ["a7a8n", "h2h1r", "b7b8b"]


def test_clocks_in_tenths_with_gaps() -> None:
    data = encode_clocks([180.0, 178.5, math.nan, 0.0, 86400.0 * 3])
    assert data is not None and len(data) == 20
    assert decode_clocks(data) == [180.0, 178.5, None, 0.0, 259200.0]


def test_no_clock_at_all_stores_nothing() -> None:
    assert encode_clocks(None) is None
    assert encode_clocks([math.nan, math.nan]) is None
    assert decode_clocks(None) == []
