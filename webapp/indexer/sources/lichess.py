"""lichess's API: a user's games as an NDJSON stream (`/api/games/user/{username}`).

Games are asked for oldest first (`sort=dateAsc`) so that an interrupted import can go on
`since` the last game that landed. Each line is one game: `id`, `rated`, `variant`,
`speed`, `createdAt` (epoch ms), `status`, `players.{white,black}` with `user.name` and
`rating` (or `aiLevel`), `winner` (absent for a draw), `moves` (SAN) and `clock`.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import chess
import requests

from webapp.indexer.games import SKIP_NUL, GameRecord, has_nul, lichess_uid
from webapp.indexer.replay import legal_moves_keys
from webapp.indexer.sources.errors import FetchError
from webapp.indexer.sources.http import SiteClient, describe_network_error
from webapp.model.speed import Speed, speed_from_time_control
from webapp.model.termination import LICHESS_STATUS, Termination, termination_of

UNFINISHED = {"created", "started", "aborted", "noStart", "unknownFinish"}


def user_game_count(client: SiteClient, username: str) -> int | None:
    """How many games lichess counts for the user (for the progress bar); 404 → UserNotFound."""
    what = f"lichess account {username!r}"
    response = client.get(f"/api/user/{username}", what=what)
    try:
        return int(response.json()["count"]["all"])
    except (ValueError, KeyError, TypeError):
        return None


def stream_games(
    client: SiteClient,
    username: str,
    *,
    since_ms: int | None = None,
    until_ms: int | None = None,
    perf_type: str | None = None,
    max_games: int | None = None,
) -> Iterator[dict[str, Any]]:
    """The user's games, oldest first, one dict per NDJSON line.

    A line that is not JSON, or a connection that breaks, raises FetchError naming how
    many games arrived whole and the `since` the stream started from.
    """
    params: dict[str, Any] = {
        "sort": "dateAsc",
        "moves": "true",
        "pgnInJson": "false",
        "clocks": "true",
        "evals": "false",
        "opening": "false",
    }
    if since_ms:
        params["since"] = since_ms
    if until_ms:
        params["until"] = until_ms
    if perf_type:
        params["perfType"] = perf_type
    if max_games:
        params["max"] = max_games
    start = _when(since_ms)
    what = f"lichess games of {username!r} since {start}"
    response = client.get(
        f"/api/games/user/{username}",
        what=what,
        params=params,
        headers={"Accept": "application/x-ndjson"},
        stream=True,
    )
    received = 0
    pending: str | None = None
    try:
        for raw in response.iter_lines(decode_unicode=False):
            if pending is not None:
                yield _parse(pending, received, what)
                received += 1
                pending = None
            line = raw.decode("utf-8", errors="replace").strip()
            if line:
                pending = line
    except requests.RequestException as error:
        raise FetchError(
            f"{what}: the stream broke after {received} whole games "
            f"({describe_network_error(error, client.base_url)})"
        ) from None
    finally:
        response.close()
    if pending is not None:
        try:
            game = json.loads(pending)
        except ValueError:
            raise FetchError(
                f"{what}: the stream was cut off after {received} whole games "
                "(its last line is incomplete)"
            ) from None
        yield game


def _parse(line: str, received: int, what: str) -> dict[str, Any]:
    try:
        game = json.loads(line)
    except ValueError as error:
        raise FetchError(f"{what}: game {received + 1} of the stream is not valid JSON ({error})") from None
    if not isinstance(game, dict):
        raise FetchError(f"{what}: game {received + 1} of the stream is not a JSON object")
    return game


def _when(ms: int | None) -> str:
    if not ms:
        return "the first game"
    return datetime.fromtimestamp(ms / 1000, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def record_from_game(game: dict[str, Any]) -> GameRecord | str:
    """One exported game as a GameRecord, or the reason it is skipped."""
    variant = str(game.get("variant", "standard"))
    if variant != "standard":
        return f"non-standard rules ({variant})"
    if game.get("status") in UNFINISHED:
        return "unfinished or aborted"
    game_id = str(game.get("id", ""))
    if len(game_id) < 8:
        return "no game id"
    players = game.get("players") or {}
    white, black = players.get("white") or {}, players.get("black") or {}
    if "aiLevel" in white or "aiLevel" in black:
        return "against the lichess AI"
    board = chess.Board()
    moves: list[str] = []
    try:
        for san in str(game.get("moves", "")).split():
            moves.append(board.push_san(san).uci())
    except ValueError:
        return "unreadable moves"
    winner = game.get("winner")
    result = "1-0" if winner == "white" else "0-1" if winner == "black" else "1/2-1/2"
    clock = game.get("clock")
    time_control = None
    speed: Speed | None = None
    if isinstance(clock, dict) and "initial" in clock:
        time_control = f"{int(clock['initial'])}+{int(clock.get('increment', 0))}"
        speed = speed_from_time_control(time_control)
    if speed is None:
        try:
            speed = Speed.parse(str(game.get("speed", "")))
        except ValueError:
            return "unknown speed"
        if speed is Speed.CORRESPONDENCE:
            time_control = "-"
    created = game.get("createdAt")
    played_on = (
        datetime.fromtimestamp(created / 1000, UTC).date() if isinstance(created, int) else None
    )
    rated = bool(game.get("rated", False))
    record = GameRecord(
        uid=lichess_uid(game_id),
        source="lichess",
        white=_name(white),
        black=_name(black),
        white_rating=_rating(white),
        black_rating=_rating(black),
        result=result,
        speed=speed,
        rated=rated,
        played_on=played_on,
        moves=moves,
        **legal_moves_keys(moves),
        time_control=time_control,
        event=f"{'Rated' if rated else 'Casual'} {speed.label} game",
        site=f"https://lichess.org/{game_id[:8]}",
        termination=int(_termination(str(game.get("status", "")), result, board)),
        clocks=_clocks(game.get("clocks"), len(moves)),
    )
    return SKIP_NUL if has_nul(record) else record


def _termination(status: str, result: str, board: chess.Board) -> Termination:
    """lichess's `status`; a flag against a lone king is a draw (timeout vs insufficient)."""
    kind = LICHESS_STATUS.get(status, Termination.UNKNOWN)
    if kind is Termination.TIME and result == "1/2-1/2":
        return Termination.TIMEOUT_VS_INSUFFICIENT
    if kind is Termination.AGREEMENT:  # "draw": agreed, or claimed; the board may say which
        return termination_of("Normal", result, insufficient=board.is_insufficient_material(),
                              fifty_moves=board.halfmove_clock >= 100)
    return kind


def _clocks(clocks: Any, plies: int) -> list[float] | None:
    """lichess's `clocks` (centiseconds left after each ply) in seconds."""
    if not isinstance(clocks, list) or not clocks:
        return None
    try:
        seconds = [int(value) / 100 for value in clocks[:plies]]
    except (TypeError, ValueError):
        return None
    return seconds + [math.nan] * (plies - len(seconds))


def _name(side: dict[str, Any]) -> str:
    user = side.get("user")
    if isinstance(user, dict) and user.get("name"):
        return str(user["name"])
    return "Anonymous"


def _rating(side: dict[str, Any]) -> int | None:
    try:
        rating = int(side.get("rating"))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return rating if 0 < rating < 4000 else None
