"""The player panel: account import with progress, player beside peers, leaks, exports.

Its layout goes in the dashboard's "Player" tab; its callbacks are registered here, each
forwarding to plain functions (webapp.db.leaks, webapp.jobs.imports, the export builders
of webapp.api.player_routes). The position and filters come from the dashboard's view
state; the player, colour and peer band from this panel's own controls.
"""

from __future__ import annotations

from typing import Any

import dash
import dash_bootstrap_components as dbc
import plotly.graph_objects as go
from dash import Input, Output, State, dcc, html, no_update
from dash.exceptions import PreventUpdate

from webapp.dashboard import ids
from webapp.dashboard.state import ViewState
from webapp.model.links import explorer_url
from webapp.model.query import ExplorerQuery, QueryError, format_month
from webapp.model.scores import ScoreComparison

# component ids of this panel
IMPORT_SOURCE = "player-import-source"
IMPORT_USERNAME = "player-import-username"
IMPORT_BUTTON = "player-import-button"
IMPORT_CANCEL = "player-import-cancel"
IMPORT_JOB = "player-import-job"
IMPORT_PROGRESS = "player-import-progress"
IMPORT_PROGRESS_WRAP = "player-import-progress-wrap"
IMPORT_STATUS = "player-import-status"
IMPORT_RESULT = "player-import-result"
PLAYER_NAME = "player-name"
PLAYER_COLOR = "player-color"
PLAYER_BAND = "player-band"
PLAYER_VERSION = "player-version"
SUMMARY = "player-summary"
COMPARE = "player-compare"
LEAKS = "player-leaks"
HISTORY = "player-history"
PERSON_NAME = "player-person-name"
PERSON_ACCOUNTS = "player-person-accounts"
PERSON_LINK = "player-person-link"
PERSON_RESULT = "player-person-result"
EXPORT_CSV = "player-export-csv"
EXPORT_PGN = "player-export-pgn"
DOWNLOAD = "player-download"


# ---------------------------------------------------------------------------- builders
def build_player_panel() -> html.Div:
    """The content of the Player tab."""
    return html.Div(
        [
            dcc.Store(id=IMPORT_JOB, storage_type="memory"),
            dcc.Store(id=PLAYER_VERSION, storage_type="memory", data=0),
            dcc.Download(id=DOWNLOAD),
            dbc.Row(
                [
                    dbc.Col([build_import_card(), build_people_card()], xs=12, lg=4),
                    dbc.Col(build_analysis_card(), xs=12, lg=8),
                ],
                className="g-3 pt-2",
            ),
        ],
        id="player-panel",
    )


def build_import_card() -> dbc.Card:
    return dbc.Card(
        dbc.CardBody(
            [
                html.H6("Import an account", className="card-title"),
                dbc.InputGroup(
                    [
                        dbc.Select(
                            id=IMPORT_SOURCE,
                            options=[
                                {"label": "lichess", "value": "lichess"},
                                {"label": "chess.com", "value": "chesscom"},
                            ],
                            value="lichess",
                            style={"maxWidth": "8rem"},
                        ),
                        dbc.Input(id=IMPORT_USERNAME, placeholder="username", debounce=False),
                        dbc.Button("Import", id=IMPORT_BUTTON, color="primary", n_clicks=0),
                    ],
                    size="sm",
                ),
                html.Div(
                    [
                        dbc.Progress(id=IMPORT_PROGRESS, value=0, max=1, striped=True,
                                     animated=True, className="mt-2"),
                        html.Div(id=IMPORT_STATUS, className="small text-muted mt-1"),
                        dbc.Button("Cancel", id=IMPORT_CANCEL, color="link", size="sm",
                                   n_clicks=0, className="p-0"),
                    ],
                    id=IMPORT_PROGRESS_WRAP,
                    style={"display": "none"},
                ),
                html.Div(id=IMPORT_RESULT, className="mt-2"),
                html.Div(
                    "A second import of the same account fetches only what is new.",
                    className="small text-muted",
                ),
            ]
        ),
        className="mb-3",
    )


