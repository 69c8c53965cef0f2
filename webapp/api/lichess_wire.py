"""The lichess explorer API's wire format: its parameters in, its answer shapes out.

`GET /lichess`, `/masters` and `/player` take lichess's parameters (variant, fen, play,
speeds, ratings, since, until, moves, topGames, recentGames, history; player, color, modes)
and answer as lichess does, so lichess clients work unchanged. Parameters lichess would
ignore (like `source`) are ignored here too; a value that cannot be read is a QueryError
naming its parameter (a JSON 400).

A request becomes a signed sum of explorer queries (`Term`s) on the one shared query
layer: lichess's rating groups need not be adjacent (one query per run of adjacent
groups), and `modes=casual` is all games minus rated ones. Counts add up exactly.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from webapp.model.query import (
    LICHESS_RATING_GROUPS,
    ExplorerQuery,
    QueryError,
    format_month,
    ratings_from_groups,
)
from webapp.model.stats import Opening, Results

if TYPE_CHECKING:
    from webapp.api.lichess_answer import Answer

#: variant names lichess reads as standard chess; every other variant is not indexed
STANDARD_VARIANTS = ("standard", "chess", "fromPosition")
#: lichess's caps on the games lists (its explorer's MAX_TOP_GAMES and friends)
MAX_TOP_GAMES = {"lichess": 4, "masters": 15}
MAX_RECENT_GAMES = {"lichess": 8, "player": 8}
DEFAULT_MOVES = 12
MAX_PARAMETER_LENGTH = 4000
_MONTH = re.compile(r"^\s*(\d{4})[-/](\d{1,2})\s*$")
_TRUE = ("true", "yes", "on", "1")
_FALSE = ("false", "no", "off", "0", "")


class Endpoint(StrEnum):
    """The three lichess explorer databases."""

    LICHESS = "lichess"
    MASTERS = "masters"
    PLAYER = "player"


@dataclass(frozen=True)
class Scope:
    """Which collections of games an endpoint reads: `only` these, or all but `excluding`."""

    only: tuple[str, ...] | None = None
    excluding: tuple[str, ...] = ()


ALL_GAMES = Scope()


def scope_for(endpoint: Endpoint) -> Scope:
    """The games each endpoint answers from: /lichess every collection but the masters one
    (MASTERS_COLLECTION), /masters that one, /player every game of the player."""
    masters = _masters_collection()
    if endpoint is Endpoint.LICHESS:
        return Scope(excluding=(masters,))
    if endpoint is Endpoint.MASTERS:
        return Scope(only=(masters,))
    return ALL_GAMES


def _masters_collection() -> str:
    from flask import current_app, has_app_context

    if has_app_context():
        return str(current_app.extensions["settings"].masters_collection)
    return "masters"


def _explorer_query(scope: Scope, **fields: Any) -> ExplorerQuery:
    """The one place this API builds an explorer query, with the endpoint's collections."""
    return ExplorerQuery.build(
        **fields, collections=scope.only or (), exclude_collections=scope.excluding
    )


@dataclass(frozen=True)
class Term:
    """One explorer query, added (+1) or subtracted (-1)."""

    sign: int
    query: ExplorerQuery


@dataclass(frozen=True)
class LichessRequest:
    """A lichess explorer request, read: the games asked for and what to answer about them."""

    endpoint: Endpoint
    terms: tuple[Term, ...]
    moves: int | None  # at most this many moves; None: all
    top_games: int
    recent_games: int
    history: bool
    color: str | None = None  # the player's colour, on /player

    @property
    def query(self) -> ExplorerQuery:
        """The first term's query: the position, and every filter the terms share."""
        return self.terms[0].query


def _text(args: Mapping[str, str], name: str) -> str | None:
    value = args.get(name)
    if value is None:
        return None
    if len(value) > MAX_PARAMETER_LENGTH:
        raise QueryError(f"{name} is {len(value)} characters long; at most {MAX_PARAMETER_LENGTH}")
    return value.strip()


