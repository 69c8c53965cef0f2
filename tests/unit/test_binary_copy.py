"""The binary COPY payload of statistics rows, decoded field by field as PostgreSQL reads it."""

from __future__ import annotations

import struct

import numpy as np
import pytest

from webapp.indexer.bulk import binary_copy_chunks
from webapp.indexer.rows import RowRefs
from webapp.model import game_refs

_FORMATS = {2: "!h", 4: "!i", 8: "!q"}


def decoded(payload: bytes) -> list[list[int | bytes | None]]:
    """Rows of a binary COPY payload: integers by their length, the last field as bytes."""
    assert payload[:11] == b"PGCOPY\n\xff\r\n\x00"
    at = 19
    rows = []
    while True:
        (fields,) = struct.unpack_from("!h", payload, at)
        at += 2
        if fields == -1:
            assert at == len(payload)
            return rows
        row: list[int | bytes | None] = []
        for field in range(fields):
            (length,) = struct.unpack_from("!i", payload, at)
            at += 4
            if length == -1:
                row.append(None)
            elif field == fields - 1:
                row.append(payload[at : at + length])
            else:
                row.append(struct.unpack_from(_FORMATS[length], payload, at)[0])
            at += max(length, 0)
        rows.append(row)


def refs_for(counts: list[int]) -> RowRefs:
    entries = np.zeros(sum(counts), dtype=game_refs.ENTRY)
    entries["id"] = np.arange(1, len(entries) + 1)
    entries["rating"] = 1500 + np.arange(len(entries))
    entries["date"] = 20240101
    return RowRefs(np.array(counts, np.int64), entries)


@pytest.mark.parametrize("nullable", [0, 1, 3])
def test_rows_round_trip_with_zeros_sent_null(nullable: int) -> None:
    generator = np.random.default_rng(7)
    rows = 500
    fixed = [generator.integers(-(2**40), 2**40, rows), generator.integers(-300, 300, rows)]
    counts = [generator.integers(0, 3, rows) * generator.integers(0, 1000, rows) for _ in range(nullable)]
    columns = [*fixed, *counts]
    types = ["i8", "i2", *["i4"] * nullable]
    references = generator.integers(0, 4, rows).tolist()
    refs = refs_for(references)

    payload = b"".join(bytes(chunk) for chunk in binary_copy_chunks(columns, types, refs, nullable))

    expected = []
    stored = refs.as_bytes()
    for i in range(rows):
        values = [int(column[i]) for column in fixed]
        values += [int(column[i]) or None for column in counts]
        expected.append([*values, stored[i]])
    # rows go grouped by their shape; the set of rows is what must arrive
    assert sorted(decoded(payload), key=repr) == sorted(expected, key=repr)


def test_a_row_with_every_count_filled_and_one_with_none() -> None:
    columns = [np.array([1, 2]), np.array([5, 0]), np.array([6, 0]), np.array([7, 0])]
    payload = b"".join(bytes(c) for c in binary_copy_chunks(columns, ["i8", "i4", "i4", "i4"], refs_for([1, 0]), 3))
    assert sorted(decoded(payload), key=repr) == sorted(
        [[1, 5, 6, 7, refs_for([1]).as_bytes()[0]], [2, None, None, None, None]], key=repr
    )


def test_nullable_columns_must_be_int4() -> None:
    with pytest.raises(ValueError, match="i4"):
        list(binary_copy_chunks([np.array([1]), np.array([2])], ["i4", "i8"], refs_for([0]), 1))
