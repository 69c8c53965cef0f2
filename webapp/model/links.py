"""Links into the dashboard, with the JSON API's parameter names."""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlencode

from webapp.model.query import ExplorerQuery, format_month


def explorer_url(query: ExplorerQuery, play: Iterable[str] | None = None) -> str:
    """`/?play=...&player=...&color=...` (plus the query's other filters) for a position."""
    moves = tuple(query.play if play is None else play)
    params: list[tuple[str, str]] = []
    if moves:
        params.append(("play", ",".join(moves)))
    if query.speeds:
        params.append(("speeds", ",".join(s.label for s in query.speeds)))
    if query.rating_min is not None:
        params.append(("rating_min", str(query.rating_min)))
    if query.rating_max is not None:
        params.append(("rating_max", str(query.rating_max)))
    if query.since is not None:
        params.append(("since", format_month(query.since)))
    if query.until is not None:
        params.append(("until", format_month(query.until)))
    if query.player:
        params.append(("player", query.player))
        if query.color:
            params.append(("color", query.color))
    if query.rated_only:
        params.append(("rated", "true"))
    return "/?" + urlencode(params, safe=",:") if params else "/"
