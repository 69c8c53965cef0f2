"""Game references kept in each statistics row: which games stand behind its counts.

Every statistics row (a position, the move played there and the filter values) keeps, as
bytes, the games it counts, up to REFS_KEPT_ALL of them; a row that counts more keeps at
least its TOP_KEPT best (highest rating, then newest date, then lowest id) and its TOP_KEPT
newest (newest date, then highest rating, then lowest id): rows merged keep every entry
until they pass REFS_TRIMMED_PAST, then only those (trim). The rows of a position under any
filters partition its games, so the best and newest N ≤ TOP_KEPT games of the position are
among the rows' references: this is how the Lichess explorer keeps top games in its
aggregated records rather than indexing every (game, position) pair.

An entry is 10 little-endian bytes: the game's id (uint32), its rating (uint16: the mean
of both players, or the player's own in player rows; 0 unknown) and its date as yyyymmdd
(uint32; yyyymm00 or yyyy0000 when only the month or year is known, 0 unknown).
PostgreSQL's refs_trim() (migration 0007) and SQLite's (webapp.db.sqlite) apply trim().
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

#: the most games an answer lists per kind (topGames, recentGames)
TOP_KEPT = 15
#: a row with at most this many games keeps them all
REFS_KEPT_ALL = 2 * TOP_KEPT
#: rows' references merged are concatenated up to this many entries and trimmed only past
#: it: a trim parses and sorts every entry (in SQL on PostgreSQL: refs_trim), and with the
#: bound at REFS_KEPT_ALL a full row was trimmed at every merge however few games came
#: (compaction's first step after 58,301 games into a million: the rollups' additions 1.06
#: s instead of 0.65, the monthly summaries' 1.3–1.6 instead of 0.8)
REFS_TRIMMED_PAST = 2 * REFS_KEPT_ALL
ENTRY = np.dtype([("id", "<u4"), ("rating", "<u2"), ("date", "<u4")])
assert ENTRY.itemsize == 10


def encode(ids: np.ndarray, ratings: np.ndarray, dates: np.ndarray) -> np.ndarray:
    """Entries for parallel columns of game ids, ratings and yyyymmdd dates."""
    entries = np.empty(len(ids), dtype=ENTRY)
    entries["id"] = ids
    entries["rating"] = np.clip(ratings, 0, 0xFFFF)
    entries["date"] = np.clip(dates, 0, None)
    return entries


def decode(data: bytes | memoryview | None) -> np.ndarray:
    """The entries stored in one row's bytes (none for NULL)."""
    if not data:
        return np.zeros(0, dtype=ENTRY)
    return np.frombuffer(bytes(data), dtype=ENTRY)


def top_order(entries: np.ndarray) -> np.ndarray:
    """Indices of entries, best first: highest rating, then newest, then lowest id."""
    return np.lexsort((entries["id"], -entries["date"].astype(np.int64), -entries["rating"].astype(np.int64)))


def recent_order(entries: np.ndarray) -> np.ndarray:
    """Indices of entries, newest first: newest date, then highest rating, then lowest id."""
    return np.lexsort((entries["id"], -entries["rating"].astype(np.int64), -entries["date"].astype(np.int64)))


def _first(primary: np.ndarray, ids: np.ndarray, limit: int) -> np.ndarray:
    """Indices of the `limit` entries with the highest `primary`, ties by lowest id, in
    that order: only the entries at or above the `limit`-th highest `primary` are sorted."""
    if len(primary) > limit > 0:
        nth = np.partition(primary, len(primary) - limit)[len(primary) - limit]
        chosen = np.flatnonzero(primary >= nth)
    else:
        chosen = np.arange(len(primary))
    return chosen[np.lexsort((ids[chosen], -primary[chosen]))][:limit]


def best(entries: np.ndarray, limit: int) -> np.ndarray:
    """top_order(entries)[:limit], without sorting them all."""
    primary = (entries["rating"].astype(np.int64) << 32) | entries["date"].astype(np.int64)
    return _first(primary, entries["id"], limit)


def newest(entries: np.ndarray, limit: int) -> np.ndarray:
    """recent_order(entries)[:limit], without sorting them all."""
    primary = (entries["date"].astype(np.int64) << 16) | entries["rating"].astype(np.int64)
    return _first(primary, entries["id"], limit)


def trim(entries: np.ndarray) -> np.ndarray:
    """The entries a row keeps: all of them up to REFS_KEPT_ALL, else its best and newest
    TOP_KEPT (in their stored order)."""
    if len(entries) <= REFS_KEPT_ALL:
        return entries
    keep = np.zeros(len(entries), dtype=bool)
    keep[top_order(entries)[:TOP_KEPT]] = True
    keep[recent_order(entries)[:TOP_KEPT]] = True
    return entries[keep]


def merge(parts: Iterable[bytes | memoryview | None]) -> bytes | None:
    """Several rows' references as one row's: all of them up to REFS_TRIMMED_PAST, else
    trimmed; None when none has any."""
    joined = b"".join(bytes(part) for part in parts if part)
    if not joined:
        return None
    if len(joined) <= REFS_TRIMMED_PAST * ENTRY.itemsize:
        return joined
    return trim(np.frombuffer(joined, dtype=ENTRY)).tobytes()


def game_date(year: int | None, month: int | None, day: int | None) -> int:
    """yyyymmdd with unknown parts 0."""
    if not year:
        return 0
    return year * 10000 + (month or 0) * 100 + (day or 0 if month else 0)
