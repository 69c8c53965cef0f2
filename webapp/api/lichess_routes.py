"""`GET /lichess`, `/masters` and `/player`: the lichess explorer API, so lichess clients work.

Point a lichess client at this server's root (berserk: `Client(explorer_url=...)`). The
old names lichess still answers (`/master`, `/personal`, `/lichess/history`) answer too.
`/player` streams NDJSON as lichess does: one answer per line, the last one final.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace

from flask import Blueprint, Response, current_app, jsonify, request, stream_with_context

from webapp.api.lichess_answer import Answer, player_answers, read_answer
from webapp.api.lichess_wire import (
    LichessRequest,
    answer_json,
    lichess_request,
    masters_request,
    player_request,
)
from webapp.db.players import record_requested_player
from webapp.extensions import db
from webapp.jobs.player_index import ensure_player_indexed

lichess_api = Blueprint("lichess_api", __name__)


def _answer(lichess: LichessRequest):  # type: ignore[no-untyped-def]
    return jsonify(answer_json(read_answer(db.engine.connect, lichess), lichess))


@lichess_api.get("/lichess")
def lichess():  # type: ignore[no-untyped-def]
    return _answer(lichess_request(request.args))


@lichess_api.get("/lichess/history")
def lichess_history():  # type: ignore[no-untyped-def]
    """Lichess's older history endpoint: /lichess with history and nothing else."""
    asked = lichess_request(request.args)
    return _answer(replace(asked, history=True, moves=0, top_games=0, recent_games=0))


@lichess_api.get("/masters")
@lichess_api.get("/master")
def masters():  # type: ignore[no-untyped-def]
    return _answer(masters_request(request.args))


def _ndjson(lichess: LichessRequest, answers: Iterator[Answer]) -> Iterator[str]:
    for answer in answers:
        yield json.dumps(answer_json(answer, lichess), separators=(",", ":")) + "\n"


@lichess_api.get("/player")
@lichess_api.get("/personal")
def player():  # type: ignore[no-untyped-def]
    asked = player_request(request.args)
    if asked.query.player:
        ensure_player_indexed(current_app, asked.query.player)  # counted meanwhile
    answers = player_answers(db.engine.connect, asked)
    first = next(answers)  # read before the stream starts, so a failure is a plain error
    if not first.player_found:
        with db.engine.begin() as connection:
            record_requested_player(connection, asked.query.player or "")

    def lines() -> Iterator[str]:
        yield from _ndjson(asked, iter([first]))
        yield from _ndjson(asked, answers)

    return Response(
        stream_with_context(lines()),
        mimetype="application/x-ndjson",
        headers={"X-Accel-Buffering": "no"},
    )
