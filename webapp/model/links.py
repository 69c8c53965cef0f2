"""Links into the dashboard, with the JSON API's parameter names."""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlencode

import chess

from webapp.model.query import ExplorerQuery, format_month


def explorer_search(
    *,
    fen: str | None = None,
    play: Iterable[str] = (),
    speeds: Iterable[str] = (),
    rating_min: int | None = None,
    rating_max: int | None = None,
    since: str | None = None,
    until: str | None = None,
    player: str | None = None,
    color: str | None = None,
    rated: bool = False,
    collections: Iterable[str] = (),
    orientation: str | None = None,
    no_time_losses: bool = False,
) -> str:
    """The query string (with its '?', or '' when nothing is set) the dashboard and API share."""
    params: list[tuple[str, str]] = []
    moves, speed_names = tuple(play), tuple(speeds)
    if fen:
        params.append(("fen", fen))
    if moves:
        params.append(("play", ",".join(moves)))
    if speed_names:
        params.append(("speeds", ",".join(speed_names)))
    if rating_min is not None:
        params.append(("rating_min", str(rating_min)))
    if rating_max is not None:
        params.append(("rating_max", str(rating_max)))
    if since:
        params.append(("since", since))
    if until:
        params.append(("until", until))
    if player:
        params.append(("player", player))
        if color:
            params.append(("color", color))
    if rated:
        params.append(("rated", "true"))
    names = tuple(collections)
    if names:
        params.append(("collections", ",".join(names)))
    if no_time_losses:
        params.append(("noTimeLosses", "1"))
    if orientation and orientation != "white":
        params.append(("orientation", orientation))
    return "?" + urlencode(params, safe=",:/") if params else ""


def explorer_url(query: ExplorerQuery, play: Iterable[str] | None = None) -> str:
    """`/?play=...&player=...&color=...` (plus the query's other filters) for a position."""
    return "/" + explorer_search(
        fen=None if query.fen == chess.STARTING_FEN else query.fen,
        play=query.play if play is None else play,
        speeds=(s.label for s in query.speeds),
        rating_min=query.rating_min,
        rating_max=query.rating_max,
        since=None if query.since is None else format_month(query.since),
        until=None if query.until is None else format_month(query.until),
        player=query.player,
        color=query.color,
        rated=query.rated_only,
        collections=query.collections,
    )
