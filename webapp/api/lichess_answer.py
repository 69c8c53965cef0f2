"""Answering a lichess explorer request from the shared, cached query layer.

Each of the request's terms is one `read_explorer` (and, for `history`, one
`read_history`) call, so /lichess, /masters, /player and /api/explorer share queries and
cache entries. The games lists (`topGames`, `recentGames`) and a move's single `game` come
from the same results (a request's terms are one positive query, less at most one
negative one, whose games leave the lists).
`/player` answers as a stream: `player_answers` is a generator, so the answers sent while
a player is still being indexed can be yielded from it.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import chess

from webapp.api.lichess_wire import Endpoint, LichessRequest
from webapp.db.explorer import read_explorer
from webapp.db.history import MonthResults, read_history
from webapp.db.players import PlayerIndexing
from webapp.model.opening import named_opening
from webapp.model.performance import performance
from webapp.model.stats import ExplorerResult, MoveStats, Opening, Results


@dataclass(frozen=True)
class AnswerMove:
    """One next move in a lichess answer."""

    uci: str
    san: str
    results: Results
    performance: int | None = None
    game: dict[str, Any] | None = None
    opening: Opening | None = None


@dataclass(frozen=True)
class Answer:
    """Everything a lichess answer holds, before it is shaped into JSON."""

    totals: Results
    moves: tuple[AnswerMove, ...]
    opening: Opening | None
    player_found: bool = True
    top_games: tuple[dict[str, Any], ...] = ()
    recent_games: tuple[dict[str, Any], ...] = ()
    history: tuple[MonthResults, ...] | None = None
    queue_position: int = 0


def _signed(results: Results, sign: int) -> tuple[int, int, int, int, int]:
    return (
        sign * results.white,
        sign * results.draws,
        sign * results.black,
        sign * results.rating_sum,
        sign * results.rated_games,
    )


def _add(a: Results | None, b: Results, sign: int) -> Results:
    base = (0, 0, 0, 0, 0) if a is None else _signed(a, 1)
    return Results(*(x + y for x, y in zip(base, _signed(b, sign), strict=True)))


def combine(results: list[tuple[int, ExplorerResult]]) -> ExplorerResult:
    """The signed sum of explorer results for one position (moves that end with no games dropped)."""
    first = results[0][1]
    totals = Results()
    by_move: dict[str, Results] = {}
    san: dict[str, str] = {}
    for sign, result in results:
        totals = _add(totals, result.totals, sign)
        for move in result.moves:
            by_move[move.uci] = _add(by_move.get(move.uci), move.results, sign)
            san[move.uci] = move.san
    moves = sorted(
        (MoveStats(uci, san[uci], r) for uci, r in by_move.items() if r.games > 0),
        key=lambda m: (-m.results.games, m.uci),
    )
    return ExplorerResult(
        fen=first.fen,
        totals=totals,
        moves=tuple(moves),
        opening=first.opening,
        player_found=all(result.player_found for _, result in results),
    )


def fill_months(
    rows: tuple[MonthResults, ...], since: int | None, until: int | None
) -> tuple[MonthResults, ...]:
    """Every month from `since` (else the first with games) to the last with games, gaps as zeros.

    >>> fill_months(((202102, Results(1, 0, 0)),), 202012, None)[0]
    (202012, Results(white=0, draws=0, black=0, rating_sum=0, rated_games=0))
    """
    if not rows:
        return ()
    found = dict(rows)
    month = since if since is not None else rows[0][0]
    last = rows[-1][0] if until is None else min(rows[-1][0], until)
    filled: list[MonthResults] = []
    while month <= last:
        filled.append((month, found.get(month, Results())))
        month = month + 1 if month % 100 < 12 else (month // 100 + 1) * 100 + 1
    return tuple(filled)


def _history(connection_factory, request: LichessRequest) -> tuple[MonthResults, ...]:  # type: ignore[no-untyped-def]
    by_month: dict[int, Results] = {}
    for term in request.terms:
        for month, results in read_history(connection_factory, term.query):
            by_month[month] = _add(by_month.get(month), results, term.sign)
    rows = tuple(sorted(by_month.items()))
    return fill_months(rows, request.query.since, request.query.until)


def games_lists(
    results: list[tuple[int, ExplorerResult]],
) -> tuple[tuple[dict[str, Any], ...], tuple[dict[str, Any], ...]]:
    """(topGames, recentGames): the positive terms' lists without the negative terms' games
    (a game in a subtracted subset ranks at least as high there, so it is listed there too)."""
    taken = {game["id"] for sign, result in results if sign < 0 for game in result.top_games + result.recent_games}
    top = [g for sign, r in results if sign > 0 for g in r.top_games if g["id"] not in taken]
    recent = [g for sign, r in results if sign > 0 for g in r.recent_games if g["id"] not in taken]
    return tuple(top), tuple(recent)


def single_game(results: list[tuple[int, ExplorerResult]], uci: str) -> dict[str, Any] | None:
    """The one game that played `uci` in the position, when only one did."""
    for sign, result in results:
        for move in result.moves:
            if sign > 0 and move.uci == uci and move.game is not None:
                return move.game
    return None


@functools.lru_cache(maxsize=65536)
def opening_after(fen: str, uci: str) -> Opening | None:
    """The named opening of the position the move reaches (exactly that position; read-only memo)."""
    board = chess.Board(fen)
    board.push(chess.Move.from_uci(uci))
    return named_opening(board)


def _performance(results: Results, color: str | None) -> int | None:
    if color is None or not results.games or not results.rated_games:
        return None
    wins, losses = (results.white, results.black) if color == "white" else (results.black, results.white)
    return performance(wins, results.draws, losses, results.rating_sum / results.rated_games)


def read_answer(connection_factory, request: LichessRequest) -> Answer:  # type: ignore[no-untyped-def]
    """The answer to the request, every term read through the explorer's cache."""
    results = [(term.sign, read_explorer(connection_factory, term.query)) for term in request.terms]
    combined = combine(results)
    chosen = combined.moves if request.moves is None else combined.moves[: request.moves]
    moves = []
    for move in chosen:
        moves.append(
            AnswerMove(
                uci=move.uci,
                san=move.san,
                results=move.results,
                performance=_performance(move.results, request.color),
                game=single_game(results, move.uci) if move.results.games == 1 else None,
                opening=opening_after(combined.fen, move.uci),
            )
        )
    top_games, recent_games = games_lists(results)
    return Answer(
        totals=combined.totals,
        moves=tuple(moves),
        opening=combined.opening,
        player_found=combined.player_found,
        top_games=top_games[: request.top_games],
        recent_games=recent_games[: request.recent_games],
        history=_history(connection_factory, request) if request.history else None,
    )


