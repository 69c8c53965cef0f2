"""The charts' frames: moves, merged rating bands and months, from a hand-written Breakdown."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from webapp.dashboard.chart_frames import (
    ALL_GAMES,
    chart_frames,
    merge_bands,
    month_span,
    mover_score,
)
from webapp.db.breakdown import Breakdown, BreakdownRow

# after 1.e4, Black to move: 1...e5 in three bands, 1...c5 in one, and games without a
# further move (None) or without a rating (−1) / a date (0)
AFTER_E4 = Breakdown(
    fen="rnbqkbnr/pppppppp/8/8/4P3/8/PPPP1PPP/RNBQKBNR b KQkq - 0 1",
    turn="black",
    by_band=(
        BreakdownRow("c7c5", "c5", 17, 2, 0, 1),
        BreakdownRow("e7e5", "e5", -1, 1, 0, 0),
        BreakdownRow("e7e5", "e5", 15, 3, 1, 2),
        BreakdownRow("e7e5", "e5", 16, 4, 1, 0),
        BreakdownRow("e7e5", "e5", 18, 9, 1, 2),
        BreakdownRow(None, None, 16, 0, 1, 0),
    ),
    by_month=(
        BreakdownRow("c7c5", "c5", 202101, 2, 0, 1),
        BreakdownRow("e7e5", "e5", 0, 1, 0, 0),
        BreakdownRow("e7e5", "e5", 202101, 7, 2, 2),
        BreakdownRow("e7e5", "e5", 202104, 9, 1, 2),
        BreakdownRow(None, None, 202104, 0, 1, 0),
    ),
)


def _wilson(points: float, n: int) -> tuple[float, float]:
    """The 95% Wilson interval, written out again (z = 1.96)."""
    z = 1.959963984540054
    p = points / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return centre - half, centre + half


def test_mover_score_is_the_side_to_move_s_with_its_interval() -> None:
    # Black to move, 3 black wins and 2 draws in 10 games: 4 points of 10
    score, low, high = mover_score(5, 2, 3, "black")
    assert score == 0.4
    assert (low, high) == pytest.approx(_wilson(4, 10))
    assert mover_score(5, 2, 3, "white")[0] == 0.6
    assert mover_score(0, 0, 0, "white") == (None, None, None)


def test_moves_frame_sums_bands_most_played_first() -> None:
    frames = chart_frames(AFTER_E4)
    moves = frames.moves
    assert list(moves["uci"]) == ["e7e5", "c7c5"]
    e5 = moves.iloc[0].to_dict()
    assert (e5["games"], e5["white"], e5["draws"], e5["black"]) == (24, 17, 3, 4)
    assert e5["score"] == pytest.approx((4 + 1.5) / 24)
    assert (e5["score_low"], e5["score_high"]) == pytest.approx(_wilson(5.5, 24))
    assert e5["white_pct"] + e5["draws_pct"] + e5["black_pct"] == pytest.approx(100)
    assert e5["share"] == pytest.approx(100 * 24 / 28)  # of all 28 games, the no-move one too
    assert frames.total_games == 28
    assert frames.unrated_games == 1 and frames.undated_games == 1 and frames.more_moves == 0


def test_merge_bands_joins_neighbours_until_each_group_has_enough_games() -> None:
    assert merge_bands({15: (3, 1, 2), 16: (4, 1, 0), 18: (9, 1, 2)}, 10) == [
        (15, 16, (7, 2, 2)), (18, 18, (9, 1, 2))]
    # a short last group joins the one before it
    assert merge_bands({15: (10, 0, 0), 16: (1, 0, 0)}, 10) == [(15, 16, (11, 0, 0))]
    # too few games in all: one group
    assert merge_bands({12: (1, 0, 0), 20: (0, 1, 0)}, 10) == [(12, 20, (1, 1, 0))]
    assert merge_bands({}, 10) == []


def test_bands_frame_labels_groups_and_leaves_unknown_ratings_out() -> None:
    bands = chart_frames(AFTER_E4).bands
    e5 = bands[bands["uci"] == "e7e5"]
    assert list(e5["label"]) == ["1500–1699", "1800–1899"]
    assert list(e5["games"]) == [11, 12]  # the unrated game is not in any group
    assert list(e5["rating_mid"]) == [1600, 1850]
    assert list(bands[bands["uci"] == "c7c5"]["label"]) == ["1700–1799"]
    first = e5.iloc[0]
    assert first["score"] == pytest.approx((2 + 0 + 2 / 2) / 11)  # black wins and half the draws


def test_months_frame_fills_missing_months_as_gaps() -> None:
    months = chart_frames(AFTER_E4).months
    every = months[months["series"] == ALL_GAMES]
    assert list(every["month"]) == [pd.Timestamp(f"2021-0{m}-01") for m in (1, 2, 3, 4)]
    assert list(every["games"]) == [14, 0, 0, 13]
    assert every["score"].isna().tolist() == [False, True, True, False]
    e5 = months[months["series"] == "e5"]
    assert list(e5["games"]) == [11, 0, 0, 12]
    assert e5["share"].iloc[0] == pytest.approx(100 * 11 / 14)
    assert e5["share"].isna().tolist() == [False, True, True, False]  # no games: no share
    c5 = months[months["series"] == "c5"]
    assert list(c5["share"].fillna(-1)) == [pytest.approx(100 * 3 / 14), -1, -1, 0]


def test_month_span_crosses_a_year() -> None:
    assert month_span(202011, 202102) == [202011, 202012, 202101, 202102]


def test_an_empty_breakdown_gives_empty_frames() -> None:
    frames = chart_frames(Breakdown(fen="x", turn="white"))
    assert frames.moves.empty and frames.bands.empty and frames.months.empty
    assert frames.total_games == 0