def build_people_card() -> dbc.Card:
    return dbc.Card(
        dbc.CardBody(
            [
                html.H6("One player, several accounts", className="card-title"),
                dbc.Input(id=PERSON_NAME, placeholder="name (use it as the player)", size="sm",
                          className="mb-1"),
                dbc.Input(id=PERSON_ACCOUNTS, placeholder="lichess:USER chesscom:USER", size="sm",
                          className="mb-1"),
                dbc.Button("Link", id=PERSON_LINK, size="sm", color="secondary", n_clicks=0),
                html.Div(id=PERSON_RESULT, className="small mt-1"),
            ]
        ),
        className="mb-3",
    )


def build_analysis_card() -> dbc.Card:
    return dbc.Card(
        dbc.CardBody(
            [
                dbc.Row(
                    [
                        dbc.Col(dbc.Input(id=PLAYER_NAME, placeholder="player (or the explorer's)",
                                          size="sm", debounce=True), md=5),
                        dbc.Col(
                            dbc.RadioItems(
                                id=PLAYER_COLOR,
                                options=[{"label": "white", "value": "white"},
                                         {"label": "black", "value": "black"}],
                                value="white",
                                inline=True,
                            ),
                            md=3,
                        ),
                        dbc.Col(
                            dbc.InputGroup(
                                [dbc.InputGroupText("peers ±"),
                                 dbc.Input(id=PLAYER_BAND, type="number", value=100, min=0,
                                           max=1000, step=50)],
                                size="sm",
                            ),
                            md=4,
                        ),
                    ],
                    className="g-2 mb-2",
                ),
                html.Div(id=SUMMARY, className="small mb-2"),
                html.Div(id=COMPARE),
                html.Div(
                    [
                        dbc.Button("Move table (CSV)", id=EXPORT_CSV, size="sm", color="secondary",
                                   outline=True, n_clicks=0, className="me-2"),
                        dbc.Button("Games here (PGN)", id=EXPORT_PGN, size="sm", color="secondary",
                                   outline=True, n_clicks=0),
                    ],
                    className="my-2",
                ),
                html.H6("Where the points leak", className="mt-3"),
                html.Div(id=LEAKS),
                html.H6("This position over time", className="mt-3"),
                dcc.Graph(id=HISTORY, config={"displayModeBar": False}, style={"height": "260px"}),
            ]
        )
    )


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.0f}%"


def _interval(comparison: ScoreComparison) -> str:
    interval = comparison.player.interval
    return "–" if interval is None else f"{100 * interval[0]:.0f}–{100 * interval[1]:.0f}%"


def _diff(comparison: ScoreComparison) -> html.Span:
    difference = comparison.difference
    if difference is None:
        return html.Span("–")
    colour = "text-danger" if comparison.clearly_below else "text-success" if difference > 0 else ""
    return html.Span(f"{100 * difference:+.0f}", className=colour)


def build_compare_table(result: Any) -> html.Table | html.Div:
    """Per next move: the player's games and score (95% interval) beside the peers'."""
    if not result.moves:
        return html.Div("No games of the player or peers from this position.",
                        className="text-muted small")
    header = html.Thead(html.Tr([html.Th(h) for h in (
        "move", "games", "score", "95% interval", "peers' games", "peers' score", "difference"
    )]))
    rows = [
        html.Tr(
            [
                html.Td(m.san),
                html.Td(m.comparison.player.games, className="compare-games"),
                html.Td(_pct(m.comparison.player.score)),
                html.Td(_interval(m.comparison)),
                html.Td(m.comparison.peers.games),
                html.Td(_pct(m.comparison.peers.score)),
                html.Td(_diff(m.comparison)),
            ],
            id={"type": "player-compare-row", "index": m.uci},
        )
        for m in result.moves
    ]
    return dbc.Table([header, html.Tbody(rows)], size="sm", hover=True, className="mb-0",
                     id="player-compare-table")