#: /player's stream ends after this long even if the player is still being indexed
MAX_INDEXING_WAIT_S = 600


def _indexing_done(request: LichessRequest) -> bool:
    """Whether the player's games are all indexed (the caller started the indexing)."""
    return True


def player_answers(
    connection_factory,  # type: ignore[no-untyped-def]
    request: LichessRequest,
    *,
    indexing_done: Callable[[LichessRequest], bool] = _indexing_done,
    pause: Callable[[], None] = lambda: time.sleep(1.0),
) -> Iterator[Answer]:
    """/player's stream: the answer known now, then a new one whenever indexing changed it, then the last.

    As lichess does, an answer equal in games to the one before is not sent again. While
    the games are indexed on demand (not yet: `indexing_done` is always true today) the
    loop re-reads once per `pause`.
    """
    assert request.endpoint is Endpoint.PLAYER
    sent_games: int | None = None
    deadline = time.monotonic() + MAX_INDEXING_WAIT_S
    while True:
        done = indexing_done(request) or time.monotonic() > deadline
        try:
            answer = read_answer(connection_factory, request)
        except PlayerIndexing as indexing:  # nothing counted yet: an empty answer, in queue
            answer = Answer(
                totals=Results(), moves=(), opening=None, queue_position=max(indexing.total - indexing.done, 1)
            )
            done = done and time.monotonic() > deadline
        if answer.totals.games != sent_games:
            yield answer
            sent_games = answer.totals.games
        if done:
            return
        pause()
