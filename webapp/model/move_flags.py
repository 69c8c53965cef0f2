"""Trend, surprise and trap flags of a position's candidate moves: the tests and thresholds.

Pure arithmetic on counts (webapp.db.move_flags gathers them); every threshold is a
constant here, and the README says what each flag means:

- **rising / falling**: the move's share of the position's games in the last
  TREND_MONTHS months of data (ending at the latest month with games here) against the
  TREND_MONTHS before, by a pooled two-proportion z-test at 95% (|z| ≥ Z_95), when each
  window has at least TREND_MIN_GAMES games of the position and the move at least
  TREND_MIN_MOVE_GAMES over both.
- **surprise**: played in under SURPRISE_MAX_SHARE of the position's games, in at least
  SURPRISE_MIN_GAMES games, and the mover's 95% Wilson interval lies wholly above the
  position's average score for the side to move.
- **trap**: the mover scores at least TRAP_MIN_DIFFERENCE better in games rated below the
  position's split rating R than at or above it, with at least TRAP_MIN_GAMES games on each
  side and the two 95% Wilson intervals apart (below's low end above above's high end).
  R is the 100-point band edge that splits the position's rated games most evenly (its
  median band), so both sides have games wherever the position is played.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from webapp.model.scores import Z_95, Score

TREND_MONTHS = 12
TREND_MIN_GAMES = 30  # the position's games in each window
TREND_MIN_MOVE_GAMES = 5  # the move's games in both windows together
SURPRISE_MAX_SHARE = 0.05
SURPRISE_MIN_GAMES = 10
TRAP_MIN_GAMES = 10  # the move's games on each side of R
TRAP_MIN_DIFFERENCE = 0.15  # score below R minus score at or above R
RATING_BAND = 100


def two_proportion_z(x1: int, n1: int, x2: int, n2: int) -> float | None:
    """The pooled two-proportion z statistic for x1/n1 against x2/n2 (None when undefined).

    >>> round(two_proportion_z(30, 100, 15, 100), 3)
    2.54
    """
    if n1 <= 0 or n2 <= 0:
        return None
    pooled = (x1 + x2) / (n1 + n2)
    spread = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    if spread == 0:
        return None
    return (x1 / n1 - x2 / n2) / spread


def add_months(month: int, delta: int) -> int:
    """yyyymm moved by `delta` months (202101, −1 → 202012)."""
    index = (month // 100) * 12 + month % 100 - 1 + delta
    return (index // 12) * 100 + index % 12 + 1


def trend_windows(latest: int) -> tuple[tuple[int, int], tuple[int, int]]:
    """((first, last) of the recent window, (first, last) of the one before), as yyyymm."""
    recent = (add_months(latest, 1 - TREND_MONTHS), latest)
    previous = (add_months(latest, 1 - 2 * TREND_MONTHS), add_months(latest, -TREND_MONTHS))
    return recent, previous


def latest_month(months: Mapping[int, int]) -> int | None:
    """The latest month with games (yyyymm; unknown 0 and year-only yyyy00 do not count)."""
    known = [m for m, n in months.items() if n > 0 and m > 0 and m % 100 != 0]
    return max(known) if known else None


def _in(months: Mapping[int, int], window: tuple[int, int]) -> int:
    return sum(n for m, n in months.items() if window[0] <= m <= window[1] and m % 100 != 0)


def split_band(band_games: Mapping[int, int]) -> int | None:
    """The band b (rating // 100) whose lower edge splits the rated games most evenly into
    bands < b and bands ≥ b (ties: the lower b); None with fewer than two bands."""
    bands = sorted(b for b, n in band_games.items() if b >= 0 and n > 0)
    if len(bands) < 2:
        return None
    total = sum(band_games[b] for b in bands)
    best: tuple[int, int] | None = None
    below = 0
    for band in bands:
        if band != bands[0]:
            gap = abs(2 * below - total)
            if best is None or gap < best[0]:
                best = (gap, band)
        below += band_games[band]
    return None if best is None else best[1]


@dataclass(frozen=True)
class Trend:
    """The move's share of the position's games in two windows of months, and the test."""

    recent: tuple[int, int]  # (first, last) yyyymm
    previous: tuple[int, int]
    recent_games: int  # the move's games
    recent_total: int  # the position's games
    previous_games: int
    previous_total: int
    z: float | None

    @property
    def recent_share(self) -> float | None:
        return self.recent_games / self.recent_total if self.recent_total else None

    @property
    def previous_share(self) -> float | None:
        return self.previous_games / self.previous_total if self.previous_total else None

    @property
    def flag(self) -> str | None:
        """'rising', 'falling' or None (no significant change, or too few games to say)."""
        if self.z is None or min(self.recent_total, self.previous_total) < TREND_MIN_GAMES:
            return None
        if self.recent_games + self.previous_games < TREND_MIN_MOVE_GAMES or abs(self.z) < Z_95:
            return None
        return "rising" if self.z > 0 else "falling"


def trend(move_months: Mapping[int, int], position_months: Mapping[int, int], latest: int) -> Trend:
    """The move's trend over the two windows ending at `latest` (month → games maps)."""
    recent, previous = trend_windows(latest)
    x1, n1 = _in(move_months, recent), _in(position_months, recent)
    x2, n2 = _in(move_months, previous), _in(position_months, previous)
    return Trend(recent, previous, x1, n1, x2, n2, two_proportion_z(x1, n1, x2, n2))


@dataclass(frozen=True)
class Surprise:
    """A rare move that scores well: its share, the mover's score, the position's average."""

    games: int
    share: float | None
    score: Score  # the mover's
    position_score: Score  # the side to move's, every game at the position

    @property
    def flag(self) -> bool:
        interval = self.score.interval
        average = self.position_score.score
        return (
            self.share is not None and self.share < SURPRISE_MAX_SHARE
            and self.games >= SURPRISE_MIN_GAMES
            and interval is not None and average is not None and interval[0] > average
        )


@dataclass(frozen=True)
class Trap:
    """The mover's score below the split rating R against at or above it."""

    split: int | None  # R in rating points (a multiple of 100), None: no split here
    below: Score
    above: Score

    @property
    def difference(self) -> float | None:
        if self.below.score is None or self.above.score is None:
            return None
        return self.below.score - self.above.score

    @property
    def flag(self) -> bool:
        low, high = self.below.interval, self.above.interval
        return (
            self.split is not None
            and min(self.below.games, self.above.games) >= TRAP_MIN_GAMES
            and self.difference is not None and self.difference >= TRAP_MIN_DIFFERENCE
            and low is not None and high is not None and low[0] > high[1]
        )


def trap(move_bands: Mapping[int, Score], split: int | None) -> Trap:
    """The mover's scores on either side of band `split` (band → the mover's Score)."""
    below, above = Score(), Score()
    if split is not None:
        for band, score in move_bands.items():
            if band < 0:
                continue
            if band < split:
                below = Score(below.wins + score.wins, below.draws + score.draws, below.losses + score.losses)
            else:
                above = Score(above.wins + score.wins, above.draws + score.draws, above.losses + score.losses)
    return Trap(None if split is None else split * RATING_BAND, below, above)


@dataclass(frozen=True)
class MoveFlags:
    """One candidate move with its flags' evidence (every test, flagged or not)."""

    uci: str
    san: str
    games: int
    trend: Trend | None  # None: no dated games at the position
    surprise: Surprise
    trap: Trap

    @property
    def flags(self) -> tuple[str, ...]:
        found: list[str] = []
        if self.trend is not None and self.trend.flag:
            found.append(self.trend.flag)
        if self.surprise.flag:
            found.append("surprise")
        if self.trap.flag:
            found.append("trap")
        return tuple(found)
