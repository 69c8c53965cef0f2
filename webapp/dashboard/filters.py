"""The filter controls, and conversions between their values and Filters.

Ratings are chosen on a range slider in bands of 100: the slider's upper handle is the
exclusive top, so [1600, 2000] means rating_min=1600, rating_max=1999. The slider's ends
mean "no limit".
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import dash_bootstrap_components as dbc
from dash import dcc, html

from webapp.dashboard import ids
from webapp.dashboard.month_range import (
    Bounds,
    build_month_range,
    months_from_slider,
    range_label,
    slider_value,
)
from webapp.dashboard.state import SPEEDS, Filters, normalise_collections, normalise_speeds
from webapp.model.query import MAX_RATING, RATING_BAND

SLIDER_MIN, SLIDER_MAX = 0, 3200  # ratings at or above the top handle count as "no limit"
SPEED_LABELS = {
    "ultraBullet": "UltraBullet",
    "bullet": "Bullet",
    "blitz": "Blitz",
    "rapid": "Rapid",
    "classical": "Classical",
    "correspondence": "Daily",
}
COLOR_OPTIONS = [
    {"label": "Both", "value": "both"},
    {"label": "White", "value": "white"},
    {"label": "Black", "value": "black"},
]


def rating_slider_value(filters: Filters) -> list[int]:
    """The slider handles for the filter's rating range."""
    low = SLIDER_MIN if filters.rating_min is None else min(filters.rating_min, SLIDER_MAX - RATING_BAND)
    high = SLIDER_MAX if filters.rating_max is None else min(filters.rating_max + 1, SLIDER_MAX)
    return [low, max(high, low + RATING_BAND)]


