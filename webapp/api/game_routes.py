"""`GET /api/games/<id>`: one stored game whole, as JSON or (`<id>.pgn`) as a PGN download.

The id is the game's public id (webapp.model.game_ids): a lichess id, a chess.com number,
a file game's hash. An unknown id is a JSON 404 that says so.
"""

from __future__ import annotations

from flask import Blueprint, Response, jsonify

from webapp.api.errors import error_response
from webapp.api.game_json import detail_json, game_pgn
from webapp.db.game_summaries import GameDetail, find_game
from webapp.extensions import db

games_api = Blueprint("games_api", __name__)


def _not_found(public: str):  # type: ignore[no-untyped-def]
    return error_response(404, f"no game with id {public!r} in this explorer's games")


def _find(public: str) -> GameDetail | None:
    with db.engine.connect() as connection:
        return find_game(connection, public)


@games_api.get("/api/games/<public>.pgn")
def game_pgn_download(public: str):  # type: ignore[no-untyped-def]
    detail = _find(public)
    if detail is None:
        return _not_found(public)
    return Response(
        game_pgn(detail),
        mimetype="text/x-chess-pgn",
        headers={"Content-Disposition": f'attachment; filename="{detail.summary.public_id}.pgn"'},
    )


@games_api.get("/api/games/<public>")
def game(public: str):  # type: ignore[no-untyped-def]
    detail = _find(public)
    if detail is None:
        return _not_found(public)
    return jsonify(detail_json(detail))
