"""Trend, surprise and trap flags of a position's next moves, from the charts' breakdown.

The counts are those of `read_breakdown` (per move × rating band, per move × month, under
the query's filters, memoized), so the flags cost no query the charts have not made; the
tests and thresholds are webapp.model.move_flags'.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Connection

from webapp.caching import memoized
from webapp.db.breakdown import Breakdown, read_breakdown
from webapp.db.explorer import cache_key
from webapp.model.move_flags import (
    MoveFlags,
    Surprise,
    latest_month,
    split_band,
    trap,
    trend,
    trend_windows,
)
from webapp.model.query import ExplorerQuery
from webapp.model.scores import Score


@dataclass(frozen=True)
class PositionFlags:
    """The position's candidate moves with their flags, and what the tests compared with."""

    fen: str
    turn: str  # the side to move, whose score the flags read
    games: int  # every game that reached the position (as the explorer's totals)
    score: Score  # the side to move's score over them
    latest: int | None  # the last month with dated games here (yyyymm)
    split: int | None  # the trap test's rating R (a multiple of 100)
    moves: tuple[MoveFlags, ...] = ()
    player_found: bool = True

    @property
    def windows(self) -> tuple[tuple[int, int], tuple[int, int]] | None:
        return None if self.latest is None else trend_windows(self.latest)


def _score(counts: tuple[int, int, int], turn: str) -> Score:
    return Score.for_color(*counts, turn)


def position_flags(breakdown: Breakdown) -> PositionFlags:
    """Each next move's flags from the breakdown's counts (moves with most games first)."""
    turn = breakdown.turn
    totals = [0, 0, 0]
    band_games: dict[int, int] = {}
    move_bands: dict[str, dict[int, Score]] = {}
    move_totals: dict[str, list[int]] = {}
    names: dict[str, str] = {}
    for row in breakdown.by_band:
        totals = [totals[0] + row.white, totals[1] + row.draws, totals[2] + row.black]
        band_games[row.key] = band_games.get(row.key, 0) + row.games
        if row.uci is None:
            continue
        names[row.uci] = row.san or row.uci
        move_bands.setdefault(row.uci, {})[row.key] = _score((row.white, row.draws, row.black), turn)
        counts = move_totals.setdefault(row.uci, [0, 0, 0])
        counts[0] += row.white
        counts[1] += row.draws
        counts[2] += row.black
    position_months: dict[int, int] = {}
    move_months: dict[str, dict[int, int]] = {}
    for row in breakdown.by_month:
        position_months[row.key] = position_months.get(row.key, 0) + row.games
        if row.uci is not None:
            move_months.setdefault(row.uci, {})[row.key] = row.games
    games = sum(totals)
    position_score = _score((totals[0], totals[1], totals[2]), turn)
    latest = latest_month(position_months)
    split = split_band(band_games)
    moves = []
    for uci, counts in move_totals.items():
        n = sum(counts)
        moves.append(
            MoveFlags(
                uci=uci,
                san=names[uci],
                games=n,
                trend=None if latest is None else trend(move_months.get(uci, {}), position_months, latest),
                surprise=Surprise(n, n / games if games else None, _score((counts[0], counts[1], counts[2]), turn),
                                  position_score),
                trap=trap(move_bands[uci], split),
            )
        )
    moves.sort(key=lambda m: (-m.games, m.uci))
    return PositionFlags(
        fen=breakdown.fen, turn=turn, games=games, score=position_score, latest=latest,
        split=None if split is None else split * 100, moves=tuple(moves),
        player_found=breakdown.player_found,
    )


def read_move_flags(connection_factory: Callable[[], Connection], query: ExplorerQuery) -> PositionFlags:
    """The flags of the query's position through the cache (the breakdown's counts are too)."""
    return memoized("move-flags|" + cache_key(query),
                    lambda: position_flags(read_breakdown(connection_factory, query)))
