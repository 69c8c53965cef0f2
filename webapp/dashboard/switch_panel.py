"""A panel under the moves table that a switch shows: move flags, how games ended, move
orders, think time.

Each such panel has the same three callbacks, registered here once: the switch hides or
shows the panel's body in the browser; while it is on and the Explorer tab is open, a new
position, filters or data version asks the server (through the panel's request store)
for the panel's content; the server builds it for that browser's view, so nothing is
read while the panel is hidden.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol, TypeVar

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, dcc, html
from dash.exceptions import PreventUpdate
from sqlalchemy import Connection

from webapp.dashboard import ids
from webapp.dashboard.state import ViewState
from webapp.db.players import PlayerIndexing
from webapp.model.query import ExplorerQuery

#: builds a panel's children for one browser's view from a connection factory
Content = Callable[[Callable[[], Connection], ViewState], list[Any]]

_SHOW_BODY = """function (shown) { return shown ? {} : {display: 'none'}; }"""
_ASK = """function (view, tab, version, shown) {
    if (!shown || (tab && tab !== 'explorer') || !view) { return window.dash_clientside.no_update; }
    return {view: view, version: version};
}"""


def build_switch_panel(
    *, switch: str, body: str, request: str, output: str, loading: str, label: str, output_class: str,
    panel_class: str, legend: Any | None = None,
) -> html.Div:
    """The section: its request store, its switch (off at first, remembered for the browser
    tab) and, hidden until the switch is on, the `legend` above the `output` children."""
    content = dcc.Loading(html.Div(id=output, className=f"{output_class} small"), id=loading, type="dot",
                          delay_show=200, overlay_style={"visibility": "visible", "opacity": 0.5})
    return html.Div(
        [
            dcc.Store(id=request, storage_type="memory"),
            dbc.Switch(id=switch, label=label, value=False, persistence=True, persistence_type="session",
                       className="small mt-3 mb-1", label_class_name="chart-title", input_class_name="me-1"),
            html.Div(content if legend is None else [legend, content], id=body, style={"display": "none"}),
        ],
        className=panel_class,
    )


class _PlayerAnswer(Protocol):
    player_found: bool


Answer = TypeVar("Answer", bound=_PlayerAnswer)


def read_for_panel(read: Callable[[ExplorerQuery], Answer], query: ExplorerQuery) -> Answer:
    """`read(query)`, or all games' answer while the query's player is being indexed or
    is not found: a panel beside the moves table shows what it can, never an error."""
    try:
        answer = read(query)
    except PlayerIndexing:
        query = query.without_player()
        answer = read(query)
    if not answer.player_found:
        answer = read(query.without_player())
    return answer


def register_switch_panel(
    app: dash.Dash, *, switch: str, body: str, request: str, output: str, content: Content, name: str
) -> None:
    """Register the callbacks of the panel whose `switch` shows `body` and whose children
    (`output`) `content` builds; `name` names the panel in the server's log."""
    app.clientside_callback(_SHOW_BODY, Output(body, "style"), Input(switch, "value"))
    app.clientside_callback(
        _ASK,
        Output(request, "data"),
        Input(ids.VIEW_STATE, "data"),
        Input(ids.TABS, "active_tab"),
        Input(ids.DATA_VERSION, "data"),
        Input(switch, "value"),
    )

    def show(asked: dict | None) -> list[Any]:  # type: ignore[type-arg]
        from sqlalchemy.exc import SQLAlchemyError

        from webapp.extensions import db

        view = (asked or {}).get("view")
        if view is None:
            raise PreventUpdate
        try:
            return content(db.engine.connect, ViewState.from_dict(view))
        except SQLAlchemyError:
            app.server.logger.exception("%s query failed", name)
            return [html.Div("The database is unavailable; try again shortly.", className="text-muted")]

    app.callback(Output(output, "children"), Input(request, "data"), prevent_initial_call=True)(show)
