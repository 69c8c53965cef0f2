"""`GET /api/explorer/breakdown`: the numbers behind the charts, for scripts and tests.

The same parameters as `/api/explorer`; the answer lists, for the position, each next
move's results per rating band and per month (`uci` null: games that reached the
position and had no further indexed move).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, jsonify, request

from webapp.api.wire import query_from_args
from webapp.db.breakdown import UNKNOWN_BAND, UNKNOWN_MONTH, Breakdown, BreakdownRow, read_breakdown
from webapp.extensions import db
from webapp.model.query import RATING_BAND, format_month

breakdown_api = Blueprint("breakdown_api", __name__)


def _counts(row: BreakdownRow) -> dict[str, Any]:
    return {"white": row.white, "draws": row.draws, "black": row.black, "games": row.games}


def breakdown_json(breakdown: Breakdown) -> dict[str, Any]:
    """The breakdown as JSON: bands with their rating range, months as YYYY-MM."""
    return {
        "fen": breakdown.fen,
        "turn": breakdown.turn,
        "playerFound": breakdown.player_found,
        "bands": [
            {
                "uci": row.uci,
                "san": row.san,
                "band": row.key,
                "ratingMin": None if row.key == UNKNOWN_BAND else row.key * RATING_BAND,
                "ratingMax": None if row.key == UNKNOWN_BAND else row.key * RATING_BAND + RATING_BAND - 1,
                **_counts(row),
            }
            for row in breakdown.by_band
        ],
        "months": [
            {
                "uci": row.uci,
                "san": row.san,
                "month": None if row.key == UNKNOWN_MONTH else format_month(row.key),
                **_counts(row),
            }
            for row in breakdown.by_month
        ],
    }


@breakdown_api.get("/api/explorer/breakdown")
def breakdown():  # type: ignore[no-untyped-def]
    query = query_from_args(request.args)
    if query.player:
        _ensure_indexed(query.player)  # where players are indexed on demand; else the read answers 202
    return jsonify(breakdown_json(read_breakdown(db.engine.connect, query)))


def _ensure_indexed(player: str) -> None:
    """Start counting a player's statistics where that happens on demand (as /api/explorer does)."""
    try:
        from webapp.jobs.player_index import ensure_player_indexed  # type: ignore[import-not-found]
    except ImportError:  # every player's statistics are written at import
        return
    ensure_player_indexed(current_app, player)
