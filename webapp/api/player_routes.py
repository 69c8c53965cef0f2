"""The player view on the JSON API: compare with peers, leaks, history, exports, people, imports.

`GET /api/player/compare|peers|leaks|history` take the explorer's parameters (player and color
required where the peers' side matters) plus `band` (± rating around the player's,
default 100), and for leaks `min_games` and `limit`. `GET /api/export/moves.csv` and
`/api/export/games.pgn` download the current move table and the games behind a position.
"""

from __future__ import annotations

import csv
import hmac
import io
from collections.abc import Iterator, Mapping
from contextlib import ExitStack
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request, stream_with_context

from webapp.api.errors import error_response
from webapp.api.heavy import heavy_slot
from webapp.api.wire import query_from_args
from webapp.db.explorer import read_explorer
from webapp.db.leaks import (
    DEFAULT_BAND_WIDTH,
    GameExport,
    PlayerNotFound,
    compare_player,
    export_cut,
    export_position_games,
    player_history,
    read_leaks,
    read_peers,
    stream_position_games,
)
from webapp.db.people import AccountSpecError, link_accounts, list_people, parse_account
from webapp.db.players import record_requested_player
from webapp.extensions import db, limiter
from webapp.indexer.sources.errors import AccountImportError
from webapp.jobs.player_index import ensure_player_indexed
from webapp.model.deadline import Deadline
from webapp.model.links import explorer_url
from webapp.model.player_wire import comparison_json, score_json
from webapp.model.query import QueryError, check_name, format_month, normalise_player
from webapp.model.think_time import ThinkTime
from webapp.security import export_rate_limit, write_rate_limit

player_api = Blueprint("player_api", __name__)


@player_api.before_request
def _index_player_first():  # type: ignore[no-untyped-def]
    """A player's statistics are counted on first request (at once when few games); the
    views then read them, or answer 202 with the progress while a job counts them."""
    name = request.args.get("player", "")
    if request.method == "GET" and name.strip():
        ensure_player_indexed(current_app, normalise_player(name))
    return None

EXTRA = ("band", "min_games", "limit")
MAX_JOB_ID = 2**31 - 1
EXPORT_LIMIT = 1000  # games in a PGN export unless `limit` asks otherwise
MAX_EXPORT_LIMIT = 10000  # the most `limit` may ask (the time budget bounds it too)


def parse_player_args(args: Mapping[str, str], *, max_limit: int = 500) -> tuple[Any, dict[str, int]]:
    """The explorer query and the player view's own numbers (band, min_games, limit)."""
    explorer_args = {k: v for k, v in args.items() if k not in EXTRA}
    extra: dict[str, int] = {}
    for name, low, high in (("band", 0, 1000), ("min_games", 1, 100000), ("limit", 1, max_limit)):
        if name in args and args[name] != "":
            try:
                value = int(args[name])
            except ValueError:
                raise QueryError(f"{name} must be a whole number; got {args[name]!r}") from None
            if not low <= value <= high:
                raise QueryError(f"{name} must be between {low} and {high}; got {value}")
            extra[name] = value
    return query_from_args(explorer_args), extra


def _not_found(error: PlayerNotFound, player: str):  # type: ignore[no-untyped-def]
    with db.engine.begin() as connection:
        record_requested_player(connection, player)
    return error_response(404, str(error))


@player_api.get("/api/player/compare")
def compare():  # type: ignore[no-untyped-def]
    query, extra = parse_player_args(request.args)
    try:
        with db.engine.connect() as connection:
            result = compare_player(connection, query, band_width=extra.get("band", DEFAULT_BAND_WIDTH))
    except PlayerNotFound as error:
        return _not_found(error, query.player or "")
    return jsonify(
        {
            "player": result.player,
            "color": result.color,
            "rating": result.rating,
            "peers": {"ratingMin": result.peer_rating_min, "ratingMax": result.peer_rating_max},
            "position": comparison_json(result.position),
            "moves": [
                {"uci": m.uci, "san": m.san, **comparison_json(m.comparison)} for m in result.moves
            ],
        }
    )


@player_api.get("/api/player/peers")
def peers():  # type: ignore[no-untyped-def]
    """Who the player is compared with (the dashboard's peers, in both tabs)."""
    query, extra = parse_player_args(request.args)
    try:
        found = read_peers(db.engine.connect, query, band_width=extra.get("band", DEFAULT_BAND_WIDTH))
    except PlayerNotFound as error:
        return _not_found(error, query.player or "")
    return jsonify(
        {
            "player": query.player,
            "color": query.color,
            "rating": found.rating,
            "ratingMin": found.rating_min,
            "ratingMax": found.rating_max,
            "band": found.band_width,
            "label": found.label(query.player or ""),
        }
    )