def build_leaks_table(query: ExplorerQuery, leaks: list[Any]) -> html.Table | html.Div:
    if not leaks:
        return html.Div("No position reached often enough where the player scores below peers.",
                        className="text-muted small")
    header = html.Thead(html.Tr([html.Th(h) for h in (
        "position", "games", "score", "95% interval", "peers' score", "points lost"
    )]))
    rows = []
    for leak in leaks:
        label = _line_label(leak.play)
        c = leak.comparison
        rows.append(
            html.Tr(
                [
                    html.Td(html.A(label, href=explorer_url(query, leak.play),
                                   className="player-leak-link")),
                    html.Td(c.player.games),
                    html.Td(_pct(c.player.score)),
                    html.Td(_interval(c)),
                    html.Td(_pct(c.peers.score)),
                    html.Td(f"{c.points_lost:.1f}"),
                ]
            )
        )
    return dbc.Table([header, html.Tbody(rows)], size="sm", hover=True, id="player-leaks-table")


def _line_label(play: tuple[str, ...]) -> str:
    import chess

    board = chess.Board()
    parts = []
    for ply, uci in enumerate(play):
        move = chess.Move.from_uci(uci)
        san = board.san(move)
        parts.append(f"{ply // 2 + 1}. {san}" if ply % 2 == 0 else san)
        board.push(move)
    return " ".join(parts) or "start"


def build_history_figure(months: list[Any]) -> go.Figure:
    """Monthly games (bars) and the player's score (line) in the current position."""
    labels = [format_month(m.month) for m in months]
    figure = go.Figure()
    figure.add_bar(x=labels, y=[m.score.games for m in months], name="games", yaxis="y",
                   marker_color="#9aa5b1")
    figure.add_scatter(x=labels, y=[None if m.score.score is None else 100 * m.score.score
                                    for m in months],
                       name="score %", yaxis="y2", mode="lines+markers", line_color="#1f77b4")
    figure.update_layout(
        margin={"l": 40, "r": 40, "t": 10, "b": 30},
        xaxis={"type": "category"},
        yaxis={"title": "games"},
        yaxis2={"title": "score %", "overlaying": "y", "side": "right", "range": [0, 100]},
        legend={"orientation": "h", "y": -0.25},
        template="plotly_white",
    )
    return figure


# ---------------------------------------------------------------------- plain functions
def api_args(view: ViewState, player: str | None, color: str | None, band: Any = None) -> dict[str, str]:
    """The API's parameters for what the panel shows (so exports match the API exactly)."""
    f = view.filters
    args: dict[str, str] = {}
    if view.fen:
        args["fen"] = view.fen
    if view.play:
        args["play"] = ",".join(view.play)
    if f.speeds:
        args["speeds"] = ",".join(f.speeds)
    if f.rating_min is not None:
        args["rating_min"] = str(f.rating_min)
    if f.rating_max is not None:
        args["rating_max"] = str(f.rating_max)
    if f.since:
        args["since"] = f.since
    if f.until:
        args["until"] = f.until
    if f.rated:
        args["rated"] = "true"
    if f.collections:
        args["collections"] = ",".join(f.collections)
    name = (player or "").strip() or (f.player or "")
    if name:
        args["player"] = name
        if color:
            args["color"] = color
    if band not in (None, ""):
        args["band"] = str(band)
    return args


