"""The player view's JSON: scores with their intervals, comparisons, leaks, months."""

from __future__ import annotations

from typing import Any

from webapp.model.scores import Score, ScoreComparison


def score_json(score: Score) -> dict[str, Any]:
    interval = score.interval
    return {
        "games": score.games,
        "wins": score.wins,
        "draws": score.draws,
        "losses": score.losses,
        "score": None if score.score is None else round(score.score, 4),
        "interval": None if interval is None else [round(interval[0], 4), round(interval[1], 4)],
    }


def comparison_json(comparison: ScoreComparison) -> dict[str, Any]:
    difference = comparison.difference
    return {
        "player": score_json(comparison.player),
        "peers": score_json(comparison.peers),
        "difference": None if difference is None else round(difference, 4),
        "pointsLost": round(comparison.points_lost, 3),
        "clearlyBelow": comparison.clearly_below,
    }
