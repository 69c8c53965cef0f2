"""Think time: how long the mover spent on a move, from the clocks the games keep.

Every statistics row keeps, beside its results, a histogram of the seconds its games'
movers spent on the row's move (THINK_COLUMNS, one per bucket of EDGES, NULL meaning
zero) and how many of them were left under 10% of the base time after it
(`low_clock`). A row of one game fills at most one bucket.

The seconds of ply i are the mover's own previous clock (the base time before their first
move) minus the clock after ply i, plus the increment, all from the stored clocks (whole
tenths of a second) and the TimeControl "base+inc" (or "base"). A mover's first move
with the clock still exactly at the base is untimed, "no clock": lichess starts the clocks
only after each side's first move (its %clk there is the base, with no increment), so the
seconds spent are unknown; chess.com times first moves (2:59.9 in a "180" game, 3:02
after an instant first move in "180+2") and they count. A game with no base time (daily
"-", "1/86400", none), a ply whose clock or own previous clock is unknown, or a negative
result counts in no bucket: "no clock" too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

#: the buckets' lower edges in seconds; the last bucket is open above. Whole seconds
#: at the low end (a median there is exact), wider above. The one place they are set.
EDGES: tuple[int, ...] = (0, 1, 2, 3, 4, 5, 7, 10, 15, 20, 30, 45, 60, 90, 120, 180, 300, 600, 1800, 3600)
THINK_COLUMNS: tuple[str, ...] = tuple(f"think_{edge}" for edge in EDGES)
LOW_CLOCK = "low_clock"
#: every think-time column of a statistics row, in the order rows carry them
THINK_TIME_COLUMNS: tuple[str, ...] = (*THINK_COLUMNS, LOW_CLOCK)
#: think codes: 0 no clock, i + 1 the bucket THINK_COLUMNS[i]
CODES = len(EDGES) + 1
_EDGE_TENTHS = np.array(EDGES, np.int64) * 10
_TIME_CONTROL = re.compile(r"^\s*(\d+)(?:\+(\d+))?\s*$")


def base_and_increment(time_control: str | None) -> tuple[int, int]:
    """(base, increment) seconds of a TimeControl "base+inc" or "base"; (0, 0) when it
    has no base time (daily "-", "1/86400", missing, unreadable)."""
    match = _TIME_CONTROL.match(time_control or "")
    if match is None:
        return 0, 0
    return int(match.group(1)), int(match.group(2) or 0)


def think_codes(
    clock: np.ndarray, previous: np.ndarray, first: np.ndarray, base: np.ndarray, increment: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Per ply, its think code and whether the mover was under 10% of the base after it.

    `clock`: the mover's tenths after the ply (-1 unknown); `previous`: their tenths
    after their previous move (-1 unknown; ignored on their `first` move, where the base
    is the previous); `base`, `increment`: the game's seconds (base 0: no clock)."""
    base_tenths = base * 10
    before = np.where(first, base_tenths, previous)
    spent = before - clock + increment * 10
    untimed = first & (clock == base_tenths)  # lichess's first moves
    known = (base > 0) & (clock >= 0) & (before >= 0) & (spent >= 0) & ~untimed
    codes = np.where(known, np.searchsorted(_EDGE_TENTHS, spent, side="right"), 0)
    return codes, known & (clock < base)  # under 10%: clock tenths < base seconds


def bucket_range(index: int) -> tuple[int, int | None]:
    """The seconds [from, to) of bucket `index` (to None: open above)."""
    return EDGES[index], EDGES[index + 1] if index + 1 < len(EDGES) else None


@dataclass(frozen=True)
class ThinkTime:
    """The bucket counts (THINK_COLUMNS' order) and low-clock count of some games, and
    how many games played the move(s) in all (`played`: with or without clocks)."""

    buckets: tuple[int, ...] = (0,) * len(EDGES)
    low_clock: int = 0
    played: int = 0

    @classmethod
    def of(cls, counts: tuple[int, ...] | list[int], played: int) -> ThinkTime:
        """From THINK_TIME_COLUMNS' sums (the buckets then low_clock)."""
        return cls(tuple(int(n) for n in counts[: len(EDGES)]), int(counts[len(EDGES)]), played)

    def __add__(self, other: ThinkTime) -> ThinkTime:
        return ThinkTime(
            tuple(a + b for a, b in zip(self.buckets, other.buckets, strict=True)),
            self.low_clock + other.low_clock,
            self.played + other.played,
        )

    @property
    def games(self) -> int:
        """Games with a clock at the move."""
        return sum(self.buckets)

    @property
    def no_clock(self) -> int:
        return self.played - self.games

    @property
    def median(self) -> tuple[int, int | None] | None:
        """The bucket [from, to) seconds holding the lower median (the ceil(n/2)-th
        smallest), None without games."""
        wanted = (self.games + 1) // 2
        if not wanted:
            return None
        seen = 0
        for index, count in enumerate(self.buckets):
            seen += count
            if seen >= wanted:
                return bucket_range(index)
        raise AssertionError("unreachable")

    @property
    def low_clock_share(self) -> float | None:
        return self.low_clock / self.games if self.games else None

    def wire(self) -> dict:
        """The API shape."""
        median = self.median
        return {
            "games": self.games,
            "noClock": self.no_clock,
            "median": None if median is None else {"from": median[0], "to": median[1]},
            "lowClock": self.low_clock,
            "histogram": [[*bucket_range(i), n] for i, n in enumerate(self.buckets) if n],
        }


def seconds_text(low: int, high: int | None) -> str:
    """A bucket as people read it: "3 s" for a whole second, "10–15 s", "≥ 3600 s"."""
    if high is None:
        return f"≥ {low} s"
    if high == low + 1:
        return f"{low} s"
    return f"{low}–{high} s"
