"""Performance rating: the opponents' average plus FIDE's rating difference for the score.

FIDE Handbook B.02, table 8.1.2 gives the difference `dp` for a score `p` in whole
percent; between two percentages the difference is interpolated linearly, as the lichess
explorer does, so a player's `performance` here is the number lichess would show.
"""

from __future__ import annotations

#: dp for p = 50 %, 51 %, ..., 100 % (FIDE B.02 table 8.1.2); below 50 % it is mirrored
_DP_FROM_HALF = (
    0, 7, 14, 21, 29, 36, 43, 50, 57, 65, 72, 80, 87, 95, 102, 110, 117, 125, 133, 141,
    149, 158, 166, 175, 184, 193, 202, 211, 220, 230, 240, 251, 262, 273, 284, 296, 309, 322,
    336, 351, 366, 383, 401, 422, 444, 470, 501, 538, 589, 677, 800,
)


def rating_difference(percent: int) -> int:
    """FIDE's dp for a score of `percent` % (0 to 100).

    >>> rating_difference(50), rating_difference(75), rating_difference(0)
    (0, 193, -800)
    """
    if not 0 <= percent <= 100:
        raise ValueError(f"a score is 0 to 100 percent; got {percent}")
    if percent >= 50:
        return _DP_FROM_HALF[percent - 50]
    return -_DP_FROM_HALF[50 - percent]


def performance(wins: int, draws: int, losses: int, average_opponent: float) -> int:
    """The performance of a player who scored wins/draws/losses against that average rating.

    >>> performance(1, 0, 0, 2000), performance(1, 1, 0, 1500), performance(0, 1, 2, 1800)
    (2800, 1693, 1523)
    """
    games = wins + draws + losses
    if games <= 0:
        raise ValueError("performance needs at least one game")
    percent = (100 * wins + 50 * draws) / games
    whole = int(percent)
    fraction = percent - whole
    low = rating_difference(whole)
    high = rating_difference(whole + 1) if whole < 100 else low
    return round(average_opponent + low * (1 - fraction) + high * fraction)
