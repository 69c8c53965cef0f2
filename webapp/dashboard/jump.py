"""Jump to any position: a box that takes a FEN or a pasted move list (SAN or UCI).

The callback reads the text with `webapp.model.notation.read_position` and, when it is
a position, writes the dashboard URL for it (filters and orientation kept); the
navigation callback draws it from there like any other URL. What cannot be read stays
in the box with a message naming the first bad move.
"""

from __future__ import annotations

from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, html, no_update
from dash.exceptions import PreventUpdate

from webapp.dashboard import ids
from webapp.dashboard.state import ViewState, jump_to
from webapp.dashboard.url import search_from_state
from webapp.model.notation import NotationError, read_position

PLACEHOLDER = "Paste a FEN or moves: 1. e4 c5 2. Nf3 · e2e4 c7c5"


def build_jump() -> html.Div:
    """The box, its Go button and the line for messages."""
    return html.Div(
        [
            dbc.InputGroup(
                [
                    dbc.Textarea(
                        id=ids.JUMP_TEXT,
                        placeholder=PLACEHOLDER,
                        rows=1,
                        submit_on_enter=True,
                        spellCheck="false",
                        title="A FEN, or a move list in SAN or UCI (Enter or Go)",
                        className="jump-text",
                    ),
                    dbc.Button("Go", id=ids.JUMP_GO, color="primary", outline=True, n_clicks=0),
                ],
                size="sm",
            ),
            html.Div(id=ids.JUMP_MESSAGE, className="jump-message small", role="status"),
        ],
        className="jump mt-2",
    )


def jump_search(text: str | None, stored: dict[str, Any] | None) -> tuple[str, str | None]:
    """(the URL's query string for the pasted position, None) or (no search, the problem)."""
    try:
        pasted = read_position(text or "")
    except NotationError as error:
        return "", str(error)
    state = jump_to(ViewState.from_dict(stored), pasted.fen, pasted.moves)
    return search_from_state(state) or "?", None


def register_jump_callbacks(app: dash.Dash) -> None:
    """Register the jump box's callback on `app`."""

    @app.callback(
        Output(ids.LOCATION, "search", allow_duplicate=True),
        Output(ids.JUMP_MESSAGE, "children"),
        Output(ids.JUMP_TEXT, "value"),
        Input(ids.JUMP_GO, "n_clicks"),
        Input(ids.JUMP_TEXT, "n_submit"),
        State(ids.JUMP_TEXT, "value"),
        State(ids.VIEW_STATE, "data"),
        prevent_initial_call=True,
    )
    def jump(_clicks, _submits, text, stored):  # type: ignore[no-untyped-def]
        if not (text or "").strip():
            raise PreventUpdate
        search, problem = jump_search(text, stored)
        if problem:
            return no_update, html.Span(problem, className="text-danger"), no_update
        return search, "", ""
