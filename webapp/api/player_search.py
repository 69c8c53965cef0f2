"""`GET /api/players?prefix=fisch&limit=10`: player names starting with a prefix, most games first.

Answers `{"players": [{"name", "games", "sources", "spellings"}]}`: `name` as the source
spells it, `games` over every source and spelling merged into it ("Anand,V" and "Anand, V"
are one suggestion). The dashboard's player box asks it as you type.
"""

from __future__ import annotations

from collections.abc import Mapping

from flask import Blueprint, jsonify, request

from webapp.caching import memoized
from webapp.db.players import PlayerSuggestion, name_key, suggest_players
from webapp.extensions import db
from webapp.model.query import QueryError

player_search_api = Blueprint("player_search_api", __name__)

MAX_PREFIX, MAX_LIMIT, DEFAULT_LIMIT = 60, 50, 10


def parse_search_args(args: Mapping[str, str]) -> tuple[str, int]:
    """(prefix, limit) from the query string; QueryError says what is wrong."""
    prefix = (args.get("prefix") or "").strip()
    if not prefix:
        raise QueryError("prefix is required: the start of a player's name, e.g. prefix=fisch")
    if len(prefix) > MAX_PREFIX:
        raise QueryError(f"prefix must be at most {MAX_PREFIX} characters; got {len(prefix)}")
    raw = args.get("limit") or str(DEFAULT_LIMIT)
    try:
        limit = int(raw)
    except ValueError:
        raise QueryError(f"limit must be a whole number; got {raw!r}") from None
    if not 1 <= limit <= MAX_LIMIT:
        raise QueryError(f"limit must be between 1 and {MAX_LIMIT}; got {limit}")
    return prefix, limit


@player_search_api.get("/api/players")
def players():  # type: ignore[no-untyped-def]
    prefix, limit = parse_search_args(request.args)

    def compute() -> list[PlayerSuggestion]:
        with db.engine.connect() as connection:
            return suggest_players(connection, prefix, limit=limit)

    # cached until the next import (the cache's generation), like the explorer's answers
    found = memoized(f"players:{name_key(prefix)}:{limit}", compute)
    return jsonify(
        {
            "prefix": prefix,
            "players": [
                {"name": s.name, "games": s.games, "sources": list(s.sources), "spellings": list(s.spellings)}
                for s in found
            ],
        }
    )