@player_api.get("/api/player/leaks")
def leaks():  # type: ignore[no-untyped-def]
    query, extra = parse_player_args(request.args)
    band = extra.get("band", DEFAULT_BAND_WIDTH)
    try:
        search = read_leaks(
            db.engine.connect, query, band_width=band, min_games=extra.get("min_games", 3),
            limit=extra.get("limit", 20),
            index_plies=current_app.extensions["settings"].index_plies,
            deadline=request_deadline(), slot=heavy_slot("leaks"),
        )
    except PlayerNotFound as error:
        return _not_found(error, query.player or "")
    return jsonify(
        {
            "player": query.player,
            "color": query.color,
            "rating": search.rating,
            **({"limitedTo": search.limited_to, "note": search.note} if search.note else {}),
            "leaks": [
                {
                    "play": ",".join(leak.play),
                    "fen": leak.fen,
                    "url": explorer_url(query, leak.play),
                    **comparison_json(leak.comparison),
                }
                for leak in search.leaks
            ],
        }
    )


@player_api.get("/api/player/history")
def history():  # type: ignore[no-untyped-def]
    query, _extra = parse_player_args(request.args)
    try:
        with db.engine.connect() as connection:
            months = player_history(connection, query)
    except PlayerNotFound as error:
        return _not_found(error, query.player or "")
    return jsonify(
        {
            "player": query.player,
            "color": query.color,
            "months": [{"month": format_month(m.month), **score_json(m.score)} for m in months],
        }
    )


def move_table_csv(args: Mapping[str, str]) -> str:
    """The move table for the query as CSV, with the think-time columns (the lower median's
    bucket in seconds, to empty when open above; the low-clock share of the games with
    clocks; the games without clocks) and the player-vs-peers columns when they apply."""
    query, extra = parse_player_args(args)
    result = read_explorer(db.engine.connect, query, with_think_time=True)
    comparisons = {}
    if query.player and query.color and result.player_found:
        with db.engine.connect() as connection:
            compared = compare_player(connection, query, band_width=extra.get("band", DEFAULT_BAND_WIDTH))
        comparisons = {m.uci: m.comparison for m in compared.moves}
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    header = [
        "uci", "san", "games", "white", "draws", "black", "average_rating", "white_score",
        "think_median_from_s", "think_median_to_s", "low_clock_share", "no_clock_games",
    ]  # fmt: skip
    if comparisons:
        header += ["player_score", "player_low", "player_high", "peer_games", "peer_score", "difference"]
    writer.writerow(header)
    for move in result.moves:
        r = move.results
        row: list[Any] = [move.uci, move.san, r.games, r.white, r.draws, r.black,
                          r.average_rating if r.average_rating is not None else "",
                          "" if r.score is None else f"{r.score:.4f}", *_think_cells(r.think_time)]
        if comparisons:
            c = comparisons.get(move.uci)
            interval = c.player.interval if c else None
            row += [
                "" if c is None or c.player.score is None else f"{c.player.score:.4f}",
                "" if interval is None else f"{interval[0]:.4f}",
                "" if interval is None else f"{interval[1]:.4f}",
                0 if c is None else c.peers.games,
                "" if c is None or c.peers.score is None else f"{c.peers.score:.4f}",
                "" if c is None or c.difference is None else f"{c.difference:.4f}",
            ]
        writer.writerow(row)
    return out.getvalue()


def _think_cells(think: ThinkTime | None) -> list[Any]:
    """The CSV's think-time cells of a move (webapp.model.think_time)."""
    if think is None:
        return ["", "", "", ""]
    median, share = think.median, think.low_clock_share
    return [
        "" if median is None else median[0],
        "" if median is None or median[1] is None else median[1],
        "" if share is None else f"{share:.4f}",
        think.no_clock,
    ]


def request_deadline() -> Deadline:
    """This request's time budget for work in Python (the settings' request_deadline_s)."""
    return Deadline.after(current_app.extensions["settings"].request_deadline_s)


def games_export(args: Mapping[str, str]) -> GameExport:
    """The games behind the query's position (at most `limit`, default 1000), within the
    request's time budget."""
    query, extra = parse_player_args(args, max_limit=MAX_EXPORT_LIMIT)
    plies = current_app.extensions["settings"].index_plies
    with heavy_slot("PGN exports"), db.engine.connect() as connection:
        return export_position_games(connection, query, index_plies=plies, limit=extra.get("limit", EXPORT_LIMIT),
                            deadline=request_deadline())


def pgn_text(export: GameExport) -> str:
    """The exported games as PGN; a cut export begins with a `%` line saying so (PGN's
    escape line, which readers skip)."""
    head = "" if export.note is None else f"% {export.note}\n\n"
    return head + "".join(game + "\n\n" for game in export.games)


def games_pgn(args: Mapping[str, str]) -> str:
    """The games behind the query's position as PGN text (see games_export)."""
    return pgn_text(games_export(args))


