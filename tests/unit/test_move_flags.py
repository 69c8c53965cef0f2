"""The flags' statistics (webapp.model.move_flags) on hand-counted numbers."""

from __future__ import annotations

import math

import pytest

from webapp.model.move_flags import (
    TRAP_MIN_DIFFERENCE,
    Surprise,
    add_months,
    latest_month,
    split_band,
    trap,
    trend,
    trend_windows,
    two_proportion_z,
)
from webapp.model.scores import Score


def test_two_proportion_z_by_hand() -> None:
    # 30/100 against 15/100: pooled 0.225, se = sqrt(0.225 * 0.775 * 0.02) = 0.059055
    assert two_proportion_z(30, 100, 15, 100) == pytest.approx(0.15 / math.sqrt(0.225 * 0.775 * 0.02))
    assert two_proportion_z(15, 100, 30, 100) == pytest.approx(-2.5400025)
    assert two_proportion_z(0, 50, 0, 60) is None  # no games of the move: no test
    assert two_proportion_z(5, 0, 1, 10) is None


def test_month_windows() -> None:
    assert add_months(202101, -1) == 202012 and add_months(202012, 1) == 202101
    assert add_months(202306, -23) == 202107
    assert trend_windows(202310) == ((202211, 202310), (202111, 202210))
    assert latest_month({202310: 0, 202309: 4, 202400: 7, 0: 9}) == 202309  # year-only, unknown, empty left out
    assert latest_month({0: 3}) is None


def test_trend_rising_falling_and_too_few() -> None:
    position = {202301: 60, 202201: 60}
    rising = trend({202301: 30, 202201: 10}, position, 202306)
    assert (rising.recent_games, rising.recent_total, rising.previous_games, rising.previous_total) == (30, 60, 10, 60)
    assert rising.flag == "rising" and rising.recent_share == 0.5
    assert trend({202301: 10, 202201: 30}, position, 202306).flag == "falling"
    assert trend({202301: 12, 202201: 10}, position, 202306).flag is None  # not significant
    few = trend({202301: 10, 202201: 1}, {202301: 20, 202201: 20}, 202306)
    assert few.z is not None and abs(few.z) > 1.96 and few.flag is None  # < 30 games a window
    old = trend({201901: 30}, {201901: 60, 202301: 60, 202201: 60}, 202306)
    assert old.recent_games == 0 and old.previous_games == 0  # outside both windows


def test_split_band_is_the_most_even_edge() -> None:
    assert split_band({12: 10, 15: 10, 18: 10, 20: 10}) == 18  # 20 below, 20 above
    assert split_band({12: 10, 15: 9, 18: 1}) == 15  # 10|10 beats 19|1
    assert split_band({12: 5, 15: 5, 18: 5}) == 15  # 5|10 and 10|5 tie: the lower edge
    assert split_band({-1: 50, 14: 7}) is None  # one known band: no split
    assert split_band({}) is None


def test_surprise_needs_rare_many_and_interval_above_average() -> None:
    average = Score(50, 0, 50)  # 0.5
    good = Score(11, 0, 1)  # 12 games, 11.0 points: Wilson low 0.646
    assert Surprise(12, 0.04, good, average).flag
    assert not Surprise(12, 0.06, good, average).flag  # not rare
    assert not Surprise(9, 0.03, Score(9, 0, 0), average).flag  # too few games
    assert not Surprise(12, 0.04, Score(8, 0, 4), average).flag  # interval reaches below 0.5


def test_trap_below_against_above() -> None:
    bands = {10: Score(9, 0, 1), 13: Score(8, 1, 1), 16: Score(2, 0, 8), 19: Score(1, 1, 8), -1: Score(5, 0, 0)}
    found = trap(bands, 15)
    assert found.split == 1500
    assert (found.below, found.above) == (Score(17, 1, 2), Score(3, 1, 16))  # unknown band left out
    assert found.difference == pytest.approx(0.875 - 0.175)
    assert found.difference >= TRAP_MIN_DIFFERENCE and found.flag
    assert not trap(bands, None).flag and trap(bands, None).below.games == 0
    close = trap({10: Score(6, 0, 4), 16: Score(4, 0, 6)}, 15)  # 0.2 apart, intervals overlap
    assert close.difference == pytest.approx(0.2) and not close.flag
