"""chess.com's public API: a player's monthly archives, each month's games as GameRecords.

`GET /pub/player/{username}/games/archives` lists the months that have games;
`GET /pub/player/{username}/games/{YYYY}/{MM}` returns `{"games": [...]}` where each game
carries `url`, `pgn`, `time_control`, `time_class`, `rules`, `rated` and `white`/`black`
with `username`, `rating` and `result`.
"""

from __future__ import annotations

import io
import json
import math
import re
from collections.abc import Iterable
from datetime import UTC, date, datetime
from typing import Any

import chess
import chess.pgn

from webapp.indexer.games import SKIP_NUL, GameRecord, chesscom_uid, has_nul
from webapp.indexer.replay import legal_moves_keys
from webapp.indexer.sources.errors import FetchError
from webapp.indexer.sources.http import SiteClient
from webapp.model.speed import Speed, speed_from_time_control
from webapp.model.termination import CHESSCOM_CODES, Termination, termination_of

_ARCHIVE = re.compile(r"/games/(\d{4})/(\d{2})/?$")
_DRAWS = {"agreed", "repetition", "stalemate", "insufficient", "50move", "timevsinsufficient"}


def month_label(month: int) -> str:
    return f"{month // 100:04d}-{month % 100:02d}"


def archive_months(client: SiteClient, username: str) -> list[int]:
    """The months (yyyymm, oldest first) in which `username` has games."""
    what = f"chess.com archives list of {username!r}"
    response = client.get(f"/pub/player/{username}/games/archives", what=what)
    body = _json(response.text, what)
    archives = body.get("archives") if isinstance(body, dict) else None
    if not isinstance(archives, list):
        raise FetchError(f"{what}: the answer has no 'archives' list")
    months = set()
    for url in archives:
        match = _ARCHIVE.search(str(url))
        if not match:
            raise FetchError(f"{what}: cannot read the month of archive {url!r}")
        months.add(int(match.group(1)) * 100 + int(match.group(2)))
    return sorted(months)


def fetch_month(client: SiteClient, username: str, month: int) -> list[dict[str, Any]]:
    """The raw games of one monthly archive; FetchError names the month on any problem."""
    what = f"chess.com games of {username!r} for {month_label(month)}"
    response = client.get(
        f"/pub/player/{username}/games/{month // 100:04d}/{month % 100:02d}", what=what
    )
    body = _json(response.text, what)
    games = body.get("games") if isinstance(body, dict) else None
    if not isinstance(games, list) or not all(isinstance(g, dict) for g in games):
        raise FetchError(f"{what}: the answer has no 'games' list")
    return games


def _json(text: str, what: str) -> Any:
    try:
        return json.loads(text)
    except ValueError as error:
        raise FetchError(f"{what}: the answer is not valid JSON ({error})") from None


def records_from_month(
    games: Iterable[dict[str, Any]],
) -> tuple[list[GameRecord], dict[str, int]]:
    """GameRecords for the standard games, and counts of the others by reason."""
    records: list[GameRecord] = []
    skipped: dict[str, int] = {}
    for game in games:
        outcome = record_from_game(game)
        if isinstance(outcome, str):
            skipped[outcome] = skipped.get(outcome, 0) + 1
        else:
            records.append(outcome)
    return records, skipped


def record_from_game(game: dict[str, Any]) -> GameRecord | str:
    """One archive game as a GameRecord, or the reason it is skipped."""
    rules = str(game.get("rules", "chess"))
    if rules != "chess":
        return f"non-standard rules ({rules})"
    uid = chesscom_uid(str(game.get("url", "")))
    pgn_text = game.get("pgn")
    if uid is None or not isinstance(pgn_text, str):
        return "no game URL or PGN"
    parsed = chess.pgn.read_game(io.StringIO(pgn_text))
    if parsed is None:
        return "unreadable PGN"
    headers = parsed.headers
    if headers.get("SetUp") == "1" or "FEN" in headers:  # thematic tournaments, odds games
        return "non-standard start position"
    if parsed.errors:
        return "unreadable PGN"
    white, black = game.get("white") or {}, game.get("black") or {}
    result = headers.get("Result") or ""
    if result not in ("1-0", "0-1", "1/2-1/2"):
        result = _result(white, black)
    if result is None:
        return "unfinished game"
    moves = [move.uci() for move in parsed.mainline_moves()]
    clocks = [node.clock() for node in parsed.mainline()]
    time_control = str(game.get("time_control") or headers.get("TimeControl") or "") or None
    speed = speed_from_time_control(time_control)
    if speed is None:
        speed = Speed.CORRESPONDENCE if game.get("time_class") == "daily" else None
    if speed is None:
        return "unknown time control"
    played_on = _date(headers.get("UTCDate") or headers.get("Date"), game.get("end_time"))
    record = GameRecord(
        uid=uid,
        source="chesscom",
        white=str(white.get("username") or headers.get("White") or "?"),
        black=str(black.get("username") or headers.get("Black") or "?"),
        white_rating=_rating(white.get("rating")),
        black_rating=_rating(black.get("rating")),
        result=result,
        speed=speed,
        rated=bool(game.get("rated", True)),
        played_on=played_on,
        moves=moves,
        **legal_moves_keys(moves),
        time_control=time_control,
        event=headers.get("Event"),
        site=str(game.get("url")),
        eco=(headers.get("ECO") or None),
        termination=int(_termination(white, black, result, headers, parsed.end().board())),
        clocks=None if all(c is None for c in clocks) else [math.nan if c is None else c for c in clocks],
    )
    return SKIP_NUL if has_nul(record) else record


def _termination(white: dict, black: dict, result: str, headers, board: chess.Board) -> Termination:  # type: ignore[no-untyped-def, type-arg]
    """The loser's (or a drawn game's) chess.com result code, else the PGN tag and board."""
    loser = black if result == "1-0" else white if result == "0-1" else white
    code = CHESSCOM_CODES.get(str(loser.get("result", "")))
    if code is not None and code != Termination.UNKNOWN:
        return code
    return termination_of(
        headers.get("Termination"),
        result,
        checkmate=board.is_checkmate(),
        stalemate=board.is_stalemate(),
        insufficient=board.is_insufficient_material(),
        fifty_moves=board.halfmove_clock >= 100,
    )


def _result(white: dict[str, Any], black: dict[str, Any]) -> str | None:
    if white.get("result") == "win":
        return "1-0"
    if black.get("result") == "win":
        return "0-1"
    if white.get("result") in _DRAWS:
        return "1/2-1/2"
    return None


def _rating(value: Any) -> int | None:
    try:
        rating = int(value)
    except (TypeError, ValueError):
        return None
    return rating if 0 < rating < 4000 else None


def _date(text: str | None, end_time: Any) -> date | None:
    if text:
        try:
            return datetime.strptime(text, "%Y.%m.%d").date()
        except ValueError:
            pass
    if isinstance(end_time, int):
        return datetime.fromtimestamp(end_time, UTC).date()
    return None