def analyse(args: dict[str, str], index_plies: int) -> dict[str, Any]:
    """Summary, comparison table, leaks table and history figure for the panel."""
    from flask import current_app, has_app_context

    from webapp.api.player_routes import parse_player_args
    from webapp.db.leaks import (
        DEFAULT_BAND_WIDTH,
        PlayerNotFound,
        compare_player,
        player_history,
        read_leaks,
    )
    from webapp.db.players import PlayerIndexing, display_name
    from webapp.extensions import db
    from webapp.jobs.player_index import ensure_player_indexed

    empty = {"summary": "", "compare": "", "leaks": "", "history": build_history_figure([])}
    if not args.get("player"):
        return {**empty, "summary": "Choose a player (or import an account) to compare with peers."}
    try:
        query, extra = parse_player_args(args)
        band = extra.get("band", DEFAULT_BAND_WIDTH)
        if query.player and has_app_context():
            ensure_player_indexed(current_app, query.player)
        with db.engine.connect() as connection:
            compared = compare_player(connection, query, band_width=band)
            shown_name = display_name(connection, compared.player) or compared.player
            months = player_history(connection, query)
        _rating, leaks = read_leaks(db.engine.connect, query, band_width=band,
                                    index_plies=index_plies, limit=10)
    except (QueryError, PlayerNotFound) as error:
        return {**empty, "summary": html.Span(str(error), className="text-danger")}
    except PlayerIndexing as indexing:
        return {
            **empty,
            "summary": html.Span(
                f"Counting the {indexing.total:,} games of “{indexing.player}”… "
                f"{indexing.done:,} done; the comparison appears when every game is counted.",
                className="player-indexing",
            ),
        }
    p = compared.position
    summary = html.Span(
        [
            html.B(f"{shown_name} as {compared.color}: "),
            html.Span(f"{p.player.games} games", id="player-summary-games"),
            f", score {_pct(p.player.score)} ({_interval(p)})",
            (
                f"; peers rated {compared.peer_rating_min}–{compared.peer_rating_max} "
                f"(player's average {compared.rating}): {p.peers.games} games, "
                f"score {_pct(p.peers.score)}"
            )
            if compared.rating is not None
            else "; no ratings to find peers by",
        ]
    )
    return {
        "summary": summary,
        "compare": build_compare_table(compared),
        "leaks": build_leaks_table(query, leaks),
        "history": build_history_figure(months),
    }


def import_message(status: Any) -> dbc.Alert:
    colour = {"done": "success", "failed": "danger", "cancelled": "warning"}.get(status.status, "info")
    return dbc.Alert(status.message or status.status, color=colour, className="mb-0 py-2 small",
                     id="player-import-alert")


