"""ParsedChunk: what a parser process hands back, sent between processes as columns.

A chunk of 2,000 games pickled record by record costs a dataclass, ~70 move strings and
~70 clock floats a game on each side of the pipe. Pickled here, it is one list per scalar
field and one array each for the move codes, position keys and clocks of all its games;
the loading process rebuilds the records over views of those arrays.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, fields
from datetime import date
from typing import Any

import numpy as np

from webapp.indexer.coded_moves import CodedMoves
from webapp.indexer.games import GameRecord
from webapp.model.speed import Speed

_SCALARS = (
    "uid", "source", "white", "black", "white_rating", "black_rating", "result", "rated",
    "time_control", "event", "site", "eco", "month", "termination", "collection",
)  # fmt: skip
_SPEEDS = {int(speed): speed for speed in Speed}
#: GameRecord's fields in order: its positional arguments
_FIELDS = tuple(item.name for item in fields(GameRecord))
_NONE = -1  # the length of an absent array (no codes, keys or clocks)


@dataclass
class ParsedChunk:
    """Records parsed from a chunk of game texts, and what was skipped (by reason)."""

    records: list[GameRecord] = field(default_factory=list)
    skipped: Counter[str] = field(default_factory=Counter)
    notes: Counter[str] = field(default_factory=Counter)

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        return _unpacked, (_columns(self.records), self.skipped, self.notes)


def _joined(parts: list[Any], dtype: type) -> tuple[np.ndarray, np.ndarray]:
    """One array of the parts that are there, and each part's length (_NONE if absent)."""
    lengths = np.array([_NONE if part is None else len(part) for part in parts], np.int64)
    present = [np.asarray(part, dtype) for part in parts if part is not None]
    return (np.concatenate(present) if present else np.zeros(0, dtype)), lengths


def _split(data: np.ndarray, lengths: np.ndarray) -> list[np.ndarray | None]:
    ends = np.cumsum(np.maximum(lengths, 0)).tolist()
    starts = [0, *ends[:-1]]
    return [None if n == _NONE else data[a:b] for a, b, n in zip(starts, ends, lengths.tolist(), strict=True)]


def _codes(record: GameRecord) -> Any:
    if record.move_codes is not None:
        return record.move_codes
    return record.moves.codes if isinstance(record.moves, CodedMoves) else None


def _columns(records: list[GameRecord]) -> dict[str, Any]:
    columns: dict[str, Any] = {name: [getattr(r, name) for r in records] for name in _SCALARS}
    columns["speed"] = [int(r.speed) for r in records]
    columns["played_on"] = [0 if r.played_on is None else r.played_on.toordinal() for r in records]
    # moves the parser holds as codes travel as codes; any other list of moves as it is
    columns["listed_moves"] = {i: list(r.moves) for i, r in enumerate(records) if not isinstance(r.moves, CodedMoves)}
    columns["codes"] = _joined([_codes(r) for r in records], np.int16)
    columns["keys"] = _joined([r.position_keys for r in records], np.int64)
    columns["clocks"] = _joined([r.clocks for r in records], np.float64)
    return columns


def _unpacked(columns: dict[str, Any], skipped: Counter[str], notes: Counter[str]) -> ParsedChunk:
    codes, keys, clocks = (_split(*columns[name]) for name in ("codes", "keys", "clocks"))
    listed = columns["listed_moves"]
    values = {name: columns[name] for name in _SCALARS}
    values["speed"] = [_SPEEDS[speed] for speed in columns["speed"]]
    values["played_on"] = [date.fromordinal(day) if day else None for day in columns["played_on"]]
    values["moves"] = [CodedMoves(part) if i not in listed else listed[i] for i, part in enumerate(codes)]
    values.update(move_codes=codes, position_keys=keys, clocks=clocks)
    # positionally, column by column: no keyword dictionary a record
    records = list(map(GameRecord, *(values[name] for name in _FIELDS)))
    return ParsedChunk(records, skipped, notes)
