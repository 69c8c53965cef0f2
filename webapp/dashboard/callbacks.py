"""Every dashboard callback, registered in one place; each forwards to plain functions.

- navigate: a UI event (square, move row, ply, buttons, filters, URL, new data) → the next
  ViewState and Selection (state.py) → the board picture, the URL, and, when the position
  or the filters changed, the explorer's answer (explore.py) drawn by moves.py. One
  callback, so a click costs one round trip; it only sends the props that changed.
- show_upload opens the upload panel (button, or an empty database); upload imports a PGN
  as a background job with progress.
- the charts view (charts_panel) redraws from the view state while it is shown.
- the games lists (games_panel) are drawn from the same answer as the moves table; a row
  links to `game=<id>`, which opens the game viewer (game_viewer) over the explorer.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import dash
from dash import ALL, Input, Output, State, ctx, no_update
from dash.exceptions import PreventUpdate

from webapp.dashboard import ids
from webapp.dashboard import state as st
from webapp.dashboard.board import board_src, build_move_line
from webapp.dashboard.charts_panel import register_charts_callbacks
from webapp.dashboard.endings_panel import register_endings_callbacks
from webapp.dashboard.explore import collections_with_games, explore, months, note_unknown_player
from webapp.dashboard.filters import (
    collection_options,
    collections_label,
    controls_from_filters,
    filters_from_controls,
    rating_label,
)
from webapp.dashboard.flags_panel import register_flags_callbacks
from webapp.dashboard.game_viewer import register_game_viewer
from webapp.dashboard.games_panel import build_games
from webapp.dashboard.layout import build_url_notice
from webapp.dashboard.month_range import Bounds, bounds_from_months, range_label, slider_props
from webapp.dashboard.moves import build_panel, build_unavailable
from webapp.dashboard.opponent_panel import register_opponent_callbacks
from webapp.dashboard.orders_panel import register_orders_callbacks
from webapp.dashboard.think_panel import register_think_callbacks
from webapp.dashboard.upload import UploadError, build_result, import_upload, upload_collection
from webapp.dashboard.url import (
    game_from_search,
    ignored_parameters,
    search_from_state,
    search_with_game,
    state_from_search,
)

FILTER_IDS = (
    ids.PLAYER, ids.COLOR, ids.RATING, ids.SPEEDS, ids.MONTHS, ids.RATED, ids.COLLECTIONS, ids.NO_TIME_LOSSES,
)  # fmt: skip
CONTROL_KEYS = ("player", "color", "rating", "speeds", "months", "rated", "collections", "no_time_losses")
MONTH_PROPS = ("min", "max", "marks", "disabled")
BUTTONS = {ids.BACK: st.back, ids.FORWARD: st.forward, ids.RESET: st.reset, ids.FLIP: st.flip}


@dataclass(frozen=True)
class Event:
    """What happened: load, url, data, square, drop, play, ply, promote, cancel, button, filters."""

    kind: str
    value: Any = None


def event_from_trigger(trigger: Any, value: Any) -> Event | None:
    """The event behind a callback trigger, or None for a trigger that is no user action
    (a button not clicked yet, the promotion dialog opening)."""
    if trigger is None:
        return Event("load")
    if trigger == ids.LOCATION:
        return Event("url")
    if trigger == ids.DATA_VERSION:
        return Event("data")
    if trigger == ids.CLICK:
        if not isinstance(value, dict):
            return None
        if value.get("square"):
            return Event("square", str(value["square"]))
        if value.get("from") and value.get("to"):
            return Event("drop", (str(value["from"]), str(value["to"])))
        if value.get("play"):
            return Event("play", str(value["play"]))
        if isinstance(value.get("ply"), int):
            return Event("ply", value["ply"])
        return None
    if isinstance(trigger, dict):
        if not value:
            return None
        return Event("promote", trigger["index"]) if trigger["type"] == ids.PROMOTION else None
    if trigger == ids.PROMOTION_MODAL:
        return None if value else Event("cancel")
    if trigger in BUTTONS:
        return Event("button", trigger) if value else None
    if trigger in FILTER_IDS:
        return Event("filters")
    return None


def next_state(
    event: Event,
    state: st.ViewState,
    selection: st.Selection,
    filters: st.Filters,
    search: str | None,
) -> tuple[st.ViewState, st.Selection]:
    """The state after an event (pure; `filters` are the controls' current values)."""
    if event.kind == "square":
        return st.click_square(state, selection, event.value)
    if event.kind == "drop":
        return st.drop_piece(state, *event.value)
    if event.kind == "promote":
        return st.choose_promotion(state, selection, event.value)
    if event.kind == "cancel":
        return state, st.Selection()
    if event.kind == "play":
        return st.play_move(state, event.value), st.Selection()
    if event.kind == "ply":
        return st.go_to(state, int(event.value)), st.Selection()
    if event.kind == "button":
        return BUTTONS[event.value](state), st.Selection()
    if event.kind == "filters":
        return st.with_filters(state, filters), selection
    if event.kind == "url":
        return state_from_search(search, state), st.Selection()
    if event.kind == "data":
        return state, selection
    # load: the URL when it says anything, else what this browser tab had, else the start
    if search and search.strip("?"):
        return state_from_search(search, state), st.Selection()
    return state, st.Selection()


def url_notice(event: Event, search: str | None) -> Any:
    """On opening a link (or going back to one): a notice naming what it asked for that was
    left out; other events leave the notice as it is (the user may close it)."""
    if event.kind not in ("load", "url"):
        return no_update
    if event.kind == "load" and not (search and search.strip("?")):
        return None  # the tab's own state, no link
    return build_url_notice(ignored_parameters(search))


def register_callbacks(app: dash.Dash) -> None:
    """Register the dashboard's callbacks on `app`."""
    server = app.server
    register_charts_callbacks(app)  # the charts view beside the moves table
    register_game_viewer(app)  # a stored game stepped through, opened by game= in the URL
    register_flags_callbacks(app)  # move flags under the moves table
    register_orders_callbacks(app)  # the move orders into the position
    register_endings_callbacks(app)  # how games ended, under the moves table
    register_think_callbacks(app)  # the movers' think time, under the moves table
    register_opponent_callbacks(app)  # the Opponent tab

    @app.callback(
        output={
            "state": Output(ids.VIEW_STATE, "data"),
            "selection": Output(ids.SELECTION, "data"),
            "search": Output(ids.LOCATION, "search"),
            "board": Output(ids.BOARD_IMAGE, "src"),
            "overlay": Output(ids.BOARD_OVERLAY, "className"),
            "line": Output(ids.MOVE_LINE, "children"),
            "promotion": Output(ids.PROMOTION_MODAL, "is_open"),
            "back_disabled": Output(ids.BACK, "disabled"),
            "forward_disabled": Output(ids.FORWARD, "disabled"),
            "rating_label": Output(ids.RATING_LABEL, "children"),
            "months_label": Output(ids.MONTHS_LABEL, "children"),
            "collections_label": Output(ids.COLLECTIONS_LABEL, "children"),
            "collection_options": Output(ids.COLLECTIONS, "options"),
            "controls": {key: Output(cid, "value") for key, cid in zip(CONTROL_KEYS, FILTER_IDS, strict=True)},
            "explorer": {key: Output(cid, prop) for key, (cid, prop) in EXPLORER_OUTPUTS.items()},
            "months": {prop: Output(ids.MONTHS, prop) for prop in MONTH_PROPS},
            "url_notice": Output(ids.URL_NOTICE, "children"),
        },
        inputs={
            "search": Input(ids.LOCATION, "search"),
            "click": Input(ids.CLICK, "data"),
            "promotions": Input({"type": ids.PROMOTION, "index": ALL}, "n_clicks"),
            "modal_open": Input(ids.PROMOTION_MODAL, "is_open"),
            "buttons": [Input(b, "n_clicks") for b in BUTTONS],
            "controls": {key: Input(cid, "value") for key, cid in zip(CONTROL_KEYS, FILTER_IDS, strict=True)},
            "version": Input(ids.DATA_VERSION, "data"),
            "stored": State(ids.VIEW_STATE, "data"),
            "stored_selection": State(ids.SELECTION, "data"),
            "month_span": [State(ids.MONTHS, "min"), State(ids.MONTHS, "max"), State(ids.MONTHS, "disabled")],
            "recorded": State(ids.RECORDED_PLAYER, "data"),
        },
    )
    def navigate(search, click, promotions, modal_open, buttons, controls, version, stored, stored_selection, month_span, recorded):  # type: ignore[no-untyped-def]
        value = ctx.triggered[0]["value"] if ctx.triggered else None
        event = event_from_trigger(ctx.triggered_id, value)
        if event is None:
            raise PreventUpdate
        state = st.ViewState.from_dict(stored)
        selection = st.Selection.from_dict(stored_selection)
        low, high, disabled = month_span
        new_state, new_selection = next_state(
            event, state, selection,
            filters_from_controls(**controls, month_bounds=None if disabled else (low, high)), search
        )
        out = navigation_outputs(event, state, new_state, selection, new_selection)
        if out["search"] is not no_update and game_from_search(search):
            out["search"] = search_with_game(out["search"], game_from_search(search))  # the viewer stays open
        out["url_notice"] = url_notice(event, search)
        if event.kind in ("load", "url", "data"):
            # spanning the URL's months too, so a month from the URL is never dropped
            bounds = month_bounds(new_state.filters)
            out["months"] = slider_props(bounds)
            out["controls"]["months"] = controls_from_filters(new_state.filters, bounds)["months"]
            out["collection_options"] = collection_choices(new_state.filters)
        else:
            out["months"] = {prop: no_update for prop in MONTH_PROPS}
            out["collection_options"] = no_update
        if out["state"] is no_update and event.kind != "data":
            out["explorer"] = {key: no_update for key in EXPLORER_OUTPUTS}
        else:
            out["explorer"] = explorer_outputs(new_state, recorded)
        return out

    @app.callback(
        Output(ids.DATA_VERSION, "data", allow_duplicate=True),
        Input(ids.INDEXING_POLL, "n_intervals"),
        State(ids.DATA_VERSION, "data"),
        prevent_initial_call=True,
    )
    def poll_indexing(_ticks, version):  # type: ignore[no-untyped-def]
        """While a player's games are being counted, redraw the explorer now and then."""
        return (version or 0) + 1

    @app.callback(
        Output(ids.UPLOAD_COLLAPSE, "is_open"),
        Input(ids.UPLOAD_TOGGLE, "n_clicks"),
        Input(ids.EMPTY_DATABASE, "data"),
        State(ids.UPLOAD_COLLAPSE, "is_open"),
        prevent_initial_call=True,
    )
    def show_upload(n_clicks, empty, is_open):  # type: ignore[no-untyped-def]
        if ctx.triggered_id == ids.UPLOAD_TOGGLE:
            return not is_open
        return True if empty else no_update

    @app.callback(
        Output(ids.UPLOAD_RESULT, "children"),
        Output(ids.DATA_VERSION, "data"),
        Output(ids.UPLOAD, "contents"),  # emptied, so the same file can be uploaded again
        Input(ids.UPLOAD, "contents"),
        State(ids.UPLOAD, "filename"),
        State(ids.UPLOAD_COLLECTION, "value"),
        State(ids.DATA_VERSION, "data"),
        background=True,
        progress=[Output(ids.UPLOAD_PROGRESS, "value"), Output(ids.UPLOAD_STATUS, "children")],
        running=[
            (Output(ids.UPLOAD, "disabled"), True, False),
            (Output(ids.UPLOAD_PROGRESS + "-wrap", "style"), {"display": "block"}, {"display": "none"}),
        ],
        interval=400,
        prevent_initial_call=True,
    )
    def upload(set_progress, contents, filename, collection, version):  # type: ignore[no-untyped-def]
        if not contents:
            raise PreventUpdate
        set_progress((0, f"Reading {filename}…"))
        try:
            chosen = upload_collection(collection)
        except UploadError as error:
            return build_result([f"{filename}: {error}"], error=True), no_update, None
        lines, error = import_upload(
            server, contents, filename, lambda done, label: set_progress((done, label)), chosen
        )
        # an upload stopped by a limit may still have imported the games before that point
        return build_result(lines, error=error), (version or 0) + 1, None


def month_bounds(filters: st.Filters) -> Bounds:
    """The month slider's span: the months the games span, plus any month the filters name."""
    from sqlalchemy.exc import SQLAlchemyError

    from webapp.extensions import db

    try:
        known = months(db.engine.connect)
    except SQLAlchemyError:
        known = []
    return bounds_from_months(known, filters.since, filters.until)


def collection_choices(filters: st.Filters) -> list[dict[str, Any]]:
    """A toggle per collection with games, and one for each chosen name that has none."""
    from sqlalchemy.exc import SQLAlchemyError

    from webapp.extensions import db

    try:
        available = collections_with_games(db.engine.connect)
    except SQLAlchemyError:
        available = []
    return collection_options(available, filters.collections)


EXPLORER_OUTPUTS = {
    "panel": (ids.EXPLORER_PANEL, "children"),
    "recorded": (ids.RECORDED_PLAYER, "data"),
    "empty": (ids.EMPTY_DATABASE, "data"),
    "poll": (ids.INDEXING_POLL, "disabled"),
    "games": (ids.GAMES_PANEL, "children"),
}


def explorer_outputs(state: st.ViewState, recorded: str | None) -> dict[str, Any]:
    """Ask the explorer about the state and draw the answer; note an unknown player once."""
    from sqlalchemy.exc import SQLAlchemyError

    from webapp.extensions import db

    try:
        view = explore(db.engine.connect, state)
    except SQLAlchemyError:
        logging.getLogger(__name__).exception("explorer query failed")
        outputs: dict[str, Any] = {key: no_update for key in EXPLORER_OUTPUTS}
        outputs["panel"] = [build_unavailable()]
        outputs["poll"] = True
        outputs["games"] = []
        return outputs
    noted: Any = no_update
    if view.unknown_player and view.unknown_player != recorded:
        note_unknown_player(db.engine, view.unknown_player)
        noted = view.unknown_player
    return {
        "panel": build_panel(view),
        "recorded": noted,
        "empty": True if view.empty_database else no_update,  # opens the upload panel
        "poll": view.indexing is None,  # ask again every 2 s while the player is counted
        "games": build_games(view.result, state),  # the same answer: no query of its own
    }


def navigation_outputs(
    event: Event,
    old: st.ViewState,
    new: st.ViewState,
    old_selection: st.Selection,
    selection: st.Selection,
) -> dict[str, Any]:
    """The callback's outputs: only what changed (every prop sent costs the browser work),
    so that the explorer reruns only on a new position or new filters."""
    shows_all = event.kind in ("load", "url")  # a page load may come as either
    state_changed = new != old or shows_all
    selection_changed = selection != old_selection or shows_all

    def changed(value: Any, before: Any) -> Any:
        return value if shows_all or value != before else no_update

    out: dict[str, Any] = {
        "state": new.to_dict() if state_changed else no_update,
        "selection": selection.to_dict() if selection_changed else no_update,
        "search": search_from_state(new) if state_changed and event.kind != "url" else no_update,
        "board": board_src(new, selection) if state_changed or selection_changed else no_update,
        "overlay": changed(_overlay_class(new), _overlay_class(old)),
        "line": build_move_line(new) if state_changed else no_update,
        "promotion": changed(selection.promotion is not None, old_selection.promotion is not None),
        "back_disabled": changed(new.ply == 0, old.ply == 0),
        "forward_disabled": changed(new.ply >= len(new.line), old.ply >= len(old.line)),
        "rating_label": changed(rating_label(new.filters), rating_label(old.filters)),
        "months_label": changed(range_label(new.filters.since, new.filters.until),
                                range_label(old.filters.since, old.filters.until)),
        "collections_label": changed(collections_label(new.filters), collections_label(old.filters)),
        "controls": {key: no_update for key in CONTROL_KEYS},
    }
    if shows_all:
        out["controls"] = controls_from_filters(new.filters)
    return out


def _overlay_class(state: st.ViewState) -> str:
    return "board-overlay" + (" flipped" if state.orientation == "black" else "")
