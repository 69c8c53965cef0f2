"""`GET /api/explorer` (parameters as in the Lichess explorer API) and `GET /health`."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request
from sqlalchemy import text

from webapp.api.wire import explorer_json, flag, games_counts, query_from_args
from webapp.caching import cache_reachable
from webapp.db.explorer import read_explorer
from webapp.db.players import record_requested_player
from webapp.extensions import db
from webapp.jobs.player_index import ensure_player_indexed

api = Blueprint("api", __name__)


@api.get("/api/explorer")
def explorer():  # type: ignore[no-untyped-def]
    query = query_from_args(request.args)
    top_games, recent_games = games_counts(request.args)
    if query.player:
        ensure_player_indexed(current_app, query.player)  # else the read answers 202
    result = read_explorer(
        db.engine.connect,
        query,
        with_endings=flag(request.args, "endings"),
        with_think_time=flag(request.args, "thinkTime"),
    )
    if not result.player_found and query.player:
        with db.engine.begin() as connection:
            record_requested_player(connection, query.player)
    return jsonify(explorer_json(result, query, top_games, recent_games))


@api.get("/health")
def health():  # type: ignore[no-untyped-def]
    try:
        with db.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        database = "ok"
    except Exception as error:  # noqa: BLE001
        database = f"unreachable: {type(error).__name__}"
    cache = "ok" if cache_reachable() else "unreachable"
    healthy = database == "ok"
    response = jsonify({"status": "ok" if healthy else "degraded", "database": database, "cache": cache})
    response.status_code = 200 if healthy else 503
    return response
