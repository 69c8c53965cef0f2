"""The charts view of the shown position, a toggle beside the moves table.

Three Plotly figures (webapp.dashboard.figures) over the same position and filters as the
table: results per move with the score's 95% interval, the score by rating for the top
moves, and the position over time. The numbers come from `read_breakdown` (the memoized
query the API's /api/explorer/breakdown answers); the callback only draws while the
charts are shown, so the moves table pays nothing for them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, dcc, html
from dash.exceptions import PreventUpdate
from sqlalchemy import Connection

from webapp.dashboard import ids
from webapp.dashboard.chart_frames import (
    MAX_MOVES,
    MIN_BAND_GAMES,
    TOP_MOVES,
    ChartFrames,
    chart_frames,
)
from webapp.dashboard.figures import (
    bands_figure,
    empty_figure,
    graph_config,
    graph_style,
    results_figure,
    time_figure,
)
from webapp.dashboard.state import ViewState, explorer_query
from webapp.db import players
from webapp.db.breakdown import read_breakdown
from webapp.db.errors import timed_out
from webapp.model.query import ExplorerQuery

# component ids of this view
VIEW_TOGGLE = "explorer-view"  # "moves" | "charts"
MOVES_VIEW = "moves-view"
CHARTS_VIEW = "charts-view"
RESULTS_GRAPH = "chart-results"
BANDS_GRAPH = "chart-bands"
TIME_GRAPH = "chart-time"
CHARTS_NOTE = "charts-note"
CHARTS_LOADING = "charts-loading"
CHARTS_REQUEST = "charts-request"  # the view to draw, set in the browser only while the charts show
GRAPHS = (RESULTS_GRAPH, BANDS_GRAPH, TIME_GRAPH)

LOADING_FIGURE = empty_figure("Loading…")
HIDDEN = {"display": "none"}
#: raised where a player's statistics are counted on demand (webapp.db.players), else nothing
PLAYER_INDEXING: type[Exception] | tuple[()] = getattr(players, "PlayerIndexing", ())
SHOWN: dict[str, str] = {}


# ---------------------------------------------------------------------------- builders
def build_view_toggle() -> dbc.RadioItems:
    """Moves table or charts, remembered for this browser tab."""
    return dbc.RadioItems(
        id=VIEW_TOGGLE,
        options=[{"label": "Moves", "value": "moves"}, {"label": "Charts", "value": "charts"}],
        value="moves",
        inline=True,
        className="btn-group btn-group-sm view-toggle mb-2",
        inputClassName="btn-check",
        labelClassName="btn btn-outline-secondary",
        labelCheckedClassName="active",
        persistence=True,
        persistence_type="session",
    )


def _chart(title: str, graph_id: str, hint: str) -> html.Div:
    return html.Div(
        [
            html.H6(title, className="chart-title mb-0"),
            html.Div(hint, className="small text-muted mb-1"),
            dcc.Graph(id=graph_id, config=graph_config(graph_id), figure=LOADING_FIGURE,
                      style=graph_style(LOADING_FIGURE), responsive=True, className="chart-graph"),
        ],
        className="chart-block mb-3",
    )


def build_charts_panel() -> html.Div:
    """The three charts under one loading overlay, hidden until the toggle shows them."""
    return html.Div(
        dcc.Loading(
            html.Div(
                [
                    dcc.Store(id=CHARTS_REQUEST, storage_type="memory"),
                    html.Div(id=CHARTS_NOTE, className="small text-muted mb-2"),
                    _chart("Results per move", RESULTS_GRAPH,
                           "White wins / draws / Black wins, and the side to move's score with its "
                           "95% interval."),
                    _chart("Score by rating", BANDS_GRAPH,
                           f"The {TOP_MOVES} most played moves; 100-point bands merged until each "
                           f"holds {MIN_BAND_GAMES} games. Does the move work at my level?"),
                    _chart("This position over time", TIME_GRAPH,
                           "Games per month, and the top moves' share and score each month."),
                ]
            ),
            id=CHARTS_LOADING,
            type="circle",
            delay_show=150,
            overlay_style={"visibility": "visible", "opacity": 0.55},
        ),
        id=CHARTS_VIEW,
        className="charts-view",
        style=HIDDEN,
    )


# ---------------------------------------------------------------------- plain functions
def empty_message(query: ExplorerQuery) -> str:
    """Why a position has no games: the filters, or nobody played it."""
    filtered = any((query.speeds, query.rating_min is not None, query.rating_max is not None,
                    query.since, query.until, query.player, query.rated_only))
    return "No games in this range" if filtered else "No games reached this position"


def _rating_axis(query: ExplorerQuery) -> str:
    return f"{query.player}'s rating" if query.player else "rating (mean of both players)"


def chart_note(query: ExplorerQuery, frames: ChartFrames) -> str:
    """What the charts leave out, said once above them."""
    parts = [f"{frames.total_games:,} games" + (f" of {query.player}" if query.player else "")]
    if frames.more_moves:
        parts.append(f"the {MAX_MOVES} most played moves drawn, {frames.more_moves} more in the table")
    if frames.unrated_games:
        parts.append(f"{frames.unrated_games:,} without a rating left out of the rating chart")
    if frames.undated_games:
        parts.append(f"{frames.undated_games:,} without a date left out of the time chart")
    return " · ".join(parts)


def chart_figures(connection_factory: Callable[[], Connection], state: ViewState) -> dict[str, Any]:
    """The three figures and the note for the shown position and filters.

    An unknown player draws all games, as the moves table does.
    """
    query, _problem = explorer_query(state)
    waiting = ""
    try:
        breakdown = read_breakdown(connection_factory, query)
    except PLAYER_INDEXING as indexing:  # the player's games are being counted: all games meanwhile
        waiting = f"Counting {query.player}'s games ({indexing.done:,} of {indexing.total:,}): all games shown · "
        query = query.without_player()
        breakdown = read_breakdown(connection_factory, query)
    if not breakdown.player_found:
        query = query.without_player()
        breakdown = read_breakdown(connection_factory, query)
    frames = chart_frames(breakdown)
    if frames.total_games == 0:
        message = empty_message(query)
        return {"results": empty_figure(message), "bands": empty_figure(message),
                "time": empty_figure(message), "note": waiting + message}
    no_moves = "No further moves: the games here end, or go past the indexed plies"
    unrated = "No games with a known rating in this range"
    return {
        "results": results_figure(frames.moves, frames.turn, empty=no_moves),
        "bands": bands_figure(frames.bands, frames.turn, rating=_rating_axis(query),
                              empty=no_moves if frames.moves.empty else unrated),
        "time": time_figure(frames.months, frames.turn),
        "note": waiting + chart_note(query, frames),
    }


# --------------------------------------------------------------------------- callbacks
def register_charts_callbacks(app: dash.Dash) -> None:
    """Register the charts view's callbacks on `app`."""
    app.clientside_callback(
        """function (view) {
            const charts = view === 'charts';
            return [charts ? {display: 'none'} : {}, charts ? {} : {display: 'none'}];
        }""",
        Output(MOVES_VIEW, "style"),
        Output(CHARTS_VIEW, "style"),
        Input(VIEW_TOGGLE, "value"),
    )

    # a click while the table shows costs the server nothing: the browser asks for charts
    # only while they are shown (and when they are shown again)
    app.clientside_callback(
        """function (view, shown, version) {
            if (shown !== 'charts' || !view) { return window.dash_clientside.no_update; }
            return {view: view, version: version};
        }""",
        Output(CHARTS_REQUEST, "data"),
        Input(ids.VIEW_STATE, "data"),
        Input(VIEW_TOGGLE, "value"),
        Input(ids.DATA_VERSION, "data"),
    )

    @app.callback(
        *[Output(graph, "figure") for graph in GRAPHS],
        *[Output(graph, "style") for graph in GRAPHS],
        Output(CHARTS_NOTE, "children"),
        Input(CHARTS_REQUEST, "data"),
        prevent_initial_call=True,
    )
    def draw_charts(request):  # type: ignore[no-untyped-def]
        from sqlalchemy.exc import SQLAlchemyError

        from webapp.extensions import db

        view = (request or {}).get("view")
        if view is None:
            raise PreventUpdate
        try:
            out = chart_figures(db.engine.connect, ViewState.from_dict(view))
        except SQLAlchemyError as error:
            app.server.logger.exception("charts query failed")
            broken = empty_figure(
                "Too many games here to chart in time: narrow the months or the rating range"
                if timed_out(error)
                else "The database is unavailable; try again shortly"
            )
            out = {"results": broken, "bands": broken, "time": broken, "note": ""}
        figures = [out["results"], out["bands"], out["time"]]
        return (*figures, *[graph_style(f) for f in figures], out["note"])
