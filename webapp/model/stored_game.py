"""A game's moves and clocks as the games table stores them: small integers in bytes.

Moves are 16-bit move codes (webapp.model.position.encode_move), two bytes a ply,
little-endian, so numpy reads them in one call. Clocks are the mover's remaining time
after each ply in tenths of a second, kept as what changed since the same player's
previous known clock: one byte a ply for most moves instead of four (encode_clocks).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import chess
import numpy as np

from webapp.model.position import decode_move, encode_move

#: the largest clock kept, in tenths (larger ones are kept as this)
MAX_TENTHS = 0xFFFFFFFE
#: the first byte of a game's clocks: the unit of the numbers after it, in tenths. Whole
#: seconds (a lichess or chess.com %clk) take fewer bytes counted as seconds.
UNITS = {1: 1, 2: 10}
_UNIT_BYTE = {unit: byte for byte, unit in UNITS.items()}
_MOVE_DTYPE = np.dtype("<u2")
_VARINT_BITS = 7
_VARINT_MORE = 0x80
_VARINT_BYTES = 5  # a code is below 2**35: a zigzagged change of at most MAX_TENTHS, plus one


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


def clock_tenths_of(seconds: np.ndarray) -> np.ndarray:
    """Clocks in seconds as the whole tenths the games table keeps them (rounded half to
    even, within 0..MAX_TENTHS), 0 where unknown (NaN)."""
    return np.clip(np.round(np.nan_to_num(seconds, nan=0.0) * 10), 0, MAX_TENTHS).astype(np.int64)


def encode_clocks_many(parts: Sequence[Sequence[float] | None]) -> list[bytes | None]:
    """encode_clocks() of each game's clocks (None for one with no known clock), in one
    numpy pass over all of them.

    A game's clocks are a unit byte (UNITS: tenths, or whole seconds when every known clock
    is one), then one varint a ply: 0 for an unknown clock, else 1 + the zigzagged change
    from the mover's previous known clock (from 0 at their first)."""
    present = [np.asarray(part, np.float64) for part in parts if part is not None]
    if not present:
        return [None] * len(parts)
    lengths = np.fromiter((len(part) for part in present), np.int64, len(present))
    values = np.concatenate(present)
    known = ~np.isnan(values)
    tenths = clock_tenths_of(values)
    game = np.repeat(np.arange(len(present)), lengths)
    ends = np.cumsum(lengths)
    starts = ends - lengths
    has_clock = _any_in(known, starts, ends)
    fractional = _any_in(known & (tenths % 10 != 0), starts, ends)
    unit = np.where(fractional, 1, 10)
    within = np.arange(len(values)) - starts[game]
    changes = _change_codes(tenths // unit[game], known, within)
    # each game's unit byte, then its plies' codes: one varint stream cut into games
    heads = starts + np.arange(len(present))
    codes = np.empty(len(values) + len(present), np.int64)
    codes[heads] = np.where(fractional, _UNIT_BYTE[1], _UNIT_BYTE[10])
    codes[np.arange(len(values)) + game + 1] = changes
    data, sizes = _varints(codes)
    game_sizes = np.add.reduceat(sizes, heads)
    pieces = _pieces(data, game_sizes, 1)
    encoded = iter([piece if clock else None for piece, clock in zip(pieces, has_clock.tolist(), strict=True)])
    return [None if part is None else next(encoded) for part in parts]


def _any_in(flags: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """Per range [start, end) of `flags`: whether any is set."""
    seen = np.zeros(len(flags) + 1, np.int64)
    np.cumsum(flags, out=seen[1:])
    return seen[ends] > seen[starts]


def _change_codes(values: np.ndarray, known: np.ndarray, within: np.ndarray) -> np.ndarray:
    """Per ply (games one after another, `within` the ply in its game): 0 where unknown,
    else 1 + zigzag(value - the mover's previous known value in the game, 0 at their first)."""
    if known.all():  # the usual game: the mover's previous clock is two plies back
        before = np.zeros(len(values), np.int64)
        before[2:] = values[:-2]
        change = values - np.where(within < 2, 0, before)
        return ((change << 1) ^ (change >> 63)) + 1
    changes = np.zeros(len(values), np.int64)
    for parity in (0, 1):  # each mover's plies, in order, one game after another
        plies = np.flatnonzero(within % 2 == parity)
        value, is_known = values[plies], known[plies]
        index = np.arange(len(plies))
        mover_start = np.maximum.accumulate(np.where(within[plies] < 2, index, 0))
        last_known = np.maximum.accumulate(np.where(is_known, index, -1))
        previous = np.full(len(plies), -1)
        previous[1:] = last_known[:-1]
        before = np.where(previous >= mover_start, value[np.maximum(previous, 0)], 0)
        change = value - before
        changes[plies] = np.where(is_known, ((change << 1) ^ (change >> 63)) + 1, 0)
    return changes


def _varints(codes: np.ndarray) -> tuple[bytes, np.ndarray]:
    """Non-negative integers as little-endian base-128 varints, one after another, and
    each one's size in bytes."""
    sizes = np.ones(len(codes), np.int64)
    large = np.flatnonzero(codes >= _VARINT_MORE)  # most numbers take one byte
    for more in range(1, _VARINT_BYTES):
        sizes[large] += codes[large] >= 1 << (_VARINT_BITS * more)
    starts = np.cumsum(sizes) - sizes
    data = np.empty(int(sizes.sum()), np.uint8)
    data[starts] = (codes & (_VARINT_MORE - 1)) | np.where(sizes > 1, _VARINT_MORE, 0)
    for more in range(1, _VARINT_BYTES):  # the few numbers of 128 and over: their next bytes
        longer = np.flatnonzero(sizes > more)
        part = (codes[longer] >> (_VARINT_BITS * more)) & (_VARINT_MORE - 1)
        data[starts[longer] + more] = part | np.where(sizes[longer] > more + 1, _VARINT_MORE, 0)
    return data.tobytes(), sizes


def clock_tenths_many(parts: Sequence[bytes]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Stored clocks of many games (each one encode_clocks() gave) in one numpy pass: every
    ply's tenths and whether it is known, games one after another, and each game's plies."""
    if not parts:
        return np.zeros(0, np.int64), np.zeros(0, bool), np.zeros(0, np.int64)
    octets = np.frombuffer(b"".join(bytes(part) for part in parts), np.uint8).astype(np.int64)
    sizes = np.fromiter((len(part) for part in parts), np.int64, len(parts))
    heads = np.cumsum(sizes) - sizes
    if (sizes == 0).any() or not np.isin(octets[heads], list(UNITS)).all():
        raise ValueError("not a game's clocks as the games table keeps them")
    ends = np.flatnonzero(octets < _VARINT_MORE)  # every number's last byte (a unit byte is one)
    if len(ends) == 0 or ends[-1] != len(octets) - 1:
        raise ValueError("a game's clocks end within a number")
    starts = np.concatenate([[0], ends[:-1] + 1])
    within = np.arange(len(octets)) - np.repeat(starts, ends - starts + 1)
    codes = np.add.reduceat((octets & (_VARINT_MORE - 1)) << (_VARINT_BITS * within), starts)
    is_head = np.zeros(len(starts), bool)
    is_head[np.searchsorted(starts, heads)] = True
    game = np.cumsum(is_head) - 1
    unit = np.fromiter((UNITS[int(byte)] for byte in octets[heads]), np.int64, len(parts))
    codes, game = codes[~is_head], game[~is_head]
    plies = np.bincount(game, minlength=len(parts))
    known = codes > 0
    zigzag = np.maximum(codes - 1, 0)
    change = np.where(known, (zigzag >> 1) ^ -(zigzag & 1), 0)
    first = np.cumsum(plies) - plies
    ply = np.arange(len(codes)) - first[game]
    tenths = np.empty(len(codes), np.int64)
    for parity in (0, 1):  # a running sum over each mover's plies, from 0 in each game
        mine = np.flatnonzero(ply % 2 == parity)
        total = np.cumsum(change[mine])
        at_start = np.maximum.accumulate(np.where(ply[mine] < 2, np.arange(len(mine)), 0))
        tenths[mine] = total - total[at_start] + change[mine][at_start]
    return tenths * unit[game], known, plies


def clock_tenths(data: bytes) -> tuple[np.ndarray, np.ndarray]:
    """A game's stored clocks: each ply's tenths and whether it is known."""
    tenths, known, _plies = clock_tenths_many([data])
    return tenths, known


def decode_clocks(data: bytes | None) -> list[float | None]:
    """Remaining seconds per ply, None where unknown ([] when the game has no clocks)."""
    if not data:
        return []
    tenths, known = clock_tenths(data)
    return [value / 10 if is_set else None for value, is_set in zip(tenths.tolist(), known.tolist(), strict=True)]


def clock_seconds_many(parts: Sequence[bytes | None]) -> list[np.ndarray | None]:
    """Each game's stored clocks as seconds with NaN unknown (None when it has none)."""
    stored = [bytes(part) for part in parts if part]
    tenths, known, plies = clock_tenths_many(stored)
    seconds = np.where(known, tenths / 10, np.nan)
    ends = np.cumsum(plies)
    games = iter([seconds[a:b] for a, b in zip((ends - plies).tolist(), ends.tolist(), strict=True)])
    return [next(games) if part else None for part in parts]


#: the four-byte form's unknown clock (before migration 0017)
FOUR_BYTE_NO_CLOCK = 0xFFFFFFFF


def four_byte_clock_seconds_many(parts: Sequence[bytes | None]) -> list[np.ndarray | None]:
    """clock_seconds_many() of clocks in the form before migration 0017: uint32 tenths a
    ply, FOUR_BYTE_NO_CLOCK unknown (the migrations before it read the games this way)."""

    def seconds(data: bytes) -> np.ndarray:
        tenths = np.frombuffer(bytes(data), "<u4")
        return np.where(tenths == FOUR_BYTE_NO_CLOCK, np.nan, tenths / 10)

    return [seconds(part) if part else None for part in parts]


def four_byte_clocks(seconds: np.ndarray) -> bytes:
    """A game's clocks (seconds, NaN unknown) in the form before migration 0017."""
    known = ~np.isnan(seconds)
    tenths = np.full(len(seconds), FOUR_BYTE_NO_CLOCK, np.uint64)
    tenths[known] = clock_tenths_of(seconds[known])
    return tenths.astype("<u4").tobytes()


def is_known(seconds: float | None) -> bool:
    return seconds is not None and not math.isnan(seconds)
