"""A game's moves and clocks as stored: two bytes a move, four bytes a clock."""

from __future__ import annotations

import math

import chess
import numpy as np

from webapp.model.stored_game import (
    decode_clocks,
    decode_moves,
    encode_clocks,
    encode_clocks_many,
    encode_move_codes,
    encode_move_codes_many,
    encode_moves,
)


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


def test_many_games_encode_as_each_alone() -> None:
    """A batch's clocks encoded at once, each game's tenths as it stored alone: games
    without clocks, with none known, with no plies, with some unknown, with values to
    round; and its moves as each game's encoded alone."""
    nan = float("nan")
    clocks = [None, [nan, nan], [], [180.0, nan, 179.95, 0.04], None, [5999.99], [nan, 1.25]]
    encoded = encode_clocks_many(clocks)
    assert [None if data is None else decode_clocks(data) for data in encoded] == [
        None, None, None, [180.0, None, 180.0, 0.0], None, [6000.0], [None, 1.2],
    ]  # fmt: skip  # tenths rounded half to even: 1799.5 -> 1800, 12.5 -> 12
    assert encoded == [encode_clocks(part) for part in clocks]
    assert encode_clocks_many([None, None]) == [None, None] and encode_clocks_many([]) == []
    codes = [np.array([12 | (28 << 6), 52 | (36 << 6)]), np.array([], np.int64), np.array([6 | (21 << 6)])]
    assert encode_move_codes_many(codes) == [encode_move_codes(part) for part in codes]
