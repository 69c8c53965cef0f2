"""The charts' data as pandas frames: pure functions from a Breakdown (webapp.db.breakdown).

A score here is the score of the side to move (the side that plays the move): wins plus
half the draws over games, with its 95% Wilson interval (webapp.model.scores), so a
handful of games never reads as a certainty. Rating bands with few games are merged with
their neighbours until each group has `min_games`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

from webapp.db.breakdown import UNKNOWN_BAND, UNKNOWN_MONTH, Breakdown, BreakdownRow
from webapp.model.query import RATING_BAND
from webapp.model.scores import wilson_interval

TOP_MOVES = 3  # moves drawn in the rating and time charts
MAX_MOVES = 12  # moves drawn in the results chart (the table lists them all)
MIN_BAND_GAMES = 10  # a rating group holds at least this many games (merged otherwise)

MOVE_COLUMNS = ["uci", "san", "games", "white", "draws", "black", "white_pct", "draws_pct",
                "black_pct", "share", "score", "score_low", "score_high"]
BAND_COLUMNS = ["uci", "san", "rating_min", "rating_max", "rating_mid", "label", "games",
                "white", "draws", "black", "score", "score_low", "score_high"]
MONTH_COLUMNS = ["series", "uci", "month", "games", "total", "share", "white", "draws", "black",
                 "score", "score_low", "score_high"]
ALL_GAMES = "all games"


@dataclass(frozen=True)
class ChartFrames:
    """What the three charts draw, and what they leave out (said on screen)."""

    turn: str
    moves: pd.DataFrame
    bands: pd.DataFrame
    months: pd.DataFrame
    total_games: int
    unrated_games: int  # no rating band: left out of the rating chart
    undated_games: int  # no month: left out of the time chart
    more_moves: int  # moves beyond MAX_MOVES, left out of the results chart


def mover_score(white: int, draws: int, black: int, turn: str) -> tuple[float | None, float | None, float | None]:
    """The side to move's score and its 95% Wilson interval, as fractions (None without games)."""
    games = white + draws + black
    if not games:
        return None, None, None
    wins = white if turn == "white" else black
    points = wins + draws / 2
    low, high = wilson_interval(points, games)  # type: ignore[misc]
    return points / games, low, high


def _pct(part: int, whole: int) -> float:
    return 100 * part / whole if whole else 0.0


def _sum(rows: Iterable[BreakdownRow]) -> tuple[int, int, int]:
    white = draws = black = 0
    for row in rows:
        white += row.white
        draws += row.draws
        black += row.black
    return white, draws, black


def _moves_by_games(breakdown: Breakdown) -> list[tuple[str, str]]:
    """(uci, san) of the next moves, most played first (ties by UCI, as the explorer sorts)."""
    games: dict[tuple[str, str], int] = {}
    for row in breakdown.by_band:
        if row.uci is not None:
            games[(row.uci, row.san or row.uci)] = games.get((row.uci, row.san or row.uci), 0) + row.games
    return [m for m, _ in sorted(games.items(), key=lambda item: (-item[1], item[0][0]))]


def moves_frame(breakdown: Breakdown, *, limit: int = MAX_MOVES) -> pd.DataFrame:
    """One row per next move (most played first): results, shares in %, the mover's score."""
    total = sum(row.games for row in breakdown.by_band)
    records = []
    for uci, san in _moves_by_games(breakdown)[:limit]:
        white, draws, black = _sum(r for r in breakdown.by_band if r.uci == uci)
        games = white + draws + black
        score, low, high = mover_score(white, draws, black, breakdown.turn)
        records.append({
            "uci": uci, "san": san, "games": games, "white": white, "draws": draws, "black": black,
            "white_pct": _pct(white, games), "draws_pct": _pct(draws, games),
            "black_pct": _pct(black, games), "share": _pct(games, total),
            "score": score, "score_low": low, "score_high": high,
        })
    return pd.DataFrame.from_records(records, columns=MOVE_COLUMNS)


def merge_bands(counts: dict[int, tuple[int, int, int]], min_games: int) -> list[tuple[int, int, tuple[int, int, int]]]:
    """Adjacent rating bands grouped until each group has `min_games` (a short last group
    joins the one before): (first band, last band, (white, draws, black)) per group.

    >>> merge_bands({15: (3, 0, 2), 16: (4, 1, 0), 18: (9, 1, 2)}, 10)
    [(15, 16, (7, 1, 2)), (18, 18, (9, 1, 2))]
    """
    groups: list[list] = []
    current: list | None = None
    for band in sorted(counts):
        w, d, b = counts[band]
        if current is None:
            current = [band, band, [0, 0, 0]]
        current[1] = band
        current[2] = [current[2][0] + w, current[2][1] + d, current[2][2] + b]
        if sum(current[2]) >= min_games:
            groups.append(current)
            current = None
    if current is not None:
        if groups:
            last = groups[-1]
            last[1] = current[1]
            last[2] = [a + c for a, c in zip(last[2], current[2], strict=True)]
        else:
            groups.append(current)
    return [(first, last, (c[0], c[1], c[2])) for first, last, c in groups]


