"""Trend, surprise and trap flags counted straight from PGN games (explorer_reference),
with the statistics written out again here: nothing from webapp is used, so a mistake in
the app's counting or arithmetic cannot hide in a shared helper.

The definitions (README, "Move flags"): shares of the position's games in the last 12
months of data (ending at the position's latest dated month) against the 12 before, a
pooled two-proportion z-test, |z| ≥ 1.96, with ≥ 30 position games in each window and ≥ 5
games of the move over both; surprise = share < 5%, ≥ 10 games, the mover's Wilson 95%
low end above the side to move's average score; trap = the mover's score below the
rating split R minus at or above it ≥ 0.15, ≥ 10 games each side, Wilson intervals
apart; R = the band edge that splits the position's rated games most evenly.
"""

from __future__ import annotations

import math
from typing import Any

from explorer_reference import RefGame, board_after, reference

Z = 1.959963984540054


def wilson(points: float, n: int) -> tuple[float, float] | None:
    if n == 0:
        return None
    p, z2 = points / n, Z * Z
    centre = p + z2 / (2 * n)
    half = Z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    return max(0.0, (centre - half) / (1 + z2 / n)), min(1.0, (centre + half) / (1 + z2 / n))


def _points(game: RefGame, side: str) -> float:
    if game.result == "1/2-1/2":
        return 0.5
    return 1.0 if (game.result == "1-0") == (side == "white") else 0.0


def _month_index(month: int) -> int:
    return (month // 100) * 12 + (month % 100 - 1)


def _band(game: RefGame) -> int | None:
    if game.white_rating is None or game.black_rating is None:
        return None
    return (game.white_rating + game.black_rating) // 2 // 100


def _score(games: list[RefGame], side: str) -> dict[str, Any]:
    points = sum(_points(g, side) for g in games)
    n = len(games)
    return {"games": n, "points": points, "score": points / n if n else None, "interval": wilson(points, n)}


def expected_flags(games: list[RefGame], play: list[str], **filters: Any) -> dict[str, Any]:
    """The flags' evidence per next move, as the API should give it (all-games view)."""
    included: list[tuple[RefGame, int, str | None]] = []
    reference(games, play=play, included=included, **filters)
    side = "white" if board_after(play).turn else "black"
    here = [g for g, _r, _m in included]
    moves: dict[str, list[RefGame]] = {}
    for game, _r, move in included:
        if move is not None:
            moves.setdefault(move, []).append(game)
    average = _score(here, side)["score"]
    dated = [_month_index(g.month) for g in here if g.month and g.month % 100]
    latest = max(dated) if dated else None
    bands = sorted(b for b in (_band(g) for g in here) if b is not None)
    split = None
    best_gap = None
    for candidate in sorted(set(bands))[1:]:
        below = sum(1 for b in bands if b < candidate)
        gap = abs(2 * below - len(bands))
        if best_gap is None or gap < best_gap:
            best_gap, split = gap, candidate
    out: dict[str, Any] = {"games": len(here), "latest": latest, "split": None if split is None else split * 100,
                           "average": average, "moves": {}}
    for uci, played in moves.items():
        flags = []
        trend = None
        if latest is not None:
            def window(pool: list[RefGame], first: int, last: int) -> int:
                return sum(1 for g in pool if g.month and g.month % 100 and first <= _month_index(g.month) <= last)

            x1, n1 = window(played, latest - 11, latest), window(here, latest - 11, latest)
            x2, n2 = window(played, latest - 23, latest - 12), window(here, latest - 23, latest - 12)
            z = None
            if n1 and n2:
                pooled = (x1 + x2) / (n1 + n2)
                se = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
                z = (x1 / n1 - x2 / n2) / se if se else None
            trend = (x1, n1, x2, n2, z)
            if z is not None and n1 >= 30 and n2 >= 30 and x1 + x2 >= 5 and abs(z) >= Z:
                flags.append("rising" if z > 0 else "falling")
        mine = _score(played, side)
        share = len(played) / len(here)
        if share < 0.05 and len(played) >= 10 and mine["interval"][0] > average:
            flags.append("surprise")
        below = _score([g for g in played if _band(g) is not None and split is not None and _band(g) < split], side)
        above = _score([g for g in played if _band(g) is not None and split is not None and _band(g) >= split], side)
        if (split is not None and below["games"] >= 10 and above["games"] >= 10
                and below["score"] - above["score"] >= 0.15 and below["interval"][0] > above["interval"][1]):
            flags.append("trap")
        out["moves"][uci] = {"games": len(played), "share": share, "score": mine, "trend": trend,
                             "below": below, "above": above, "flags": flags}
    return out
