"""A game's moves and clocks as stored: two bytes a move; clocks as each mover's changes, a
byte a ply for most moves."""

from __future__ import annotations

import math

import chess
import numpy as np
import pytest

from webapp.model.stored_game import (
    clock_seconds_many,
    decode_clocks,
    decode_moves,
    encode_clocks,
    encode_clocks_many,
    encode_move_codes,
    encode_move_codes_many,
    encode_moves,
    four_byte_clock_seconds_many,
    four_byte_clocks,
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
    assert decode_clocks(data) == [180.0, 178.5, None, 0.0, 259200.0]
    # tenths (178.5 is no whole second), then a varint a ply: 0 unknown, else 1 + the
    # zigzagged change since the mover's last known clock. White: 1800 -> 3601, unknown,
    # 2592000 - 1800 -> 5180401; black: 1785 -> 3571, 0 - 1785 -> 3570
    assert data == bytes([1, 0x91, 0x1C, 0xF3, 0x1B, 0, 0xF2, 0x1B, 0xF1, 0x97, 0xBC, 0x02])


def test_whole_seconds_take_a_byte_a_ply() -> None:
    """A blitz game's %clk (whole seconds): each move's change fits one byte."""
    clocks = [180.0, 180.0, 178.0, 175.0, 170.0, 171.0, 150.0, 168.0]
    data = encode_clocks(clocks)
    assert data is not None and data[0] == 2 and len(data) == 1 + 2 + 2 + 6
    assert decode_clocks(data) == clocks
    assert clock_seconds_many([None, data, b""])[1].tolist() == clocks  # type: ignore[union-attr]
    assert clock_seconds_many([None, None]) == [None, None] and clock_seconds_many([]) == []


def test_clocks_as_the_four_byte_form_read_them() -> None:
    """Random games' clocks (tenths or whole seconds, some unknown, some huge) come back as
    the tenths the four-byte form kept, alone and many at once."""
    rng = np.random.default_rng(7)
    games = []
    for _ in range(300):
        plies = int(rng.integers(1, 120))
        seconds = rng.integers(0, 2**32 // 10, 2).repeat(plies // 2 + 1)[:plies] - np.cumsum(rng.integers(-30, 600, plies))
        seconds = np.clip(seconds, 0, None) / (10 if rng.random() < 0.5 else 1)
        seconds[rng.random(plies) < 0.1] = math.nan
        games.append(seconds)
    expected = four_byte_clock_seconds_many([four_byte_clocks(seconds) for seconds in games])
    encoded = encode_clocks_many(games)
    for stored, want, seconds in zip(encoded, expected, games, strict=True):
        if np.isnan(seconds).all():
            assert stored is None
            continue
        assert stored is not None
        assert np.array_equal(clock_seconds_many([stored])[0], want, equal_nan=True)  # type: ignore[arg-type]
        assert decode_clocks(stored) == [None if math.isnan(v) else v for v in want.tolist()]  # type: ignore[union-attr]
    together = clock_seconds_many(encoded)
    for one, want in zip(together, expected, strict=True):
        assert one is None or np.array_equal(one, want, equal_nan=True)  # type: ignore[arg-type]


def test_clocks_not_stored_by_encode_clocks_are_refused() -> None:
    for data in (b"\x07\x01", b"\x02\x81"):  # no such unit; a number cut short
        with pytest.raises(ValueError):
            decode_clocks(data)


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
