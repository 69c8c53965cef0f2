"""`GET /api/opponent`: prepare against a player from the shown position.

The explorer's parameters, with `player` the opponent (a name, `source:name`, or a person
whose linked accounts count as one) and `color` the colour YOU will have. The answer: the
opponent's games and score here and per next move, the likely line (their most played
move at their turn, the reply most played against them at yours), and their leaks past
this position, each with a dashboard `url` that puts the board there. A player whose games
are still being counted answers 202 with the progress, as `/api/explorer` does.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, jsonify, request

from webapp.api.errors import error_response
from webapp.api.wire import query_from_args
from webapp.db.leaks import Leak, PlayerNotFound
from webapp.db.opponent import OpponentPrep, opponent_query, read_opponent_leaks, read_prep
from webapp.db.players import record_requested_player
from webapp.extensions import db
from webapp.jobs.player_index import ensure_player_indexed
from webapp.model.links import explorer_url
from webapp.model.player_wire import comparison_json, score_json
from webapp.model.query import ExplorerQuery

opponent_api = Blueprint("opponent_api", __name__)


def _your_score(leak: Leak) -> float | None:
    score = leak.comparison.player.score
    return None if score is None else round(1 - score, 4)


def line_json(prep: OpponentPrep, query: ExplorerQuery) -> list[dict[str, Any]]:
    """The likely line's steps, each with the dashboard link that puts the board after it."""
    theirs = opponent_query(query)
    return [
        {"uci": s.uci, "san": s.san, "mover": s.mover, "play": ",".join(s.play),
         "url": explorer_url(theirs, s.play), **score_json(s.score)}
        for s in prep.line
    ]


def leaks_json(leaks: list[Leak], query: ExplorerQuery) -> list[dict[str, Any]]:
    """The opponent's leaks, each with its dashboard link (the opponent as the explorer's player)."""
    theirs = opponent_query(query)
    return [
        {"play": ",".join(leak.play), "fen": leak.fen,
         "url": explorer_url(theirs.with_position(None, leak.play)),
         "yourScore": _your_score(leak), **comparison_json(leak.comparison)}
        for leak in leaks
    ]


def opponent_json(prep: OpponentPrep, query: ExplorerQuery, rating: int | None, leaks: list[Leak]) -> dict[str, Any]:
    """The prep as JSON; links keep the opponent as the explorer's player, with their colour."""
    return {
        "opponent": prep.opponent,
        "color": prep.color,
        "opponentColor": prep.opponent_color,
        "fen": prep.fen,
        "toMove": prep.to_move,
        "rating": rating,
        "position": score_json(prep.position),
        "moves": [{"uci": m.uci, "san": m.san, **score_json(m.score)} for m in prep.moves],
        "line": line_json(prep, query),
        "leaks": leaks_json(leaks, query),
    }


def answer_prep(args: Any) -> tuple[OpponentPrep, ExplorerQuery]:
    """Parse, index the opponent when needed, read their moves and likely line (the
    dashboard's panel calls this too, so both show the same numbers)."""
    query = query_from_args(args)
    opponent_query(query)  # QueryError without player and colour
    ensure_player_indexed(current_app, query.player or "")
    return read_prep(db.engine.connect, query), query


def answer_leaks(query: ExplorerQuery) -> tuple[int | None, list[Leak]]:
    """The opponent's rating and their leaks past the query's position."""
    plies = current_app.extensions["settings"].index_plies
    return read_opponent_leaks(db.engine.connect, query, index_plies=plies)


@opponent_api.get("/api/opponent")
def opponent():  # type: ignore[no-untyped-def]
    try:
        prep, query = answer_prep(request.args)
        rating, leaks = answer_leaks(query)
    except PlayerNotFound as error:
        with db.engine.begin() as connection:
            record_requested_player(connection, request.args.get("player", ""))
        return error_response(404, str(error))
    return jsonify(opponent_json(prep, query, rating, leaks))