# --------------------------------------------------------------------------- callbacks
def register_player_callbacks(app: dash.Dash) -> None:
    """Register the player panel's callbacks on `app`."""
    server = app.server

    @app.callback(
        Output(IMPORT_JOB, "data"),
        Output(IMPORT_RESULT, "children"),
        Input(IMPORT_BUTTON, "n_clicks"),
        State(IMPORT_SOURCE, "value"),
        State(IMPORT_USERNAME, "value"),
        prevent_initial_call=True,
    )
    def start_import(n_clicks, source, username):  # type: ignore[no-untyped-def]
        from webapp.extensions import db
        from webapp.indexer.sources.errors import AccountImportError
        from webapp.jobs.imports import create_import_job

        if not n_clicks:
            raise PreventUpdate
        try:
            job_id = create_import_job(db.engine, source or "", username or "")  # committed
        except AccountImportError as error:
            return no_update, dbc.Alert(str(error), color="danger", className="mb-0 py-2 small")
        return {"id": job_id}, html.Div(f"Importing {source}:{(username or '').strip()}…",
                                        className="small text-muted")

    @app.callback(
        Output(IMPORT_RESULT, "children", allow_duplicate=True),
        Output(PLAYER_VERSION, "data"),
        Output(PLAYER_NAME, "value"),
        Input(IMPORT_JOB, "data"),
        State(PLAYER_VERSION, "data"),
        background=True,
        progress=[Output(IMPORT_PROGRESS, "value"), Output(IMPORT_PROGRESS, "max"),
                  Output(IMPORT_STATUS, "children")],
        running=[
            (Output(IMPORT_BUTTON, "disabled"), True, False),
            (Output(IMPORT_PROGRESS_WRAP, "style"), {"display": "block"}, {"display": "none"}),
        ],
        cancel=[Input(IMPORT_CANCEL, "n_clicks")],
        interval=300,
        prevent_initial_call=True,
    )
    def run_import(set_progress, job, version):  # type: ignore[no-untyped-def]
        from webapp.extensions import db
        from webapp.jobs.imports import run_import_job

        if not job:
            raise PreventUpdate
        with server.app_context():
            db.engine.dispose(close=False)  # a job process never shares the parent's connections

        def progress(report) -> None:  # type: ignore[no-untyped-def]
            of = f" of {report.total}" if report.total else ""
            set_progress((report.done, max(report.total, report.done, 1),
                          f"{report.done}{of} {report.unit} · {report.imported} games imported"))

        set_progress((0, 1, "starting…"))
        status = run_import_job(server, int(job["id"]), progress)
        player = f"{status.source}:{status.name}" if status.status == "done" else no_update
        return import_message(status), (version or 0) + 1, player

    @app.callback(
        Output(IMPORT_RESULT, "children", allow_duplicate=True),
        Input(IMPORT_CANCEL, "n_clicks"),
        State(IMPORT_JOB, "data"),
        prevent_initial_call=True,
    )
    def cancel_import(n_clicks, job):  # type: ignore[no-untyped-def]
        from webapp.extensions import db
        from webapp.jobs.imports import cancel_import_job, job_status

        if not n_clicks or not job:
            raise PreventUpdate
        cancel_import_job(db.engine, int(job["id"]))
        status = job_status(db.engine, int(job["id"]))
        return import_message(status) if status else no_update

    @app.callback(
        Output(ids.DATA_VERSION, "data", allow_duplicate=True),
        Input(PLAYER_VERSION, "data"),
        State(ids.DATA_VERSION, "data"),
        prevent_initial_call=True,
    )
    def refresh_explorer(_player_version, version):  # type: ignore[no-untyped-def]
        return (version or 0) + 1

    @app.callback(
        Output(SUMMARY, "children"),
        Output(COMPARE, "children"),
        Output(LEAKS, "children"),
        Output(HISTORY, "figure"),
        Input(ids.VIEW_STATE, "data"),
        Input(PLAYER_NAME, "value"),
        Input(PLAYER_COLOR, "value"),
        Input(PLAYER_BAND, "value"),
        Input(PLAYER_VERSION, "data"),
        Input(ids.DATA_VERSION, "data"),
        Input(ids.TABS, "active_tab"),
    )
    def show_player(view, player, color, band, _version, _data_version, tab):  # type: ignore[no-untyped-def]
        if tab != "player":  # nothing to draw while the panel is hidden
            raise PreventUpdate
        args = api_args(ViewState.from_dict(view), player, color, band)
        out = analyse(args, server.extensions["settings"].index_plies)
        return out["summary"], out["compare"], out["leaks"], out["history"]

    @app.callback(
        Output(PERSON_RESULT, "children"),
        Input(PERSON_LINK, "n_clicks"),
        State(PERSON_NAME, "value"),
        State(PERSON_ACCOUNTS, "value"),
        prevent_initial_call=True,
    )
    def link_person(n_clicks, name, accounts):  # type: ignore[no-untyped-def]
        from webapp.caching import bump_generation
        from webapp.db.people import AccountSpecError, link_accounts
        from webapp.extensions import db

        if not n_clicks:
            raise PreventUpdate
        try:
            with db.engine.begin() as connection:
                linked = link_accounts(connection, name or "", (accounts or "").split())
        except AccountSpecError as error:
            return html.Span(str(error), className="text-danger")
        bump_generation()
        return f"{name}: {' '.join(linked)} — use “{name}” as the player."

    @app.callback(
        Output(DOWNLOAD, "data"),
        Input(EXPORT_CSV, "n_clicks"),
        Input(EXPORT_PGN, "n_clicks"),
        State(ids.VIEW_STATE, "data"),
        State(PLAYER_NAME, "value"),
        State(PLAYER_COLOR, "value"),
        State(PLAYER_BAND, "value"),
        prevent_initial_call=True,
    )
    def export(_csv, _pgn, view, player, color, band):  # type: ignore[no-untyped-def]
        from webapp.api.player_routes import games_pgn, move_table_csv
        from webapp.db.leaks import PlayerNotFound

        trigger = dash.ctx.triggered_id
        if trigger not in (EXPORT_CSV, EXPORT_PGN):
            raise PreventUpdate
        args = api_args(ViewState.from_dict(view), player, color, band)
        try:
            if trigger == EXPORT_CSV:
                return dcc.send_string(move_table_csv(args), "moves.csv")
            return dcc.send_string(games_pgn(args), "games.pgn")
        except (QueryError, PlayerNotFound):
            raise PreventUpdate from None
