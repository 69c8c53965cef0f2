"""The dashboard's URL ⇄ ViewState, with the JSON API's parameter names.

`/?fen=FEN&play=e2e4,e7e5&speeds=blitz,rapid&rating_min=1600&rating_max=1999&since=2013-01&
until=2013-12&player=NAME&color=white&rated=true&collections=masters,otb&orientation=black` opens that position
with those filters. Parsing is forgiving: what cannot be read is left out, never an error.
`game=<public id>` beside them opens the game viewer over that explorer view.
"""

from __future__ import annotations

import re
from dataclasses import replace
from urllib.parse import parse_qs, quote

from webapp.dashboard.state import (
    ORIENTATIONS,
    Filters,
    ViewState,
    checked_fen,
    legal_prefix,
    normalise_collections,
    normalise_speeds,
)
from webapp.model.links import explorer_search
from webapp.model.query import MAX_RATING, RATING_BAND, QueryError, ratings_from_groups

_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
#: the URL parameter naming the game the viewer shows
GAME_PARAMETER = "game"


def search_from_state(state: ViewState) -> str:
    """The query string (with its leading '?', or '' for the default view) for a state."""
    f = state.filters
    return explorer_search(
        fen=state.fen,
        play=state.play,
        speeds=f.speeds,
        rating_min=f.rating_min,
        rating_max=f.rating_max,
        since=f.since,
        until=f.until,
        player=f.player,
        color=f.color,
        rated=f.rated,
        collections=f.collections,
        orientation=state.orientation,
    )


def state_from_search(search: str | None, current: ViewState | None = None) -> ViewState:
    """The state a URL's query string describes.

    When the URL's moves are the start of the line `current` already holds (the browser's
    back button after moves were taken back), that line is kept so forward still works.
    """
    args = {k: v[-1] for k, v in parse_qs((search or "").lstrip("?"), keep_blank_values=True).items()}
    fen = checked_fen(args.get("fen"))
    play = legal_prefix(_split(args.get("play")), fen)
    filters = filters_from_args(args)
    orientation = args.get("orientation", "white").lower()
    state = ViewState(
        fen=fen,
        line=play,
        ply=len(play),
        orientation=orientation if orientation in ORIENTATIONS else "white",
        filters=filters,
    )
    if current is not None and current.fen == fen and current.line[: len(play)] == play:
        state = replace(state, line=current.line)
    return state


def filters_from_args(args: dict[str, str]) -> Filters:
    """Filters from URL parameters; values out of range are clamped or left out."""
    rating_min = _rating(args.get("rating_min"))
    rating_max = _rating(args.get("rating_max"))
    if args.get("ratings") and rating_min is None and rating_max is None:
        try:
            rating_min, rating_max = ratings_from_groups(int(g) for g in _split(args["ratings"]))
        except (QueryError, ValueError):
            pass
    if rating_min is not None:
        rating_min = rating_min // RATING_BAND * RATING_BAND
    if rating_max is not None:
        rating_max = min(MAX_RATING - 1, (rating_max // RATING_BAND + 1) * RATING_BAND - 1)
    if rating_min is not None and rating_max is not None and rating_min > rating_max:
        rating_min, rating_max = None, None
    player = (args.get("player") or "").strip() or None
    color = (args.get("color") or "").lower()
    return Filters(
        speeds=normalise_speeds(_split(args.get("speeds"))),
        rating_min=rating_min,
        rating_max=rating_max,
        since=_month(args.get("since")),
        until=_month(args.get("until")),
        player=player,
        color=color if player and color in ORIENTATIONS else None,
        rated=(args.get("rated") or "").lower() in ("true", "1"),
        collections=normalise_collections(_split(args.get("collections"))),
    )


def _split(value: str | None) -> list[str]:
    return [part.strip() for part in (value or "").split(",") if part.strip()]


def _rating(value: str | None) -> int | None:
    try:
        rating = int(value) if value not in (None, "") else None  # type: ignore[arg-type]
    except ValueError:
        return None
    if rating is None:
        return None
    return max(0, min(rating, MAX_RATING - 1))


def _month(value: str | None) -> str | None:
    value = (value or "").strip()
    return value if _MONTH.match(value) else None


def game_from_search(search: str | None) -> str | None:
    """The public id of the game the URL opens in the viewer, or None."""
    values = parse_qs((search or "").lstrip("?")).get(GAME_PARAMETER)
    game = values[-1].strip() if values else ""
    return game or None


def search_with_game(search: str | None, game: str | None) -> str:
    """The query string with `game=` set to `game` (last), or left out when None."""
    kept = [p for p in (search or "").lstrip("?").split("&") if p and not p.startswith(GAME_PARAMETER + "=")]
    if game:
        kept.append(f"{GAME_PARAMETER}={quote(game, safe='')}")
    return "?" + "&".join(kept) if kept else ""
