"""Wilson intervals and score comparisons against values worked out by hand."""

from __future__ import annotations

import math

import pytest

from webapp.model.scores import Score, ScoreComparison, peer_bands, rank_leaks, wilson_interval


def wilson_by_formula(p: float, n: int, z: float = 1.96) -> tuple[float, float]:
    # (p + z²/2n ± z·sqrt(p(1−p)/n + z²/4n²)) / (1 + z²/n)
    a = p + z * z / (2 * n)
    b = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    c = 1 + z * z / n
    return (a - b) / c, (a + b) / c


@pytest.mark.parametrize(("points", "games"), [(8, 10), (1.5, 3), (0, 5), (50, 100), (7, 7)])
def test_wilson_matches_the_formula(points: float, games: int) -> None:
    low, high = wilson_interval(points, games, z=1.96)
    want = wilson_by_formula(points / games, games)
    assert low == pytest.approx(max(0.0, want[0]), abs=1e-12)
    assert high == pytest.approx(min(1.0, want[1]), abs=1e-12)


def test_wilson_known_values() -> None:
    # 8 of 10: 0.4902 to 0.9433 (the standard textbook example)
    low, high = wilson_interval(8, 10)
    assert (round(low, 4), round(high, 4)) == (0.4902, 0.9433)
    assert wilson_interval(0, 0) is None


def test_score_from_each_side() -> None:
    assert Score.for_color(5, 2, 3, "white") == Score(5, 2, 3)
    assert Score.for_color(5, 2, 3, "black") == Score(3, 2, 5)
    assert Score(3, 2, 5).score == pytest.approx(0.4)


def test_comparison_and_leak_ranking() -> None:
    often = ScoreComparison(Score(4, 2, 14), Score(50, 20, 30))  # 0.25 vs 0.6 over 20 games
    rare = ScoreComparison(Score(0, 0, 3), Score(60, 0, 40))  # 0 vs 0.6 over 3 games
    better = ScoreComparison(Score(9, 0, 1), Score(5, 0, 5))
    assert often.difference == pytest.approx(-0.35)
    assert often.points_lost == pytest.approx(7.0)
    assert often.clearly_below and not better.clearly_below
    ranked = rank_leaks([("rare", rare), ("better", better), ("often", often)], min_games=3, limit=5)
    assert [key for key, _ in ranked] == ["often", "rare"]
    assert rank_leaks([("rare", rare)], min_games=4, limit=5) == []


def test_peer_bands() -> None:
    assert peer_bands(1519, 100) == (14, 16)
    assert peer_bands(1500, 0) == (15, 15)
    assert peer_bands(50, 100) == (0, 1)