def band_label(first: int, last: int) -> str:
    return f"{first * RATING_BAND}–{last * RATING_BAND + RATING_BAND - 1}"


def bands_frame(breakdown: Breakdown, *, top: int = TOP_MOVES, min_games: int = MIN_BAND_GAMES) -> pd.DataFrame:
    """For the `top` most played moves: the mover's score per rating group (bands merged
    where games are few), with its 95% interval; games of unknown rating are left out."""
    records = []
    for uci, san in _moves_by_games(breakdown)[:top]:
        counts = {r.key: (r.white, r.draws, r.black) for r in breakdown.by_band
                  if r.uci == uci and r.key != UNKNOWN_BAND and r.games}
        for first, last, (white, draws, black) in merge_bands(counts, min_games):
            score, low, high = mover_score(white, draws, black, breakdown.turn)
            rating_min, rating_max = first * RATING_BAND, last * RATING_BAND + RATING_BAND - 1
            records.append({
                "uci": uci, "san": san, "rating_min": rating_min, "rating_max": rating_max,
                "rating_mid": (rating_min + rating_max + 1) / 2, "label": band_label(first, last),
                "games": white + draws + black, "white": white, "draws": draws, "black": black,
                "score": score, "score_low": low, "score_high": high,
            })
    return pd.DataFrame.from_records(records, columns=BAND_COLUMNS)


def month_span(first: int, last: int) -> list[int]:
    """Every month from `first` to `last` (yyyymm), so a month without games is a gap."""
    months = []
    year, month = divmod(first, 100)
    while year * 100 + month <= last:
        months.append(year * 100 + month)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def month_start(month: int) -> pd.Timestamp:
    return pd.Timestamp(year=month // 100, month=month % 100, day=1)


def months_frame(breakdown: Breakdown, *, top: int = TOP_MOVES) -> pd.DataFrame:
    """Per month from the first to the last with games (none skipped): all games that
    reached the position, and each top move's games, share of that month's games and score."""
    dated = [r for r in breakdown.by_month if r.key != UNKNOWN_MONTH and r.games]
    if not dated:
        return pd.DataFrame(columns=MONTH_COLUMNS)
    span = month_span(min(r.key for r in dated), max(r.key for r in dated))
    totals = {m: _sum(r for r in dated if r.key == m) for m in span}
    records = []
    for month in span:
        white, draws, black = totals[month]
        games = white + draws + black
        score, low, high = mover_score(white, draws, black, breakdown.turn)
        records.append({
            "series": ALL_GAMES, "uci": None, "month": month_start(month), "games": games,
            "total": games, "share": 100.0 if games else None, "white": white, "draws": draws,
            "black": black, "score": score, "score_low": low, "score_high": high,
        })
    for uci, san in _moves_by_games(breakdown)[:top]:
        counts = {r.key: (r.white, r.draws, r.black) for r in dated if r.uci == uci}
        for month in span:
            white, draws, black = counts.get(month, (0, 0, 0))
            games, total = white + draws + black, sum(totals[month])
            score, low, high = mover_score(white, draws, black, breakdown.turn)
            records.append({
                "series": san, "uci": uci, "month": month_start(month), "games": games,
                "total": total, "share": _pct(games, total) if total else None, "white": white,
                "draws": draws, "black": black, "score": score, "score_low": low,
                "score_high": high,
            })
    return pd.DataFrame.from_records(records, columns=MONTH_COLUMNS)


def chart_frames(breakdown: Breakdown) -> ChartFrames:
    """All three charts' frames for one breakdown."""
    total = sum(r.games for r in breakdown.by_band)
    return ChartFrames(
        turn=breakdown.turn,
        moves=moves_frame(breakdown),
        bands=bands_frame(breakdown),
        months=months_frame(breakdown),
        total_games=total,
        unrated_games=sum(r.games for r in breakdown.by_band if r.key == UNKNOWN_BAND),
        undated_games=sum(r.games for r in breakdown.by_month if r.key == UNKNOWN_MONTH),
        more_moves=max(0, len(_moves_by_games(breakdown)) - MAX_MOVES),
    )


HISTORY_COLUMNS = ["month", "label", "games", "wins", "draws", "losses", "score", "score_low", "score_high"]


def history_frame(months: Iterable[tuple[int, int, int, int]]) -> pd.DataFrame:
    """A player's (month, wins, draws, losses) as one row per month from the first to the
    last, months without games included (0 games, no score); unknown months (0) left out."""
    counts = {m: (w, d, lost) for m, w, d, lost in months if m != UNKNOWN_MONTH}
    if not counts:
        return pd.DataFrame(columns=HISTORY_COLUMNS)
    records = []
    for month in month_span(min(counts), max(counts)):
        wins, draws, losses = counts.get(month, (0, 0, 0))
        games = wins + draws + losses
        points = wins + draws / 2
        low, high = wilson_interval(points, games) or (None, None)
        records.append({
            "month": month_start(month), "label": f"{month // 100:04d}-{month % 100:02d}", "games": games,
            "wins": wins, "draws": draws, "losses": losses,
            "score": points / games if games else None, "score_low": low, "score_high": high,
        })
    return pd.DataFrame.from_records(records, columns=HISTORY_COLUMNS)
