"""One stored game as people see it: players, ratings, result, speed, date and link.

`read_summaries` reads the short form the games lists show (one SELECT for any number of
games); `find_game` reads one game whole, by its public id (webapp.model.game_ids), for
the game viewer and `GET /api/games/<id>`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

import chess
from sqlalchemy import Connection, Select, select
from sqlalchemy.orm import aliased

from webapp.db.list_parameters import in_list
from webapp.db.tables import collections, games, players
from webapp.model.game_ids import candidate_uids, game_url, public_id
from webapp.model.speed import Speed
from webapp.model.stored_game import decode_clocks, decode_moves
from webapp.model.termination import Termination

WINNERS = {"1-0": "white", "0-1": "black"}


@dataclass(frozen=True)
class GameSummary:
    """A game in a list: who played whom, how it ended, when; `date` as precise as known."""

    db_id: int
    public_id: str
    url: str | None
    white: str
    white_rating: int | None
    black: str
    black_rating: int | None
    winner: str | None  # white | black | None (a draw)
    speed: str  # lichess's word (webapp.model.speed.SPEED_NAMES)
    date: str | None  # "2023.05.14", "2020.03" (month known), "1901" (year only), None
    rated: bool = True

    @property
    def year(self) -> int | None:
        return int(self.date[:4]) if self.date else None

    @property
    def month(self) -> str | None:
        """YYYY-MM when the month is known (lichess's `month`)."""
        if not self.date or len(self.date) < 7:
            return None
        return f"{self.date[:4]}-{self.date[5:7]}"

    @property
    def result(self) -> str:
        """The PGN result: 1-0, 0-1 or 1/2-1/2."""
        return {"white": "1-0", "black": "0-1"}.get(self.winner or "", "1/2-1/2")


@dataclass(frozen=True)
class GameDetail:
    """A whole game: its summary, every move (UCI and SAN), clocks and the remaining tags."""

    summary: GameSummary
    moves: tuple[str, ...]
    san: tuple[str, ...]
    clocks: tuple[float | None, ...]  # the mover's seconds left after each ply; () when none
    termination: str  # webapp.model.termination.Termination's label: "checkmate", "time", ...
    event: str | None
    site: str | None
    time_control: str | None
    eco: str | None
    rated: bool
    collection: str | None


def date_text(played_on: date | None, month: int) -> str | None:
    """The game's date as precise as known: 2023.05.14, 2020.03 (month), 1901 (year), None."""
    if played_on is not None:
        return played_on.strftime("%Y.%m.%d")
    if month <= 0:
        return None
    year, month_of_year = divmod(month, 100)
    return f"{year:04d}" if month_of_year == 0 else f"{year:04d}.{month_of_year:02d}"


def winner_of(result: str) -> str | None:
    return WINNERS.get(result)


def _select(*extra: Any) -> Select[Any]:
    white, black = aliased(players), aliased(players)
    return (
        select(
            games.c.id, games.c.uid, games.c.site, white.c.display_name, games.c.white_rating,
            black.c.display_name, games.c.black_rating, games.c.result, games.c.speed,
            games.c.played_on, games.c.month, games.c.rated, *extra,
        )  # fmt: skip
        .join(white, white.c.id == games.c.white_id)
        .join(black, black.c.id == games.c.black_id)
    )


def _summary(row: Any) -> GameSummary:
    (db_id, uid, site, white, white_rating, black, black_rating, result, speed, played_on,
     month, rated) = row[:12]  # fmt: skip
    return GameSummary(
        db_id=int(db_id),
        public_id=public_id(uid),
        url=game_url(uid, site),
        white=white,
        white_rating=white_rating,
        black=black,
        black_rating=black_rating,
        winner=winner_of(result),
        speed=Speed(speed).label,
        date=date_text(played_on, month),
        rated=bool(rated),
    )


@lru_cache(maxsize=8)
def _summaries_statement(dialect: str) -> Select[Any]:
    """read_summaries' statement, built once: the ids are one list parameter."""
    return _select().where(in_list(games.c.id, "ids", dialect))


def read_summaries(connection: Connection, ids: Sequence[int]) -> dict[int, GameSummary]:
    """The summaries of the games with these database ids (ids not found are left out)."""
    wanted = sorted({int(i) for i in ids})
    if not wanted:
        return {}
    rows = connection.execute(_summaries_statement(connection.dialect.name), {"ids": wanted})
    return {summary.db_id: summary for summary in map(_summary, rows)}


def find_game(connection: Connection, public: str) -> GameDetail | None:
    """The game with this public id (a lichess id, a chess.com number, a hash), or None."""
    uids = candidate_uids(public)
    if not uids:
        return None
    statement = _select(
        games.c.moves, games.c.clocks, games.c.termination, games.c.event, games.c.time_control,
        games.c.eco, collections.c.name,
    ).outerjoin(collections, collections.c.id == games.c.collection_id).where(games.c.uid.in_(uids))
    rows = {row.uid: row for row in connection.execute(statement)}
    row = next((rows[uid] for uid in uids if uid in rows), None)
    if row is None:
        return None
    moves, clocks, termination, event, time_control, eco, collection = row[12:]
    uci = decode_moves(moves)
    return GameDetail(
        summary=_summary(row),
        moves=tuple(uci),
        san=tuple(san_moves(uci)),
        clocks=tuple(decode_clocks(clocks)),
        termination=_termination_label(termination),
        event=event,
        site=row.site,
        time_control=time_control,
        eco=eco,
        rated=bool(row.rated),
        collection=collection,
    )


def san_moves(moves: Sequence[str], fen: str | None = None) -> list[str]:
    """The UCI moves in SAN, each in the position it is played in."""
    board = chess.Board(fen) if fen else chess.Board()
    out = []
    for uci in moves:
        move = chess.Move.from_uci(uci)
        out.append(board.san(move))
        board.push(move)
    return out


def _termination_label(value: int) -> str:
    try:
        return Termination(value).label
    except ValueError:
        return Termination.UNKNOWN.label
