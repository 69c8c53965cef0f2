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


def opponent_json(prep: OpponentPrep, query: ExplorerQuery, rating: int | None, leaks: list[Leak]) -> dict[str, Any]:
    """The prep as JSON; links keep the opponent as the explorer's player, with their colour."""
    theirs = opponent_query(query)
    return {
        "opponent": prep.opponent,
        "color": prep.color,
        "opponentColor": prep.opponent_color,
        "fen": prep.fen,
        "toMove": prep.to_move,
        "rating": rating,
        "position": score_json(prep.position),
        "moves": [{"uci": m.uci, "san": m.san, **score_json(m.score)} for m in prep.moves],
        "line": [
            {"uci": s.uci, "san": s.san, "mover": s.mover, "play": ",".join(s.play),
             "url": explorer_url(theirs, s.play), **score_json(s.score)}
            for s in prep.line
        ],
        "leaks": [
            {"play": ",".join(leak.play), "fen": leak.fen,
             "url": explorer_url(theirs.with_position(None, leak.play)),
             "yourScore": _your_score(leak), **comparison_json(leak.comparison)}
            for leak in leaks
        ],
    }


def answer_opponent(args: Any) -> tuple[OpponentPrep, ExplorerQuery, int | None, list[Leak]]:
    """Parse, index the opponent when needed, read the prep and the leaks (the dashboard's
    panel calls this too, so both show the same numbers)."""
    query = query_from_args(args)
    opponent_query(query)  # QueryError without player and colour
    ensure_player_indexed(current_app, query.player or "")
    prep = read_prep(db.engine.connect, query)
    plies = current_app.extensions["settings"].index_plies
    rating, leaks = read_opponent_leaks(db.engine.connect, query, index_plies=plies)
    return prep, query, rating, leaks


@opponent_api.get("/api/opponent")
def opponent():  # type: ignore[no-untyped-def]
    try:
        prep, query, rating, leaks = answer_opponent(request.args)
    except PlayerNotFound as error:
        with db.engine.begin() as connection:
            record_requested_player(connection, request.args.get("player", ""))
        return error_response(404, str(error))
    return jsonify(opponent_json(prep, query, rating, leaks))