@player_api.get("/api/export/moves.csv")
def export_moves():  # type: ignore[no-untyped-def]
    return Response(
        move_table_csv(request.args),
        mimetype="text/csv",
        headers={"Content-Disposition": "attachment; filename=moves.csv"},
    )


@player_api.get("/api/export/games.pgn")
@limiter.limit(export_rate_limit)
def export_games():  # type: ignore[no-untyped-def]
    """The games behind the position, streamed as PGN as they are read. When the limit cuts
    the export (known from the explorer's count before the first game) a first `%` line and
    the X-Export-Note header say so; when the time budget does, a last `%` line."""
    query, extra = parse_player_args(request.args, max_limit=MAX_EXPORT_LIMIT)
    limit = extra.get("limit", EXPORT_LIMIT)
    plies = current_app.extensions["settings"].index_plies
    deadline = request_deadline()
    held = ExitStack()
    try:
        held.enter_context(heavy_slot("PGN exports"))
        connection = held.enter_context(db.engine.connect())
        plan, texts, progress = stream_position_games(
            connection, query, index_plies=plies, limit=limit, deadline=deadline
        )
    except PlayerNotFound as error:
        held.close()
        return error_response(404, str(error))
    except BaseException:
        held.close()
        raise
    planned = GameExport((), limit, plan.total, "limit" if plan.total > limit else None)
    headers = {"Content-Disposition": "attachment; filename=games.pgn", "X-Games": str(min(plan.total, limit))}
    if planned.note is not None:
        headers["X-Export-Note"] = planned.note

    def body() -> Iterator[str]:
        with held:
            if planned.note is not None:
                yield f"% {planned.note}\n\n"
            for text in texts:
                yield text + "\n\n"
            if progress.cut == "time":
                stopped = GameExport(("",) * progress.sent, limit, plan.total, export_cut("time", deadline))
                yield f"% {stopped.note}\n"

    return Response(stream_with_context(body()), mimetype="application/x-chess-pgn", headers=headers)


@player_api.get("/api/people")
def people_list():  # type: ignore[no-untyped-def]
    with db.engine.connect() as connection:
        return jsonify({"people": list_people(connection)})


MAX_ACCOUNTS = 50


def json_object() -> dict[str, Any]:
    """The request's JSON body, which must be an object; QueryError (400) otherwise."""
    body = request.get_json(silent=True)
    if body is None and not request.get_data(cache=True):
        return {}
    if not isinstance(body, dict):
        raise QueryError("the request body must be a JSON object")
    return body


def operator_problem() -> str | None:
    """Why this request may not change shared data, or None (no token configured, or it matches)."""
    token = current_app.extensions["settings"].operator_token
    if not token:
        return None
    sent = request.headers.get("X-Operator-Token", "")
    bearer = request.headers.get("Authorization", "")
    if not sent and bearer.lower().startswith("bearer "):
        sent = bearer[7:].strip()
    if sent and hmac.compare_digest(sent.encode(), token.encode()):
        return None
    return "this changes every user's view: send the operator token in an X-Operator-Token header"


@player_api.post("/api/people/<name>")
@limiter.limit(write_rate_limit)
def people_link(name: str):  # type: ignore[no-untyped-def]
    problem = operator_problem()
    if problem is not None:
        return error_response(401, problem)
    accounts = json_object().get("accounts")
    if (not isinstance(accounts, list) or not accounts or len(accounts) > MAX_ACCOUNTS
            or not all(isinstance(a, str) for a in accounts)):
        return error_response(
            400, f'send {{"accounts": ["lichess:USER", "chesscom:USER"]}} (1 to {MAX_ACCOUNTS})'
        )
    try:
        check_name(name)
        for account in accounts:
            check_name(parse_account(account)[1])
        with db.engine.begin() as connection:
            linked = link_accounts(connection, name, accounts)
    except AccountSpecError as error:
        return error_response(400, str(error))
    from webapp.caching import bump_generation

    bump_generation()
    return jsonify({"person": name, "accounts": linked})


@player_api.post("/api/player/import")
@limiter.limit(write_rate_limit)
def start_import():  # type: ignore[no-untyped-def]
    from webapp.jobs.queue import enqueue_import

    body = json_object()
    try:
        job_id = enqueue_import(
            current_app._get_current_object(),  # type: ignore[attr-defined]
            str(body.get("source", "")),
            str(body.get("username", "")),
        )
    except AccountImportError as error:
        return error_response(400, str(error))
    response = jsonify({"job": job_id, "status": f"/api/player/import/{job_id}"})
    response.status_code = 202
    return response


@player_api.get("/api/player/import/<int:job_id>")
def import_status(job_id: int):  # type: ignore[no-untyped-def]
    from webapp.jobs.imports import job_status

    status = job_status(db.engine, job_id) if job_id <= MAX_JOB_ID else None
    if status is None:
        return error_response(404, f"no import job {job_id}")
    return jsonify(status.__dict__)
