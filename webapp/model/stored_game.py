"""A game's moves and clocks as the games table stores them: small integers in bytes.

Moves are 16-bit move codes (webapp.model.position.encode_move), two bytes a ply; clocks
are the mover's remaining time after each ply in tenths of a second, four bytes a ply, with
NO_CLOCK where the source gave none. Both little-endian, so numpy reads them in one call.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import chess
import numpy as np

from webapp.model.position import decode_move, encode_move

NO_CLOCK = 0xFFFFFFFF
_MOVE_DTYPE = np.dtype("<u2")
_CLOCK_DTYPE = np.dtype("<u4")


def encode_moves(moves: Sequence[str]) -> bytes:
    """UCI moves as two bytes each."""
    codes = [encode_move(chess.Move.from_uci(uci)) for uci in moves]
    return np.asarray(codes, dtype=_MOVE_DTYPE).tobytes()


def encode_move_codes(codes: Sequence[int] | np.ndarray) -> bytes:
    """Move codes (already encoded) as two bytes each."""
    return np.asarray(codes, dtype=_MOVE_DTYPE).tobytes()


def decode_move_codes(data: bytes) -> np.ndarray:
    return np.frombuffer(bytes(data), dtype=_MOVE_DTYPE)


def decode_moves(data: bytes) -> list[str]:
    """The UCI moves encode_moves() stored."""
    return [decode_move(int(code)).uci() for code in decode_move_codes(data)]


def encode_clocks(clocks: Sequence[float] | None) -> bytes | None:
    """Remaining seconds per ply (NaN unknown) in tenths; None when no ply has a clock."""
    if clocks is None:
        return None
    values = np.asarray(clocks, dtype=np.float64)
    known = ~np.isnan(values)
    if not known.any():
        return None
    tenths = np.full(len(values), NO_CLOCK, dtype=np.uint64)
    tenths[known] = np.clip(np.round(values[known] * 10), 0, NO_CLOCK - 1).astype(np.uint64)
    return tenths.astype(_CLOCK_DTYPE).tobytes()


def decode_clocks(data: bytes | None) -> list[float | None]:
    """Remaining seconds per ply, None where unknown ([] when the game has no clocks)."""
    if not data:
        return []
    tenths = np.frombuffer(bytes(data), dtype=_CLOCK_DTYPE)
    return [None if value == NO_CLOCK else int(value) / 10 for value in tenths]


def is_known(seconds: float | None) -> bool:
    return seconds is not None and not math.isnan(seconds)
