"""`GET /api/explorer/flags`: each next move's trend, surprise and trap flags with their evidence.

The same parameters as `/api/explorer`. Every move carries the numbers each test read,
flagged or not, so a script (or the dashboard's hover text) can show why; the thresholds
come with the answer (webapp.model.move_flags).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, jsonify, request

from webapp.api.wire import query_from_args
from webapp.db.move_flags import PositionFlags, read_move_flags
from webapp.extensions import db
from webapp.model import move_flags as rules
from webapp.model.move_flags import MoveFlags
from webapp.model.player_wire import score_json
from webapp.model.query import format_month

flags_api = Blueprint("flags_api", __name__)


def _share(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def _window(window: tuple[int, int]) -> dict[str, str]:
    return {"since": format_month(window[0]), "until": format_month(window[1])}


def thresholds_json() -> dict[str, Any]:
    """The thresholds the flags use, as the README lists them."""
    return {
        "trendMonths": rules.TREND_MONTHS,
        "trendMinGames": rules.TREND_MIN_GAMES,
        "trendMinMoveGames": rules.TREND_MIN_MOVE_GAMES,
        "z": round(rules.Z_95, 4),
        "surpriseMaxShare": rules.SURPRISE_MAX_SHARE,
        "surpriseMinGames": rules.SURPRISE_MIN_GAMES,
        "trapMinGames": rules.TRAP_MIN_GAMES,
        "trapMinDifference": rules.TRAP_MIN_DIFFERENCE,
    }


def move_flags_json(move: MoveFlags) -> dict[str, Any]:
    """One move: its flags, and the evidence of every test."""
    t = move.trend
    trap = move.trap
    return {
        "uci": move.uci,
        "san": move.san,
        "games": move.games,
        "flags": list(move.flags),
        "trend": None if t is None else {
            "recentGames": t.recent_games,
            "recentTotal": t.recent_total,
            "recentShare": _share(t.recent_share),
            "previousGames": t.previous_games,
            "previousTotal": t.previous_total,
            "previousShare": _share(t.previous_share),
            "z": None if t.z is None else round(t.z, 3),
        },
        "surprise": {"share": _share(move.surprise.share), **score_json(move.surprise.score)},
        "trap": {
            "below": score_json(trap.below),
            "above": score_json(trap.above),
            "difference": None if trap.difference is None else round(trap.difference, 4),
        },
    }


def flags_json(flags: PositionFlags) -> dict[str, Any]:
    windows = flags.windows
    return {
        "fen": flags.fen,
        "turn": flags.turn,
        "playerFound": flags.player_found,
        "games": flags.games,
        "score": score_json(flags.score),
        "windows": None if windows is None else {"recent": _window(windows[0]), "previous": _window(windows[1])},
        "ratingSplit": flags.split,
        "thresholds": thresholds_json(),
        "moves": [move_flags_json(m) for m in flags.moves],
    }


@flags_api.get("/api/explorer/flags")
def flags():  # type: ignore[no-untyped-def]
    query = query_from_args(request.args)
    if query.player:
        from webapp.jobs.player_index import ensure_player_indexed

        ensure_player_indexed(current_app, query.player)  # else the read answers 202
    return jsonify(flags_json(read_move_flags(db.engine.connect, query)))
