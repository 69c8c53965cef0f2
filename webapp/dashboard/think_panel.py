"""Think time, under the moves table: per move (and for the position) the median seconds
the movers spent on it, as the bucket holding the lower median ("3 s" exact for a
whole-second bucket, "10–15 s" a range, never a made-up exact number), the share of them
left under 10% of the base time after it, the games without clocks, and a small histogram
of the buckets.

The numbers are `read_explorer(..., with_think_time=True)`, what
`GET /api/explorer?thinkTime=1` answers. Each histogram bar's hover title gives its bucket
and count; the row's title the whole evidence. The section opens by a switch (remembered
for the browser tab) and asks for the think times only while open.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import dash
from dash import html
from sqlalchemy import Connection

from webapp.dashboard.state import ViewState, explorer_query
from webapp.dashboard.switch_panel import build_switch_panel, read_for_panel, register_switch_panel
from webapp.db.explorer import read_explorer
from webapp.model.stats import ExplorerResult
from webapp.model.think_time import ThinkTime, bucket_range, seconds_text

# component ids of this panel
THINK = "think-time"
THINK_REQUEST = "think-time-request"  # {view, version}, set in the browser while the Explorer shows
THINK_LOADING = "think-time-loading"
THINK_SWITCH = "think-time-switch"  # shown or not, remembered for this browser tab
THINK_BODY = "think-time-body"

#: moves shown (the most played), besides the position's own row
MAX_MOVES = 12


def build_think_panel() -> html.Div:
    """The section under the moves table (filled by register_think_callbacks)."""
    return build_switch_panel(
        switch=THINK_SWITCH, body=THINK_BODY, request=THINK_REQUEST, output=THINK, loading=THINK_LOADING,
        label="Think time", output_class="think", panel_class="think-panel",
        legend=html.Div("Median seconds the mover spent on the move (clock difference plus increment), "
                        "the share left under 10% of the base time after it, games without clocks "
                        "(and lichess's untimed first moves). Bars: games per bucket, "
                        "0 s to 1 h and over, left to right.",
                        className="text-muted think-legend mb-1"),
    )


def median_text(think: ThinkTime) -> str:
    median = think.median
    return "–" if median is None else seconds_text(*median)


def low_clock_text(think: ThinkTime) -> str:
    share = think.low_clock_share
    return "–" if share is None else f"{100 * share:.1f}%"


def evidence(name: str, think: ThinkTime) -> str:
    """The row's hover title: what the median and share stand on."""
    if not think.games:
        return f"{name}: no game here has clocks ({think.no_clock:,} without)"
    buckets = ", ".join(
        f"{seconds_text(*bucket_range(i))}: {n:,}" for i, n in enumerate(think.buckets) if n
    )
    return (
        f"{name}: median {median_text(think)} (the lower median of {think.games:,} games with clocks); "
        f"{think.low_clock:,} under 10% of the base after it ({low_clock_text(think)}); "
        f"{think.no_clock:,} games without clocks. Games per bucket: {buckets}"
    )


def build_histogram(think: ThinkTime) -> html.Div:
    """A bar per bucket, its height the share of the largest, its title the bucket and count."""
    top = max(think.buckets) or 1
    bars = [
        html.Div(
            className="think-bar" + ("" if n else " think-bar-empty"),
            title=f"{seconds_text(*bucket_range(i))}: {n:,} games",
            style={"height": f"{max(100 * n / top, 4 if n else 0):.1f}%"},
            **{"data-from": str(bucket_range(i)[0]), "data-count": str(n)},
        )
        for i, n in enumerate(think.buckets)
    ]
    return html.Div(bars, className="think-histogram")


def build_row(name: str, think: ThinkTime, uci: str | None = None) -> html.Div:
    """One move's (or the position's) row: name, median, low-clock share, without clocks, histogram."""
    return html.Div(
        [
            html.Div(
                [html.Span(name, className="move-san fw-semibold me-2",
                           **({"title": f"Play {name}", "data-play": uci} if uci else {})),
                 html.Span([html.Span("median ", className="text-muted"),
                            html.Span(median_text(think), className="think-median fw-semibold")],
                           className="me-2 text-nowrap"),
                 html.Span([html.Span("low clock ", className="text-muted"),
                            html.Span(low_clock_text(think), className="think-low")],
                           className="me-2 text-nowrap"),
                 html.Span(f"{think.no_clock:,} without clocks", className="text-muted think-no-clock text-nowrap")],
                className="think-line",
            ),
            build_histogram(think),
        ],
        className="think-row py-1",
        title=evidence(name, think),
        id={"type": "think-row", "index": uci or "position"},
        **{
            "data-uci": uci or "", "data-games": str(think.games), "data-no-clock": str(think.no_clock),
            "data-low-clock": str(think.low_clock),
            "data-median": "" if think.median is None else f"{think.median[0]}-{think.median[1] or ''}",
        },
    )


def build_think(result: ExplorerResult) -> list[Any]:
    """The position's row, then the most played moves' rows."""
    position = result.totals.think_time
    if position is None or not position.played:
        return [html.Div("No moves played here.", className="text-muted")]
    rows = [build_row("All moves here", position)]
    rows += [build_row(m.san, m.results.think_time, m.uci) for m in result.moves[:MAX_MOVES] if m.results.think_time]
    if len(result.moves) > MAX_MOVES:
        rows.append(html.Div(f"{len(result.moves) - MAX_MOVES} less played moves not shown",
                             className="text-muted think-legend"))
    return rows


def think_content(connection_factory: Callable[[], Connection], state: ViewState) -> list[Any]:
    """The panel for the shown position and filters; all games while a player is unknown or counted."""
    query, _problem = explorer_query(state)
    return build_think(read_for_panel(
        lambda asked: read_explorer(connection_factory, asked, with_games=False, with_think_time=True), query
    ))


def register_think_callbacks(app: dash.Dash) -> None:
    """Register the think-time panel's callbacks on `app`."""
    register_switch_panel(app, switch=THINK_SWITCH, body=THINK_BODY, request=THINK_REQUEST, output=THINK,
                          content=think_content, name="think time")