def _list(args: Mapping[str, str], name: str) -> list[str]:
    return [part.strip() for part in (_text(args, name) or "").split(",") if part.strip()]


def _count(args: Mapping[str, str], name: str, default: int | None) -> int | None:
    """A non-negative whole number, or the default when absent."""
    value = _text(args, name)
    if value is None or value == "":
        return default
    if not value.isdigit():
        raise QueryError(f"{name} must be a whole number of 0 or more; got {value!r}")
    return int(value)


def _flag(args: Mapping[str, str], name: str) -> bool:
    value = (_text(args, name) or "").lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise QueryError(f"{name} must be true or false; got {args[name]!r}")


def _variant(args: Mapping[str, str]) -> None:
    variant = _text(args, "variant")
    if variant and variant not in STANDARD_VARIANTS:
        raise QueryError(
            f"variant {variant!r} is not indexed here: only standard chess is "
            "(variant=standard)"
        )


def _month(args: Mapping[str, str], name: str) -> str | None:
    """A lichess month (YYYY-MM, also YYYY-M or YYYY/MM) as YYYY-MM."""
    value = _text(args, name)
    if not value:
        return None
    match = _MONTH.match(value)
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise QueryError(f"{name} must be a month written YYYY-MM, like 2021-03; got {value!r}")
    return f"{match.group(1)}-{int(match.group(2)):02d}"


def _year(args: Mapping[str, str], name: str, month: int) -> str | None:
    """A masters year (YYYY) as the month of that year the range starts or ends with."""
    value = _text(args, name)
    if not value:
        return None
    if not value.isdigit() or not 1 <= int(value) <= 9999:
        raise QueryError(f"{name} must be a year like 1990 on /masters; got {value!r}")
    return f"{int(value):04d}-{month:02d}"


def rating_runs(values: list[str]) -> list[tuple[int, int]]:
    """Lichess `ratings` (each value names the group it falls in) as runs of adjacent groups.

    >>> rating_runs(["1600", "1800", "2500"]), rating_runs(["2700", "0"])
    ([(1600, 1999), (2500, 3999)], [(0, 999), (2500, 3999)])
    """
    groups: set[int] = set()
    for value in values:
        if not value.isdigit():
            raise QueryError(
                "ratings must be a comma-separated list of rating groups like 1600,1800; "
                f"got {value!r}"
            )
        groups.add(max(g for g in LICHESS_RATING_GROUPS if g <= int(value)))
    runs: list[list[int]] = []
    for group in sorted(groups):
        index = LICHESS_RATING_GROUPS.index(group)
        if runs and LICHESS_RATING_GROUPS.index(runs[-1][-1]) == index - 1:
            runs[-1].append(group)
        else:
            runs.append([group])
    return [ratings_from_groups(run) for run in runs]


def _modes(args: Mapping[str, str]) -> list[tuple[int, bool]]:
    """`modes` as signed (rated_only) terms: rated; casual = all − rated; both = all."""
    modes = set(_list(args, "modes"))
    unknown = modes - {"rated", "casual"}
    if unknown:
        raise QueryError(f"modes must be rated, casual or both; got {', '.join(sorted(unknown))!r}")
    if modes == {"rated"}:
        return [(1, True)]
    if modes == {"casual"}:
        return [(1, False), (-1, True)]
    return [(1, False)]


def _terms(
    scope: Scope,
    common: dict[str, Any],
    runs: list[tuple[int, int]] | None,
    modes: list[tuple[int, bool]],
) -> tuple[Term, ...]:
    terms = []
    for low, high in runs or [(None, None)]:  # type: ignore[list-item]
        for sign, rated_only in modes:
            query = _explorer_query(
                scope, **common, rating_min=low, rating_max=high, rated_only=rated_only
            )
            terms.append(Term(sign, query))
    return tuple(terms)


def _position(args: Mapping[str, str]) -> dict[str, Any]:
    _variant(args)
    return {"fen": _text(args, "fen"), "play": _list(args, "play")}


