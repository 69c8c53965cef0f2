"""Performance ratings by FIDE's table B.02 8.1.2, interpolated between whole percents."""

from __future__ import annotations

import pytest

from webapp.model.performance import performance, rating_difference


@pytest.mark.parametrize(
    ("percent", "dp"),
    # straight from the FIDE handbook's table: p = 1.00 → 800, .99 → 677, .75 → 193, .51 → 7
    [(100, 800), (99, 677), (90, 366), (75, 193), (51, 7), (50, 0), (49, -7), (25, -193), (1, -677), (0, -800)],
)
def test_rating_difference_is_fides_table(percent: int, dp: int) -> None:
    assert rating_difference(percent) == dp


def test_whole_percent_scores() -> None:
    assert performance(1, 0, 0, 2000) == 2800  # won everything: +800
    assert performance(0, 0, 3, 1500) == 700  # lost everything: -800
    assert performance(2, 0, 2, 1700) == 1700  # half the points: the opponents' average
    assert performance(3, 0, 1, 1800) == 1993  # 75 %: +193


def test_between_whole_percents_is_interpolated() -> None:
    # 1 draw and 2 losses score 16.67 %: dp(16) = -284, dp(17) = -273, two thirds of the way
    # from one to the other: -284 + (11 × 2/3) = -276.67; 1800 - 276.67 = 1523.33
    assert performance(0, 1, 2, 1800) == 1523
    # 2 wins, 1 draw in 3: 83.33 %: dp(83) = 273, dp(84) = 284 → 276.67 above 1600.5
    assert performance(2, 1, 0, 1600.5) == 1877


def test_errors() -> None:
    with pytest.raises(ValueError, match="at least one game"):
        performance(0, 0, 0, 1500)
    with pytest.raises(ValueError, match="0 to 100"):
        rating_difference(101)