def ratings_from_slider(value: list[int] | None) -> tuple[int | None, int | None]:
    """(rating_min, rating_max) for the slider handles; an end handle means no limit."""
    if not value or len(value) != 2:
        return None, None
    low, high = sorted(int(v) for v in value)
    low = low // RATING_BAND * RATING_BAND
    high = -(-high // RATING_BAND) * RATING_BAND
    rating_min = None if low <= SLIDER_MIN else low
    rating_max = None if high >= SLIDER_MAX else min(high, MAX_RATING) - 1
    return rating_min, rating_max


def rating_label(filters: Filters) -> str:
    if filters.rating_min is None and filters.rating_max is None:
        return "any rating"
    if filters.rating_max is None:
        return f"{filters.rating_min} and above"
    if filters.rating_min is None:
        return f"up to {filters.rating_max}"
    return f"{filters.rating_min}–{filters.rating_max}"


def filters_from_controls(
    player: str | None,
    color: str | None,
    rating: list[int] | None,
    speeds: list[str] | None,
    months: list[int] | None,
    rated: bool | None,
    collections: list[str] | None = None,
    month_bounds: Bounds = None,
    no_time_losses: bool | None = False,
) -> Filters:
    """Filters from the controls' values (no box ticked means every speed, no collection
    toggled means all; the month slider's ends mean no limit, `month_bounds` being its span)."""
    rating_min, rating_max = ratings_from_slider(rating)
    since, until = months_from_slider(months, month_bounds)
    name = (player or "").strip() or None
    return Filters(
        speeds=normalise_speeds(speeds or ()),
        rating_min=rating_min,
        rating_max=rating_max,
        since=since or None,
        until=until or None,
        player=name,
        color=color if name and color in ("white", "black") else None,
        rated=bool(rated),
        collections=normalise_collections(collections or ()),
        no_time_losses=bool(no_time_losses),
    )


def controls_from_filters(filters: Filters, month_bounds: Bounds = None) -> dict[str, Any]:
    """The controls' values for some filters (every box ticked when no speed filter)."""
    return {
        "player": filters.player or "",
        "color": filters.color or "both",
        "rating": rating_slider_value(filters),
        "speeds": list(filters.speeds or SPEEDS),
        "months": slider_value(filters.since, filters.until, month_bounds),
        "rated": filters.rated,
        "collections": list(filters.collections),
        "no_time_losses": filters.no_time_losses,
    }


def collections_label(filters: Filters) -> str:
    """What the collection toggles choose: all games, or the names toggled on."""
    return ", ".join(filters.collections) if filters.collections else "all"


def collection_options(available: Sequence[tuple[str, int]], chosen: Sequence[str] = ()) -> list[dict[str, Any]]:
    """A toggle per collection that has games, with its game count; a chosen name without
    games (say, from a URL) gets a struck-out toggle saying it is ignored, to switch off."""
    known = {name for name, _ in available}
    options: list[dict[str, Any]] = [
        {
            "label": [html.Span(name), html.Span(f"{count:,}", className="collection-count")],
            "value": name,
        }
        for name, count in available
    ]
    options += [
        {"label": [html.S(name), html.Span("ignored", className="collection-count")], "value": name}
        for name in chosen
        if name not in known
    ]
    return options


def build_filters(filters: Filters | None = None) -> dbc.Card:
    """The filter card: collections, player and colour, rating range, speeds, months, rated only."""
    values = controls_from_filters(filters or Filters())
    marks = {r: str(r) for r in range(SLIDER_MIN, SLIDER_MAX + 1, 800)}
    marks[SLIDER_MAX] = f"{SLIDER_MAX}+"
    return dbc.Card(
        dbc.CardBody(
            [
                html.H6("Filters", className="card-title"),
                html.Div(
                    [
                        dbc.Label("Collections", className="small mb-0"),
                        html.Span(collections_label(filters or Filters()), id=ids.COLLECTIONS_LABEL,
                                  className="small text-muted ms-2"),
                    ]
                ),
                dbc.Checklist(
                    id=ids.COLLECTIONS,
                    options=[],  # filled from the database when the page loads
                    value=values["collections"],
                    inline=True,
                    input_class_name="btn-check",
                    label_class_name="btn btn-outline-secondary btn-sm",
                    label_checked_class_name="active",
                    class_name="collections-toggle mb-2",
                ),
                dbc.Label("Player", html_for=ids.PLAYER, className="small mb-1"),
                dbc.Input(
                    id=ids.PLAYER,
                    type="text",
                    value=values["player"],
                    debounce=True,
                    placeholder="username (Enter)",
                    autoComplete="off",
                    size="sm",
                ),
                dbc.RadioItems(
                    id=ids.COLOR,
                    options=COLOR_OPTIONS,
                    value=values["color"],
                    inline=True,
                    className="small mt-1 mb-2",
                ),
                html.Div(
                    [
                        dbc.Label("Rating", className="small mb-0"),
                        html.Span(rating_label(filters or Filters()), id=ids.RATING_LABEL,
                                  className="small text-muted ms-2"),
                    ]
                ),
                dcc.RangeSlider(
                    id=ids.RATING,
                    min=SLIDER_MIN,
                    max=SLIDER_MAX,
                    step=RATING_BAND,
                    value=values["rating"],
                    marks=marks,
                    allowCross=False,
                    updatemode="mouseup",
                    className="rating-slider",
                ),
                dbc.Label("Time controls", className="small mb-1 mt-2"),
                dbc.Checklist(
                    id=ids.SPEEDS,
                    options=[{"label": SPEED_LABELS[s], "value": s} for s in SPEEDS],
                    value=values["speeds"],
                    inline=True,
                    className="small",
                ),
                html.Div(
                    [
                        dbc.Label("Months", className="small mb-0"),
                        html.Span(range_label((filters or Filters()).since, (filters or Filters()).until),
                                  id=ids.MONTHS_LABEL, className="small text-muted ms-2"),
                    ],
                    className="mt-2",
                ),
                build_month_range(),
                dbc.Switch(id=ids.RATED, label="Rated games only", value=values["rated"],
                           className="small mt-2 mb-0"),
                dbc.Switch(id=ids.NO_TIME_LOSSES, label="Exclude games lost on time",
                           value=values["no_time_losses"], className="small mb-0"),
                html.Div(id=ids.FILTER_PROBLEM, className="small text-danger"),
            ]
        ),
        className="filters-card",
    )
