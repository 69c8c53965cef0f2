"""The wire format: request arguments → ExplorerQuery, ExplorerResult → JSON."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from webapp.model.query import ExplorerQuery, QueryError, ratings_from_groups
from webapp.model.stats import ExplorerResult, Results

MAX_PARAMETER_LENGTH = 4000
KNOWN = {
    "fen", "play", "speeds", "ratings", "rating_min", "rating_max", "since", "until",
    "player", "color", "rated", "variant", "moves", "collections", "topGames", "recentGames",
    "noTimeLosses", "endings", "thinkTime",
}
#: topGames / recentGames: how many of each list an answer gives (lichess's default 4)
DEFAULT_GAMES = 4
MAX_GAMES = 15


def _int(args: Mapping[str, str], name: str) -> int | None:
    value = args.get(name)
    if value is None or value == "":
        return None
    try:
        return int(value)
    except ValueError:
        raise QueryError(f"{name} must be a whole number; got {value!r}") from None


def games_counts(args: Mapping[str, str]) -> tuple[int, int]:
    """(topGames, recentGames) asked for: whole numbers from 0 to MAX_GAMES."""
    counts = []
    for name in ("topGames", "recentGames"):
        value = _int(args, name)
        if value is None:
            value = DEFAULT_GAMES
        if not 0 <= value <= MAX_GAMES:
            raise QueryError(f"{name} must be from 0 to {MAX_GAMES}; got {value}")
        counts.append(value)
    return counts[0], counts[1]


def flag(args: Mapping[str, str], name: str) -> bool:
    """A true/false parameter (true, 1, false, 0, or absent for false)."""
    value = args.get(name, "").lower()
    if value not in ("", "true", "false", "1", "0"):
        raise QueryError(f"{name} must be true or false; got {args[name]!r}")
    return value in ("true", "1")


def _list(value: str | None) -> list[str]:
    return [part for part in (value or "").split(",") if part.strip()]


def query_from_args(args: Mapping[str, str]) -> ExplorerQuery:
    """Parse Lichess-style explorer parameters; QueryError says what is wrong."""
    for name, value in args.items():
        if name not in KNOWN:
            raise QueryError(f"unknown parameter {name!r}; known: {', '.join(sorted(KNOWN))}")
        if len(value) > MAX_PARAMETER_LENGTH:
            raise QueryError(f"{name} is {len(value)} characters long; at most {MAX_PARAMETER_LENGTH}")
    variant = args.get("variant", "standard")
    if variant not in ("standard", ""):
        raise QueryError(f"variant {variant!r} is not indexed: only standard chess is")
    rating_min, rating_max = _int(args, "rating_min"), _int(args, "rating_max")
    if args.get("ratings"):
        if rating_min is not None or rating_max is not None:
            raise QueryError("give either ratings or rating_min/rating_max, not both")
        try:
            groups = [int(g) for g in _list(args["ratings"])]
        except ValueError:
            raise QueryError("ratings must be a comma-separated list like 1600,1800") from None
        rating_min, rating_max = ratings_from_groups(groups)
    return ExplorerQuery.build(
        fen=args.get("fen"),
        play=_list(args.get("play")),
        speeds=_list(args.get("speeds")),
        rating_min=rating_min,
        rating_max=rating_max,
        since=args.get("since"),
        until=args.get("until"),
        player=args.get("player"),
        color=args.get("color"),
        rated_only=flag(args, "rated"),
        collections=_list(args.get("collections")),
        no_time_losses=flag(args, "noTimeLosses"),
    )


def _counts(results: Results) -> dict[str, Any]:
    counts: dict[str, Any] = {"white": results.white, "draws": results.draws, "black": results.black}
    if results.endings is not None:
        counts["endings"] = results.endings.by_side(results.white, results.draws, results.black)
    if results.think_time is not None:
        counts["thinkTime"] = results.think_time.wire()
    return counts


def explorer_json(
    result: ExplorerResult, query: ExplorerQuery, top_games: int = DEFAULT_GAMES, recent_games: int = DEFAULT_GAMES
) -> dict[str, Any]:
    """The Lichess explorer's response shape, with our totals and per-move rows, and the
    position's first `top_games` best and `recent_games` newest games."""
    rating_key = "averageOpponentRating" if query.player else "averageRating"
    body: dict[str, Any] = {
        "fen": result.fen,
        **_counts(result.totals),
        "games": result.totals.games,
        rating_key: result.totals.average_rating,
        "moves": [
            {
                "uci": move.uci,
                "san": move.san,
                **_counts(move.results),
                "games": move.results.games,
                rating_key: move.results.average_rating,
                **({"game": move.game} if move.game else {}),
            }
            for move in result.moves
        ],
        "topGames": list(result.top_games[:top_games]),
        "recentGames": list(result.recent_games[:recent_games]),
        "opening": (
            {"eco": result.opening.eco, "name": result.opening.name} if result.opening else None
        ),
    }
    if query.player:
        body["player"] = query.player
        body["playerFound"] = result.player_found
        if not result.player_found:
            body["message"] = f"No games of {query.player!r} have been imported yet."
    return body
