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
    return encode_clocks_many([clocks])[0]


def _pieces(data: bytes, lengths: np.ndarray, width: int) -> list[bytes]:
    ends = (np.cumsum(lengths) * width).tolist()
    return [data[a:b] for a, b in zip([0, *ends[:-1]], ends, strict=True)]


def encode_move_codes_many(parts: Sequence[np.ndarray]) -> list[bytes]:
    """encode_move_codes() of each part, in one numpy pass over all of them."""
    if not parts:
        return []
    lengths = np.fromiter((len(part) for part in parts), np.int64, len(parts))
    return _pieces(np.concatenate(parts).astype(_MOVE_DTYPE).tobytes(), lengths, _MOVE_DTYPE.itemsize)


def encode_clocks_many(parts: Sequence[Sequence[float] | None]) -> list[bytes | None]:
    """encode_clocks() of each game's clocks (None for one with no known clock), in one
    numpy pass over all of them."""
    present = [np.asarray(part, np.float64) for part in parts if part is not None]
    if not present:
        return [None] * len(parts)
    lengths = np.fromiter((len(part) for part in present), np.int64, len(present))
    values = np.concatenate(present)
    known = ~np.isnan(values)
    tenths = np.full(len(values), NO_CLOCK, dtype=np.uint64)
    tenths[known] = np.clip(np.round(values[known] * 10), 0, NO_CLOCK - 1).astype(np.uint64)
    ends = np.cumsum(lengths)
    seen = np.concatenate([[0], np.cumsum(known)])
    has_clock = (seen[ends] - seen[ends - lengths] > 0).tolist()
    pieces = _pieces(tenths.astype(_CLOCK_DTYPE).tobytes(), lengths, _CLOCK_DTYPE.itemsize)
    encoded = iter([piece if clock else None for piece, clock in zip(pieces, has_clock, strict=True)])
    return [None if part is None else next(encoded) for part in parts]


def decode_clocks(data: bytes | None) -> list[float | None]:
    """Remaining seconds per ply, None where unknown ([] when the game has no clocks)."""
    if not data:
        return []
    tenths = np.frombuffer(bytes(data), dtype=_CLOCK_DTYPE)
    return [None if value == NO_CLOCK else int(value) / 10 for value in tenths]


def is_known(seconds: float | None) -> bool:
    return seconds is not None and not math.isnan(seconds)
