"""A player's score beside their peers': points, Wilson intervals, differences, leaks.

Pure arithmetic on counts; the SQL that gathers the counts lives in webapp.db.leaks.
A score is (wins + draws / 2) / games from the player's side. The 95% Wilson score
interval keeps a 3-game sample from reading as a certainty.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

Z_95 = 1.959963984540054


def wilson_interval(points: float, games: int, z: float = Z_95) -> tuple[float, float] | None:
    """The Wilson score interval for a proportion `points / games` (None without games).

    >>> [round(x, 4) for x in wilson_interval(8, 10)]
    [0.4902, 0.9433]
    """
    if games <= 0:
        return None
    p = points / games
    z2 = z * z
    centre = (p + z2 / (2 * games)) / (1 + z2 / games)
    half = z * math.sqrt(p * (1 - p) / games + z2 / (4 * games * games)) / (1 + z2 / games)
    return max(0.0, centre - half), min(1.0, centre + half)


@dataclass(frozen=True)
class Score:
    """Wins, draws and losses from one side's point of view."""

    wins: int = 0
    draws: int = 0
    losses: int = 0

    @classmethod
    def for_color(cls, white: int, draws: int, black: int, color: str) -> Score:
        """Counts as white wins / draws / black wins, seen from `color`."""
        if color == "white":
            return cls(white, draws, black)
        return cls(black, draws, white)

    @property
    def games(self) -> int:
        return self.wins + self.draws + self.losses

    @property
    def points(self) -> float:
        return self.wins + self.draws / 2

    @property
    def score(self) -> float | None:
        return self.points / self.games if self.games else None

    @property
    def interval(self) -> tuple[float, float] | None:
        return wilson_interval(self.points, self.games)


@dataclass(frozen=True)
class ScoreComparison:
    """A player's score and the peers' score for the same move or position."""

    player: Score
    peers: Score

    @property
    def difference(self) -> float | None:
        """Player's score minus the peers' (negative: the player does worse)."""
        if self.player.score is None or self.peers.score is None:
            return None
        return self.player.score - self.peers.score

    @property
    def points_lost(self) -> float:
        """Points the player dropped against what peers' score would give over the same games."""
        if self.difference is None:
            return 0.0
        return -self.difference * self.player.games

    @property
    def clearly_below(self) -> bool:
        """Peers' score lies above the player's whole 95% interval."""
        interval = self.player.interval
        return bool(interval and self.peers.score is not None and self.peers.score > interval[1])


def peer_bands(rating: int, width: int, band_size: int = 100) -> tuple[int, int]:
    """The rating bands (rating // band_size) covering rating ± width."""
    return max(rating - width, 0) // band_size, (rating + width) // band_size


def rank_leaks(
    rows: list[tuple[object, ScoreComparison]], *, min_games: int, limit: int
) -> list[tuple[object, ScoreComparison]]:
    """Positions where the player scores below peers, most points lost first.

    Points lost = (peers' score − player's score) × the player's games there, so a
    position reached often with a moderate gap outranks a rare one with a large gap.
    """
    kept = [
        (key, c) for key, c in rows
        if c.player.games >= min_games and c.peers.games > 0 and (c.difference or 0) < 0
    ]
    kept.sort(key=lambda item: (-item[1].points_lost, -item[1].player.games, str(item[0])))
    return kept[:limit]
