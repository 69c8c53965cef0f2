"""The dashboard's URL ⇄ ViewState, with the JSON API's parameter names.

`/?fen=FEN&play=e2e4,e7e5&speeds=blitz,rapid&rating_min=1600&rating_max=1999&since=2013-01&
until=2013-12&player=NAME&color=white&rated=true&collections=masters,otb&orientation=black` opens that position
with those filters. Parsing is forgiving: what cannot be read is left out, never an error,
and `ignored_parameters` names what was left out, for a notice on the page.
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
#: the parameters a dashboard URL may carry (the API's `ratings` groups included)
KNOWN_PARAMETERS = frozenset(
    ("fen", "play", "speeds", "ratings", "rating_min", "rating_max", "since", "until", "player",
     "color", "rated", "collections", "orientation", "game", "noTimeLosses")
)
MAX_SHOWN = 40  # characters of a value a notice repeats


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
        no_time_losses=f.no_time_losses,
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
        no_time_losses=(args.get("noTimeLosses") or "").lower() in ("true", "1"),
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


def ignored_parameters(search: str | None) -> tuple[str, ...]:
    """What `state_from_search` leaves out of a URL's query string, one phrase per parameter
    ("play: zzzz is not a legal move here (it and the 1 move after it are left out)").

    `?play=e2e4,zzzz&speeds=fast&since=2020-13` gives three phrases; a clean URL none.
    """
    args = {k: v[-1] for k, v in parse_qs((search or "").lstrip("?"), keep_blank_values=True).items()}
    out: list[str] = []
    fen = checked_fen(args.get("fen"))
    if args.get("fen", "").strip() and fen is None and args["fen"].strip() != _START_FEN:
        out.append(f"fen: {_shown(args['fen'])} is not a possible position (the start is shown)")
    moves = _split(args.get("play"))
    kept = legal_prefix(moves, fen)
    if len(kept) < len(moves):
        bad, after = moves[len(kept)], len(moves) - len(kept) - 1
        rest = f" (it and the {after} move{'s' if after != 1 else ''} after it are left out)" if after else ""
        out.append(f"play: {_shown(bad)} is not a legal move here{rest}")
    speeds = _split(args.get("speeds"))
    unknown = [v for v in speeds if not normalise_speeds([v])]
    if unknown:
        out.append(f"speeds: no speed named {_shown(', '.join(unknown))}")
    for name in ("rating_min", "rating_max"):
        value = (args.get(name) or "").strip()
        if value and _rating(value) is None:
            out.append(f"{name}: {_shown(value)} is not a rating")
    for name in ("since", "until"):
        value = (args.get(name) or "").strip()
        if value and _month(value) is None:
            out.append(f"{name}: {_shown(value)} is not a month (YYYY-MM)")
    color = (args.get("color") or "").strip().lower()
    if color and color not in ORIENTATIONS:
        out.append(f"color: {_shown(color)} is not white or black")
    orientation = (args.get("orientation") or "").strip().lower()
    if orientation and orientation not in ORIENTATIONS:
        out.append(f"orientation: {_shown(orientation)} is not white or black")
    collections = _split(args.get("collections"))
    malformed = [c for c in collections if not normalise_collections([c])]
    if malformed:
        out.append(f"collections: {_shown(', '.join(malformed))} is not a collection name")
    unknown_names = sorted(k for k in args if k not in KNOWN_PARAMETERS)
    if unknown_names:
        out.append(f"unknown parameter {_shown(', '.join(unknown_names))}")
    return tuple(out)


_START_FEN = "rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQKBNR w KQkq - 0 1"


def _shown(value: str) -> str:
    """A value as a notice repeats it: quoted, and cut when long."""
    value = value.strip()
    return repr(value if len(value) <= MAX_SHOWN else value[: MAX_SHOWN - 1] + "…")