def _capped(args: Mapping[str, str], name: str, cap: int) -> int:
    return min(_count(args, name, cap) or 0, cap)


def lichess_request(args: Mapping[str, str]) -> LichessRequest:
    """`GET /lichess`: games by speed, rating group and month."""
    common = {
        **_position(args),
        "speeds": _list(args, "speeds"),
        "since": _month(args, "since"),
        "until": _month(args, "until"),
    }
    ratings = _list(args, "ratings")
    runs = rating_runs(ratings) if ratings else None
    return LichessRequest(
        endpoint=Endpoint.LICHESS,
        terms=_terms(scope_for(Endpoint.LICHESS), common, runs, [(1, False)]),
        moves=_count(args, "moves", DEFAULT_MOVES),
        top_games=_capped(args, "topGames", MAX_TOP_GAMES["lichess"]),
        recent_games=_capped(args, "recentGames", MAX_RECENT_GAMES["lichess"]),
        history=_flag(args, "history"),
    )


def masters_request(args: Mapping[str, str]) -> LichessRequest:
    """`GET /masters`: games by year (`since`/`until` are years here)."""
    common = {
        **_position(args),
        "since": _year(args, "since", 1),
        "until": _year(args, "until", 12),
    }
    return LichessRequest(
        endpoint=Endpoint.MASTERS,
        terms=_terms(scope_for(Endpoint.MASTERS), common, None, [(1, False)]),
        moves=_count(args, "moves", DEFAULT_MOVES),
        top_games=_capped(args, "topGames", MAX_TOP_GAMES["masters"]),
        recent_games=0,
        history=_flag(args, "history"),
    )


def player_request(args: Mapping[str, str]) -> LichessRequest:
    """`GET /player`: one player's games with one colour, by mode, speed and month."""
    player = _text(args, "player")
    if not player:
        raise QueryError("player is required: the username whose games to explore")
    color = (_text(args, "color") or "").lower()
    if color not in ("white", "black"):
        raise QueryError(
            f"color is required and must be white or black; got {args.get('color', '')!r}"
        )
    common = {
        **_position(args),
        "speeds": _list(args, "speeds"),
        "since": _month(args, "since"),
        "until": _month(args, "until"),
        "player": player,
        "color": color,
    }
    return LichessRequest(
        endpoint=Endpoint.PLAYER,
        terms=_terms(scope_for(Endpoint.PLAYER), common, None, _modes(args)),
        moves=_count(args, "moves", None),
        top_games=0,
        recent_games=_capped(args, "recentGames", MAX_RECENT_GAMES["player"]),
        history=_flag(args, "history"),
        color=color,
    )


def _opening(opening: Opening | None) -> dict[str, str] | None:
    return None if opening is None else {"eco": opening.eco, "name": opening.name}


def _counts(results: Results) -> dict[str, int]:
    return {"white": results.white, "draws": results.draws, "black": results.black}


def answer_json(answer: Answer, request: LichessRequest) -> dict[str, Any]:
    """The answer in lichess's shape for the request's endpoint."""
    player = request.endpoint is Endpoint.PLAYER
    moves = []
    for move in answer.moves:
        row: dict[str, Any] = {"uci": move.uci, "san": move.san}
        if player:
            row["averageOpponentRating"] = move.results.average_rating
            row["performance"] = move.performance
        else:
            row["averageRating"] = move.results.average_rating
        row.update(_counts(move.results))
        row["game"] = move.game
        row["opening"] = _opening(move.opening)
        moves.append(row)
    body: dict[str, Any] = {**_counts(answer.totals), "moves": moves}
    if request.endpoint is not Endpoint.MASTERS:
        body["recentGames"] = list(answer.recent_games)
    if request.endpoint is not Endpoint.PLAYER:
        body["topGames"] = list(answer.top_games)
    body["opening"] = _opening(answer.opening)
    if player:
        body["queuePosition"] = answer.queue_position
    if answer.history is not None:
        body["history"] = [
            {"month": format_month(month), **_counts(results)} for month, results in answer.history
        ]
    return body
