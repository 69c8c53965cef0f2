"""CodedMoves: a game's moves kept as their 16-bit move codes, read as UCI strings on demand.

The PGN parser has every move as a code already (webapp.model.position.encode_move).
Keeping the codes, one small array a game, instead of a list of ~70 UCI strings saves
building the strings, and lets a parsed chunk travel between processes as a few arrays
(webapp.indexer.parsed_chunk).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import overload

import numpy as np

from webapp.indexer.rows import MOVE_CODES

#: move code → UCI string, for every possible move (None elsewhere)
UCI_BY_CODE = np.empty(1 << 15, dtype=object)
for _uci, _code in MOVE_CODES.items():
    UCI_BY_CODE[_code] = _uci


class CodedMoves(Sequence[str]):
    """A read-only sequence of UCI moves over an array of move codes."""

    __slots__ = ("codes",)
    __hash__ = None  # type: ignore[assignment]  # equal to a list of the same moves

    def __init__(self, codes: np.ndarray) -> None:
        self.codes = codes

    def __len__(self) -> int:
        return len(self.codes)

    @overload
    def __getitem__(self, index: int) -> str: ...
    @overload
    def __getitem__(self, index: slice) -> CodedMoves: ...
    def __getitem__(self, index: int | slice) -> str | CodedMoves:
        if isinstance(index, slice):
            return CodedMoves(self.codes[index])
        return UCI_BY_CODE[self.codes[index]]

    def __iter__(self) -> Iterator[str]:
        return iter(UCI_BY_CODE[self.codes].tolist())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, CodedMoves):
            return bool(np.array_equal(self.codes, other.codes))
        if isinstance(other, Sequence) and not isinstance(other, str):
            return list(self) == list(other)
        return NotImplemented

    def __repr__(self) -> str:
        return f"CodedMoves({list(self)!r})"
